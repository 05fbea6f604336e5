# Two commands matter: `make verify` (the verification report) and `make test`.
# Every target builds the virtual environment on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= results
ARGS   ?=

.PHONY: all venv verify verify-quick test test-all figs bench clean

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

test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(PY) -m pytest -q

figs: $(STAMP)
	$(PY) -m paper_figs

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
