.DEFAULT_GOAL := help
SHELL := /bin/bash

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Set up and run the system on the embedded default (SQLite, demo data)
	bin/run

test: ## Set up and run the whole test suite (DATABASE_URL selects the database)
	bin/test

setup: ## Install what the project needs (Debian packages when root, Python deps)
	bin/setup --browser

faults: ## The fault suite: its own PostgreSQL and Redis, stopped, crashed and restored
	bin/setup && .venv/bin/pytest -m faults tests/faults -p no:cacheprovider $(ARGS)

lint: ## ruff check and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

messages: ## Re-extract the zh_Hans catalog after changing strings
	DEBUG=1 .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench --ignore=tests

bench: ## Benchmarks on the configured database (set DATABASE_URL to PostgreSQL)
	bin/setup && .venv/bin/python -m bench $(ARGS)

bench-load: ## gunicorn (4 workers) + wrk on 127.0.0.1: floor, inbox, queue, small register
	bin/setup && .venv/bin/python -m bench._serve $(ARGS)

.PHONY: help run test setup faults lint messages bench bench-load
