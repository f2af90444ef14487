# contractdesk: `make run` starts everything on embedded defaults; `make test` runs the tests.
.DEFAULT_GOAL := help
PYTEST := .venv/bin/pytest
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/contractdesk

.PHONY: help setup run test test-sqlite test-postgres lint check bench

help:  ## Show this help.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup:  ## Create or refresh .venv (idempotent).
	@bash scripts/setup.sh

run: setup  ## Start contractdesk, a worker and the local Salesforce emulator with sample data.
	.venv/bin/contractdesk run

test: setup lint test-sqlite test-postgres  ## Lint, then run the tests on SQLite and on PostgreSQL.

test-sqlite: setup  ## Run the tests on SQLite.
	$(PYTEST) -q

# The emulator, package and conformance tests use no Django database, so they run once, on SQLite.
test-postgres: setup  ## Run the database-backed tests on PostgreSQL (DATABASE_URL=$(POSTGRES_URL)).
	DATABASE_URL=$(POSTGRES_URL) $(PYTEST) -q --ignore=tests/salesforce_emulator --ignore=tests/salesforce_package --ignore=tests/conformance

lint: setup  ## Check code style and that migrations match the models.
	.venv/bin/ruff check src tests
	CONTRACTDESK_DATA_DIR=$$(mktemp -d) .venv/bin/python manage.py makemigrations --check --dry-run

bench: setup  ## Time SOQL first pages on an emulator org of 100,000 contract requests (bench/README.md).
	.venv/bin/python bench/emulator_query.py
