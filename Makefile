# `make check` runs fmlint on the handbook; `make test` runs the test suite. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: check test bench schemas readme clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

check: $(STAMP)
	$(BIN)/fmlint check content/

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_snippets.py

schemas: $(STAMP)
	$(BIN)/fmlint schema --write schemas/

clean:
	rm -rf $(VENV) .fmlint_cache .pytest_cache

readme: $(STAMP)
	$(BIN)/python scripts/update_readme.py
