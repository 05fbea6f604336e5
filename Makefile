# Two commands matter: `make verify` (the verification report) and `make test`.
# Every target builds the virtual environment on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= results
ARGS   ?=

.PHONY: all venv verify verify-quick results test test-all test-numpy figs bench bench-network bench-peer bench-peer-network bench-peer-speed clean

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

# TT-v2 / c-TTv2 / AGAD on the digits MLP in aihwkit and in sptheory (same environment logic as bench-peer).
bench-peer-network: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer-network: installing torch==2.10.0 aihwkit==1.1.0 into $(PEER_VENV) failed (see above)"
	@if test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_network $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_network $(ARGS); fi

# Time per training step against aihwkit (same environment logic as bench-peer).
bench-peer-speed: $(STAMP)
	@$(MAKE) --no-print-directory $(PEER_STAMP) || echo "bench-peer-speed: installing torch==2.10.0 aihwkit==1.1.0 into $(PEER_VENV) failed (see above)"
	@if test -f $(PEER_STAMP); then $(ONE_THREAD) $(PEER_VENV)/bin/python -m benchmarks.peer_speed $(ARGS); \
	 else $(ONE_THREAD) $(PY) -m benchmarks.peer_speed $(ARGS); fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache  # .venv-peer is kept: rm -rf .venv-peer by hand
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
