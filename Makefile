# SectorLights: `make run` serves the dashboard, `make test` checks everything. `make help` lists targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PY_STAMP := $(VENV)/.installed
JS_STAMP := frontend/node_modules/.installed
TSDB_STAMP := backend/tests/timescaledb/node_modules/.installed
DIST := frontend/dist/index.html
# The dashboard the wheel ships: a copy of frontend/dist (not in git).
PKG_STATIC := backend/sectorlights/static/index.html
LOCK := backend/requirements.lock
DEV_LOCK := backend/requirements-dev.lock
OPENAPI_JSON := frontend/src/api/openapi.json
OPENAPI_TYPES := frontend/src/api/schema.d.ts
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/scripts/copy-docs-assets.mjs frontend/tsconfig.json

.DEFAULT_GOAL := help
.PHONY: help install build lock run migrate lint format types check-types test test-py test-js coverage bench soak clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# Third-party packages come from the hashed lock; the project itself is then installed on top, editable.
$(PY_STAMP): backend/pyproject.toml $(DEV_LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e 'backend[dev]'
	@touch $@

$(JS_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The storage tests' TimescaleDB engine (PGlite with TimescaleDB, over the PostgreSQL protocol).
$(TSDB_STAMP): backend/tests/timescaledb/package.json backend/tests/timescaledb/package-lock.json
	cd backend/tests/timescaledb && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DIST): $(JS_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

$(PKG_STATIC): $(DIST)
	rm -rf backend/sectorlights/static
	cp -r frontend/dist backend/sectorlights/static

install: $(PY_STAMP) $(JS_STAMP) ## Install what is missing (Python venv, npm packages)

build: $(DIST) $(PKG_STATIC) ## Build the front end into frontend/dist and the package's static/

# Universal (any platform, Python >= 3.11) so the container image installs from the same lock. Existing
# pins are kept unless LOCK_ARGS=--upgrade; the runtime lock is constrained by the dev lock, so what
# ships is what the tests ran.
LOCK_ARGS ?=
UV_COMPILE := cd backend && ../$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_ARGS)

lock: $(PY_STAMP) ## Re-resolve backend/requirements*.lock (hashed) from pyproject.toml; LOCK_ARGS=--upgrade
	$(UV_COMPILE) --extra dev -o requirements-dev.lock
	$(UV_COMPILE) -c requirements-dev.lock -o requirements.lock

migrate: $(PY_STAMP) ## Apply database migrations (DATABASE_URL, else the SQLite file under data/)
	$(BIN)/sectorlights migrate

run: install build migrate ## Serve API + dashboard at http://$(HOST):$(PORT) (PORT=8123 to change)
	$(BIN)/sectorlights serve --host $(HOST) --port $(PORT)

lint: install check-types ## Ruff, ruff format --check, mypy --strict, tsc, API types up to date
	cd backend && ../$(BIN)/ruff check sectorlights tests scripts
	cd backend && ../$(BIN)/ruff format --check sectorlights tests scripts
	cd backend && ../$(BIN)/mypy
	cd frontend && npm run typecheck --silent

# The OpenAPI document is read off the app (no server starts); the TypeScript types come from it.
types: install ## Regenerate the front end's API types from the backend's OpenAPI document
	$(BIN)/python backend/scripts/openapi.py $(OPENAPI_JSON)
	cd frontend && npm run gen:types --silent

check-types: install ## Fail when the committed API types no longer match the backend
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/python backend/scripts/openapi.py "$$tmp/openapi.json" && \
	(cd frontend && OPENAPI_JSON="$$tmp/openapi.json" OPENAPI_TYPES="$$tmp/schema.d.ts" npm run gen:types --silent >/dev/null) && \
	diff -u $(OPENAPI_JSON) "$$tmp/openapi.json" && diff -u $(OPENAPI_TYPES) "$$tmp/schema.d.ts" \
	|| { echo "The front end's API types differ from the backend's OpenAPI document: run 'make types' and commit the result." >&2; exit 1; }

format: $(PY_STAMP) ## Format the Python code
	cd backend && ../$(BIN)/ruff format sectorlights tests scripts && ../$(BIN)/ruff check --fix sectorlights tests scripts

PYTEST_RUN := cd backend && ../$(BIN)/pytest -n 3 --dist loadfile --no-loadscope-reorder --durations=15 -p no:cacheprovider

test-py: install build $(TSDB_STAMP) ## Python tests: unit, contract, integration, browser
	$(PYTEST_RUN)

# Tracing every line costs about a third more CPU on two cores: measured on its own, not in `make test`.
coverage: install build $(TSDB_STAMP) ## The Python tests with line coverage (term report, .coverage.json)
	$(PYTEST_RUN) --cov --cov-report=term --cov-report=json:../.coverage.json

test-js: $(JS_STAMP) ## Front-end component tests (vitest)
	cd frontend && npm test --silent

test: lint test-js test-py ## Everything: lint, types, unit, contract, integration, browser tests

BENCH_ARGS ?=
bench: install ## Benchmarks as JSON under bench/results/; BENCH_ARGS="--only websocket" for one part
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get install -y -qq wrk >/dev/null 2>&1; } \
		|| echo "wrk not installed: HTTP latency is measured with the asyncio client only"
	cd backend && ../$(BIN)/python -m tests.bench.run --out ../bench/results/latest.json $(BENCH_ARGS)

DAYS ?= 5
SPEED ?= 400
soak: install ## The accelerated trading week under load and faults: bench/results/soak.json and .png; DAYS=5 SPEED=400
	cd backend && ../$(BIN)/python -m tests.soak.run --days $(DAYS) --speed $(SPEED) --out ../bench/results/soak.json

clean: ## Remove the venv, node_modules, the built front end and local data
	rm -rf $(VENV) frontend/node_modules backend/tests/timescaledb/node_modules frontend/dist backend/sectorlights/static data .coverage.json
