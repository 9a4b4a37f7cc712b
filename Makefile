# Unstuck — the two commands a newcomer needs: `make demo` and `make test`.
# The first Python >= 3.11 that actually runs (pyenv shims may exist for versions not selected).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -q
export UNSTUCK_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test test-sqlite test-postgres check serve bench clean install openapi

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required (python3 --version)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## demo: set up, migrate the SQLite database, load the demo workspace and serve it
demo: $(STAMP)
	$(VENV)/bin/unstuck demo --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(VENV)/bin/unstuck serve --host $(HOST) --port $(PORT)

## test: the whole suite, on SQLite and (when reachable, always in CI) on PostgreSQL
test: $(STAMP)
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	@echo "== test suite on SQLite"
	UNSTUCK_DATA_DIR=$(CURDIR)/.test-data/sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@$(PY) tests/pg_check.py "$(PG_URL)"; rc=$$?; \
	if [ $$rc -eq 0 ]; then \
		echo "== test suite on PostgreSQL ($(PG_URL))"; \
		UNSTUCK_DATA_DIR=$(CURDIR)/.test-data/postgres DATABASE_URL="$(PG_URL)" $(PY) -m pytest $(PYTEST_ARGS) || exit 1; \
	elif [ $$rc -eq 1 ]; then \
		echo "== PostgreSQL tests SKIPPED: no server at $(PG_URL) (set PG_URL, or run in CI where it is required)"; \
	else exit 1; fi

## check: lint, types and migrations
check: $(STAMP)
	$(VENV)/bin/ruff check unstuck tests bench
	$(VENV)/bin/ruff format --check unstuck tests bench
	$(VENV)/bin/mypy unstuck
	UNSTUCK_DATA_DIR=$(CURDIR)/.test-data/check $(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .test-data

## openapi: rewrite the OpenAPI snapshot (docs/openapi.json) after an API change
openapi: $(STAMP)
	UNSTUCK_DATA_DIR=$(CURDIR)/.test-data/check $(PY) -c "import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'unstuck.settings'); django.setup(); from unstuck.api import api; open('docs/openapi.json', 'w').write(json.dumps(api.get_openapi_schema(path_prefix='/api/v1'), indent=1, sort_keys=True, default=str) + '\n')"
