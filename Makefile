# Spine Triage. `make run` serves on http://127.0.0.1:5000; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve prepare test lint typecheck security pytest browser lhcforms rules-check rules-table bench bench-web bench-reading purge translations translations-update clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

CATALOGUES := $(wildcard triage/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

# After changing page texts: re-extract them and merge into every catalogue (then translate).
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o triage/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i triage/translations/messages.pot -d triage/translations --no-fuzzy-matching
	$(BIN)/python -m triage translations fill-english

# The page texts compiled and the database at its latest migration: what a server refuses to start without.
prepare: $(STAMP)
	$(BIN)/python -m triage prepare

# Development: plain http on this computer, so the session cookie is not Secure here (behind HTTPS it is).
run: prepare
	SESSION_COOKIE_SECURE=false $(BIN)/python run.py

# Production: gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1:8000 unless BIND says otherwise, always
# behind nginx (deploy/nginx.conf: HTTPS, and each request read whole before gunicorn sees it, so
# slow clients never hold its threads). One process of 8 threads while the rate limits are counted in
# memory (the default); WEB_CONCURRENCY processes × GUNICORN_THREADS with a shared
# RATELIMIT_STORAGE_URI (README "Running it for real").
serve: prepare
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py run:app

test: lint typecheck security rules-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Static security analysis of the app's code (a `# nosec` always says why).
security: $(STAMP)
	$(BIN)/bandit -q -r triage

browser: $(STAMP) translations lhcforms
	$(BIN)/python -m pytest tests/browser -q

# LHC-Forms (npm `lforms`, pinned with its dependencies by tests/lhcforms/package-lock.json), the FHIR
# form renderer tests/browser/test_lhcforms.py runs as a real client, installed by npm ci (no install
# scripts). Without npm that test is skipped, except under CI=true (.ci/run installs Debian's npm).
LFORMS := tests/lhcforms/node_modules/.package-lock.json

lhcforms: $(LFORMS)

$(LFORMS): tests/lhcforms/package.json tests/lhcforms/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/lhcforms && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	elif [ "$$CI" = true ]; then \
	  echo "LHC-Forms needs npm (apt-get install nodejs npm)" >&2; exit 1; \
	else \
	  echo "npm is not installed: the LHC-Forms test will be skipped (apt-get install nodejs npm)"; \
	fi

rules-check: $(STAMP)
	$(BIN)/python -m triage rules check

# Two test processes (pytest-xdist), a module's tests in one of them; each process has a PostgreSQL
# and a Redis database of its own (tests/support/services.py; .ci/run creates them).
PYTEST_WORKERS ?= 2
pytest: $(STAMP) translations lhcforms
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope

rules-table: $(STAMP)
	$(BIN)/python -m triage rules table

bench: $(STAMP)
	$(BIN)/python -m benchmarks.assess

# The patient journey and the JSON API under gunicorn, beside a bare Flask baseline (127.0.0.1 only).
bench-web: $(STAMP) translations
	$(BIN)/python -m benchmarks.web

# What a reader on a phone meets (Debian's Chromium, 390 px wide): the warning signs laid out several
# ways, the Tab stops before "See your result", the length of "How this tool decides".
bench-reading: $(STAMP) translations
	$(BIN)/python -m benchmarks.reading

purge: $(STAMP)
	$(BIN)/python -m triage purge

clean:
	rm -rf $(VENV) tests/lhcforms/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
