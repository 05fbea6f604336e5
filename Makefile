# Two commands matter: `make verify` (the verification report) and `make test`.
# Every target builds the virtual environment on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= results
ARGS   ?=

.PHONY: all venv verify verify-quick results test test-all test-numpy figs bench bench-network bench-peer bench-peer-network bench-peer-network-b bench-peer-network-searched peer12 bench-peer-speed clean

all: test

# Re-installs whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

verify: $(STAMP)
	$(PY) -m verification --out $(OUT) $(ARGS)

verify-quick: $(STAMP)
	$(PY) -m verification --quick --out $(OUT) $(ARGS)

# The committed run: docs/run/verification.json. `make results` regenerates docs/RESULTS.md and the README's
# summary from it; `make results FROM=results` first stores FROM/verification.json (a new run) there.
RUN_JSON := docs/run/verification.json
FROM     ?=

results: $(STAMP)
	@if test -n "$(FROM)"; then mkdir -p $(dir $(RUN_JSON)) && cp $(FROM)/verification.json $(RUN_JSON) && echo "stored $(FROM)/verification.json as $(RUN_JSON)"; fi
	$(PY) -m verification.report --json $(RUN_JSON) --markdown docs/RESULTS.md --readme README.md

test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(PY) -m pytest -q

# The fast suite on the NumPy reference path (compiled kernels off; the compiled-against-NumPy tests skip).
test-numpy: $(STAMP)
	SPTHEORY_NO_NUMBA=1 $(PY) -m pytest -m "not slow" -q

figs: $(STAMP)
	$(PY) -m paper_figs

ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

bench: $(STAMP)
	$(ONE_THREAD) $(PY) -m benchmarks

# Only the network step: NumPy path vs compiled, digits MLP and FCN (docs/PERFORMANCE_NETWORK.md).
bench-network: $(STAMP)
	$(ONE_THREAD) $(PY) -m benchmarks --only network $(ARGS)

# Side by side with IBM aihwkit, in its own environment (.venv-peer: torch 2.10.0 + aihwkit 1.1.0, ~7.5 GB).
# If the install fails, the script still runs (in the main environment) and says how to get aihwkit.
PEER_VENV  := .venv-peer
PEER_STAMP := $(PEER_VENV)/.installed

$(PEER_STAMP): pyproject.toml
	@test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet -e '.[peer]'
	@touch $(PEER_STAMP)

bench-peer: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer: installing torch==2.10.0 aihwkit==1.1.0 into $(PEER_VENV) failed (see above)"
	@if test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_aihwkit $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_aihwkit $(ARGS); fi

# aihwkit 1.2.0 (issue 16 item 4) has no wheel for this Python (3.11): it is built from its PyPI source
# distribution into a second environment .venv-peer12 that reuses .venv-peer's torch 2.10.0 (a .pth file
# appends .venv-peer's site-packages after .venv-peer12's own, so aihwkit 1.2.0 shadows 1.1.0 there and
# `make bench-peer` keeps aihwkit 1.1.0).  Needs a C++ compiler, cmake >= 4.2.1, pybind11 >= 3.0.1 (both
# from pip here) and OpenBLAS headers (Debian: apt-get install libopenblas-dev).  CPU only (USE_CUDA=OFF),
# 2 jobs, nice 15.  It builds in the unpacked source tree ($(PEER12_VENV)/src/aihwkit-1.2.0/_skbuild), so a
# failed build resumes where it stopped.  The post-link step runs mypy's stubgen, which is looked up on PATH
# (.venv-peer's, where aihwkit 1.1.0 installed mypy).  Measured on this project's 2 shared cores: 731 s
# (12.2 min; 41 steps, load 4-5), after a first attempt that compiled everything in 1349 s and then failed
# at that stubgen step.  See docs/PEER_AIHWKIT.md ("Building aihwkit 1.2.0"); the build log is
# $(PEER12_VENV)/build.log and a failure is kept in $(PEER12_FAIL) (printed by bench-peer-network).
PEER12_VENV  := .venv-peer12
PEER12_STAMP := $(PEER12_VENV)/.installed
PEER12_FAIL  := $(PEER12_VENV)/build-failed.txt
AIHWKIT12_SDIST_URL := https://files.pythonhosted.org/packages/cf/69/a2c61897eae27dca5fcb62e55dad93edad1bdebdffd67e0e000e41fd768e/aihwkit-1.2.0.tar.gz
AIHWKIT12_SHA256    := 288b00aed52a99f578a2e7ac46fdbf2a9f07e4780c4307eae5827558f1bf2cba
PEER12_JOBS  ?= 2

