# The developer loop. Every target uses the project's venv (make setup creates it).
#   make setup       venv, xieshang with its test extras, system prerequisites, GraphiQL's files
#   make lint        ruff check, ruff format --check, mypy (strict), import-linter's layer contracts
#   make format      ruff's fixes (imports) and formatting, in place
#   make test-fast   the tests not marked slow, on SQLite, on every core
#   make test        every test on SQLite, then on PostgreSQL (as .ci/run does)
#   make bench       the three measurements in bench/ (the first needs PostgreSQL)
#   make ci          .ci/run itself: the README's test command on both engines, and lint

VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= auto
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST := XIESHANG_TEST_REDIS_URL=$(REDIS_URL) $(BIN)/pytest -n $(PYTEST_WORKERS)

.PHONY: setup lint format test-fast test test-sqlite test-postgresql bench ci

setup:
	python3 -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	sh scripts/prerequisites.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The fast loop needs no server: SQLite only, and no Redis.
test-fast:
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow"

test: test-sqlite test-postgresql

test-sqlite:
	$(PYTEST)

test-postgresql:
	XIESHANG_TEST_DATABASE_URL=$(PG_URL) $(PYTEST)

bench:
	$(BIN)/python bench/members_page.py
	$(BIN)/python bench/county_figures.py
	$(BIN)/python bench/assess_national.py --server $(PG_URL)

ci:
	.ci/run
