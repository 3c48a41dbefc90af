# Spine Triage. `make run` serves on http://127.0.0.1:5000; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest rules-check rules-table bench purge clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app triage db upgrade
	$(BIN)/python run.py

test: lint typecheck rules-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

rules-check: $(STAMP)
	$(BIN)/python -m triage rules check

pytest: $(STAMP)
	$(BIN)/python -m pytest

rules-table: $(STAMP)
	$(BIN)/python -m triage rules table

bench: $(STAMP)
	$(BIN)/python -m benchmarks.assess

purge: $(STAMP)
	$(BIN)/python -m triage purge

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
