# The commands a newcomer needs. `make dev` and `make test` set up everything a fresh
# Debian/Ubuntu machine lacks (scripts/bootstrap.sh, scripts/services.sh).
SHELL := /bin/bash
UV ?= uv
RUN := $(UV) run --frozen

.PHONY: dev test lint format bench migrate services services-down services-status bootstrap clean

bootstrap:
	@scripts/bootstrap.sh

services: bootstrap
	@scripts/services.sh up

services-down:
	@scripts/services.sh down

services-status:
	@scripts/services.sh status

migrate: services
	@$(RUN) alembic upgrade head

## Run the platform locally: API on http://127.0.0.1:3001 (docs at /docs), worker + beat.
dev: migrate
	@echo "Image Renamer API: http://127.0.0.1:3001  (OpenAPI docs: http://127.0.0.1:3001/docs)  realtime: http://127.0.0.1:3002"
	@$(RUN) honcho start -f Procfile

## The whole suite against real PostgreSQL, Redis, SeaweedFS and clamd.
test: services
	@$(RUN) lint-imports --no-cache
	@$(RUN) ruff check .
	@$(RUN) mypy core
	@$(RUN) pytest $(PYTEST_ARGS)

lint: bootstrap
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) lint-imports --no-cache
	@$(RUN) mypy core

format: bootstrap
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

## Benchmarks that print figures (not tests).
bench: services
	@$(RUN) python -m bench.run

clean: services-down
	rm -rf .data
