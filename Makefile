# STARS — run `make help` for the targets. Everything installs from the project's own files.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432
STATIC := src/stars/core/static/govuk
SWAGGER := src/stars/core/static/swagger-ui

.PHONY: help setup demo serve test test-sqlite test-postgres lint fmt typecheck bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

setup: $(BIN)/.installed $(STATIC)/govuk-frontend.min.css $(SWAGGER)/swagger-ui-bundle.js ## install everything (venv, npm assets, chromium)
	@bash scripts/setup-system.sh
	@# the project's modules compiled to bytecode once, as an installed package's are: where
	@# Python writes none itself (PYTHONDONTWRITEBYTECODE) every `stars` command would compile
	@# them again (about 0.04 s of CPU a start; benchmarks/README.md, issue 14)
	@$(BIN)/python -m compileall -q src > /dev/null

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC)/govuk-frontend.min.css: node_modules/.installed
	mkdir -p $(STATIC)
	cp -r node_modules/govuk-frontend/dist/govuk/. $(STATIC)/

# Swagger UI for /api/docs, served by us (the CSP allows no CDN)
$(SWAGGER)/swagger-ui-bundle.js: node_modules/.installed
	mkdir -p $(SWAGGER)
	cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE,NOTICE} $(SWAGGER)/

demo: setup ## reset the SQLite demo programme and serve it on http://127.0.0.1:8000
	$(BIN)/stars demo
	$(BIN)/stars serve --port 8000

serve: setup ## serve the app without resetting the data
	$(BIN)/stars serve --port 8000

lint: setup ## ruff lint and format check, mypy on the domain, import contracts, migrations up to date
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)
	$(BIN)/mypy
	$(BIN)/lint-imports
	STARS_HOME=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run --settings=stars.core.settings

fmt: setup ## format and fix what ruff can
	$(BIN)/ruff format src tests $(wildcard benchmarks)
	$(BIN)/ruff check --fix src tests $(wildcard benchmarks)

test-sqlite: setup ## the whole suite on SQLite
	STARS_HOME=$$(mktemp -d) $(BIN)/pytest

test-postgres: setup ## the whole suite on PostgreSQL (a fresh database, dropped after)
	@db=stars_ci_$$$$_$$RANDOM; \
	psql "$(PG_URL)/postgres" -qc "CREATE DATABASE $$db" && \
	STARS_HOME=$$(mktemp -d) DATABASE_URL="$(PG_URL)/$$db" $(BIN)/pytest; rc=$$?; \
	psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; \
	psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS test_$$db WITH (FORCE)"; exit $$rc

test: lint ## set up, lint and pass every test on SQLite and PostgreSQL
	@# the two databases' runs at once (each is one process; a machine has two cores or more),
	@# each run's output shown whole when it ends; both run to the end even if one fails
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

bench: setup ## run the benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/engine/run.py

clean: ## remove the venv, node_modules and local data
	rm -rf $(VENV) node_modules var $(STATIC) $(SWAGGER)
