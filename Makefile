# The commands a newcomer needs. `make dev` and `make test` set up everything a fresh
# Debian/Ubuntu machine lacks (scripts/bootstrap.sh, scripts/services.sh).
SHELL := /bin/bash
UV ?= uv
RUN := $(UV) run --frozen
# bootstrap may install uv and Node.js into ~/.local/bin
export PATH := $(HOME)/.local/bin:$(PATH)
FRONTEND_DEPS := frontend/node_modules/.installed

.PHONY: dev test lint format bench eval migrate services services-down services-status bootstrap clean \
	frontend frontend-deps api-client api-client-check
.PHONY: k8s k8s-check

bootstrap:
	@scripts/bootstrap.sh

services: bootstrap
	@scripts/services.sh up

services-down:
	@scripts/services.sh down

services-status:
	@scripts/services.sh status

$(FRONTEND_DEPS): frontend/package-lock.json
	@# npm ci installs exactly the lock, or fails when package.json and the lock disagree.
	@cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend-deps: bootstrap $(FRONTEND_DEPS)

## Production build of the frontend (next build; `npm run start` serves it).
frontend: frontend-deps
	@cd frontend && npm run build

## Regenerate the typed API client (frontend/openapi.json, frontend/src/api/schema.d.ts).
api-client: frontend-deps
	@cd frontend && npm run gen:api

## Fails when the committed client does not match the API (CI runs it in make test).
api-client-check: frontend-deps
	@cd frontend && npm run check:api

migrate: services
	@$(RUN) alembic upgrade head

## Run the platform locally: the app on http://127.0.0.1:3000, API on :3001 (docs at /docs),
## realtime on :3002, worker + beat.
dev: migrate frontend-deps
	@echo "Image Renamer: open http://127.0.0.1:3000  (API http://127.0.0.1:3001/docs, realtime http://127.0.0.1:3002)"
	@$(RUN) honcho start -f Procfile

## The whole suite against real PostgreSQL, Redis, SeaweedFS, clamd and Chromium.
test: services frontend-deps
	@$(RUN) lint-imports --no-cache
	@$(RUN) ruff check .
	@$(RUN) mypy core
	@cd frontend && npm run --silent check:api && npm run --silent typecheck
	@$(RUN) pytest $(PYTEST_ARGS)

lint: frontend-deps
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) lint-imports --no-cache
	@$(RUN) mypy core
	@cd frontend && npm run --silent lint && npm run --silent typecheck

format: bootstrap
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

## Benchmarks that print figures (not tests).
bench: services
	@$(RUN) python -m bench.run
	@$(RUN) python -m bench.realtime
	@$(RUN) python -m bench.vision

## Load test: starts its own API (2 processes) and worker, runs each locust mix headless for a bounded
## time and prints p50/p95/p99, requests a minute and errors; CSV and HTML in loadtests/reports/.
## LOADTEST_ARGS="--mix read --run-time 30" runs a part (python -m loadtests.run --help).
.PHONY: loadtest
loadtest: services
	@$(RUN) python -m loadtests.run $(LOADTEST_ARGS)

## Naming quality per vision provider on a fixed set of real photographs (a measurement, not a test;
## fails only on a name that breaks the filename rules). EVAL_ARGS=--verbose prints every name.
eval:
	@$(RUN) python -m bench.eval $(EVAL_ARGS)

clean: services-down
	rm -rf .data

## Render the plain Kubernetes manifests in k8s/ from the Helm chart (helm/image-renamer).
k8s: bootstrap
	@$(RUN) python scripts/render_k8s.py

## Fails when k8s/ is not what the chart renders (tests/ops checks it too).
k8s-check: bootstrap
	@$(RUN) python scripts/render_k8s.py --check