$(PEER12_STAMP): | $(PEER_STAMP)  # order-only: a pyproject change does not rebuild aihwkit 1.2.0
	@test -x $(PEER12_VENV)/bin/python || $(PYTHON) -m venv $(PEER12_VENV)
	@rm -f $(PEER12_FAIL)
	$(PEER12_VENV)/bin/python -c "import site, pathlib; sp = site.getsitepackages()[0]; \
	  peer = pathlib.Path('$(PEER_VENV)').resolve() / pathlib.Path(sp).relative_to(pathlib.Path(sp).parents[2]); \
	  pathlib.Path(sp, 'peer_torch.pth').write_text(str(peer) + chr(10))"
	$(PEER12_VENV)/bin/python -m pip install --quiet 'cmake>=4.2.1' 'scikit-build>=0.18.1' 'pybind11>=3.0.1' ninja 'setuptools>=77' wheel mypy
	@test -f $(PEER12_VENV)/aihwkit-1.2.0.tar.gz || curl -sSL -o $(PEER12_VENV)/aihwkit-1.2.0.tar.gz $(AIHWKIT12_SDIST_URL)
	echo "$(AIHWKIT12_SHA256)  $(PEER12_VENV)/aihwkit-1.2.0.tar.gz" | sha256sum -c -
	@echo "building aihwkit 1.2.0 (CPU, $(PEER12_JOBS) jobs, nice 15; log in $(PEER12_VENV)/build.log) ..."
	@test -d $(PEER12_VENV)/src/aihwkit-1.2.0 || { mkdir -p $(PEER12_VENV)/src && tar xzf $(PEER12_VENV)/aihwkit-1.2.0.tar.gz -C $(PEER12_VENV)/src; }
	@start=$$(date +%s); \
	if PATH=$(CURDIR)/$(PEER12_VENV)/bin:$(CURDIR)/$(PEER_VENV)/bin:$$PATH VIRTUAL_ENV=$(CURDIR)/$(PEER12_VENV) USE_CUDA=OFF \
	   MAKEFLAGS=-j$(PEER12_JOBS) CMAKE_BUILD_PARALLEL_LEVEL=$(PEER12_JOBS) \
	   nice -n 15 $(PEER12_VENV)/bin/python -m pip install -v --no-build-isolation --no-deps \
	   ./$(PEER12_VENV)/src/aihwkit-1.2.0 > $(PEER12_VENV)/build.log 2>&1; then \
	  echo "aihwkit 1.2.0 built in $$(( $$(date +%s) - start )) s ($(PEER12_JOBS) jobs)"; \
	  $(PEER12_VENV)/bin/python -m pip install --quiet --no-deps -e . ; \
	  touch $@; \
	else \
	  { echo "building aihwkit 1.2.0 from its source distribution FAILED after $$(( $$(date +%s) - start )) s;"; \
	    echo "last lines of $(PEER12_VENV)/build.log:"; tail -40 $(PEER12_VENV)/build.log; } > $(PEER12_FAIL); \
	  cat $(PEER12_FAIL); exit 1; \
	fi

peer12: $(PEER12_STAMP)

# TT-v2 / c-TTv2 / AGAD on the digits MLP in aihwkit 1.1.0 and in sptheory (same environment logic as
# bench-peer), then the gamma table (c-TTv2 and AGAD with gamma 0.1) against aihwkit 1.2.0 in .venv-peer12,
# or, if 1.2.0 could not be built, the build failure in its place.  ARGS go to the first table, GAMMA_ARGS to
# the second.
GAMMA_ARGS ?=
bench-peer-network: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer-network: installing torch==2.10.0 aihwkit==1.1.0 into $(PEER_VENV) failed (see above)"
	@if test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_network $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_network $(ARGS); fi
	@test -f $(PEER12_STAMP) || test -f $(PEER12_FAIL) || $(MAKE) --no-print-directory $(PEER12_STAMP) || true
	@if test -f $(PEER12_STAMP); then $(ONE_THREAD) $(PEER12_VENV)/bin/python -m benchmarks.peer_network --gamma $(GAMMA_ARGS); \
	 else echo "== gamma table (aihwkit 1.2.0): NOT RUN, aihwkit 1.2.0 is not built =="; \
	   cat $(PEER12_FAIL) 2>/dev/null || echo "(no build attempted: make peer12)"; fi

# The same comparison in the claims' setting B (HfO2-like preset on both arrays, the SP offsets on the fast
# array, the paper's IO with bound management ITERATIVE on the forward pass), aihwkit 1.2.0 if built, else 1.1.0.
bench-peer-network-b: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer-network-b: installing the peer environment failed (see above)"
	@if test -f $(PEER12_STAMP); then $(ONE_THREAD) $(PEER12_VENV)/bin/python -m benchmarks.peer_network --setting B $(ARGS); \
	 elif test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_network --setting B $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_network --setting B $(ARGS); fi

bench-peer-network-searched: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer-network-searched: installing the peer environment failed (see above)"
	@if test -f $(PEER12_STAMP); then $(ONE_THREAD) $(PEER12_VENV)/bin/python -m benchmarks.peer_network --searched $(ARGS); \
	 elif test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_network --searched $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_network --searched $(ARGS); fi

# Time per training step against aihwkit (same environment logic as bench-peer).
bench-peer-speed: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer-speed: installing torch==2.10.0 aihwkit==1.1.0 into $(PEER_VENV) failed (see above)"
	@if test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_speed $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_speed $(ARGS); fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache  # .venv-peer and .venv-peer12 are kept: rm -rf them by hand
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
