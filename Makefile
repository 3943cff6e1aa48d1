# Information Harbor: build, run and check.
#
#   make run        install, prepare the database and demo data, serve on http://127.0.0.1:8000
#   make test       every check CI runs: lint, types, Django checks, schema, messages, tests on both databases
#
# Everything installs into .venv from requirements.lock; the install is repeated only when the lock changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HARBOR := $(BIN)/harbor
STAMP := $(VENV)/.installed-requirements

HARBOR_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
TEST_DATA_DIR := $(CURDIR)/var/test
# The checks and the tests never touch a database named in the caller's environment.
TEST_ENV := env -u HARBOR_DATABASE_URL HARBOR_DATA_DIR=$(TEST_DATA_DIR)
PYTEST_ARGS ?=
# Set to --allow-untranslated to accept untranslated entries (stale catalogues still fail).
I18N_CHECK_FLAGS ?=

CHROMIUM_PACKAGES := chromium fonts-noto-core fonts-noto-cjk gettext

.PHONY: help install system-deps gettext run test lint fmt schema messages translations bench clean

help:
	@echo "make run       install, migrate, load reference and demo data, serve on http://127.0.0.1:8000"
	@echo "make test      lint, types, checks, schema and messages checks, pytest on SQLite and PostgreSQL"
	@echo "make lint      ruff (lint and format check) and mypy"
	@echo "make fmt       fix lint findings and format the code"
	@echo "make schema    regenerate docs/openapi.json"
	@echo "make messages  extract UI messages into harbor/locale and compile them"
	@echo "make bench     API read benchmark (figures go in docs/PERFORMANCE.md)"
	@echo "make clean     remove var/test and caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	if $(BIN)/uv pip install --python $(BIN)/python -r requirements.lock \
	   && $(BIN)/uv pip install --python $(BIN)/python --no-deps -e . ; then \
	  :; \
	else \
	  echo "uv failed: installing with pip instead"; \
	  $(BIN)/python -m pip install --disable-pip-version-check -r requirements.lock; \
	  $(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .; \
	fi
	touch $(STAMP)

install: $(STAMP)

# Debian packages for the browser tests (Chromium, fonts for all eleven scripts) and for message extraction.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then packages="$(CHROMIUM_PACKAGES)"; \
	elif ! command -v xgettext >/dev/null; then packages=gettext; \
	else packages=; fi; \
	if [ -n "$$packages" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$packages; \
	  else \
	    echo "missing system packages; as root run: apt-get install -y $$packages" >&2; \
	  fi; \
	fi

gettext:
	@if ! command -v xgettext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y gettext; \
	  else \
	    echo "GNU gettext is missing; as root run: apt-get install -y gettext" >&2; exit 1; \
	  fi; \
	fi

translations: install
	$(HARBOR) compile-translations

run: install
	$(HARBOR) migrate
	$(HARBOR) load-reference
	$(HARBOR) demo
	$(HARBOR) compile-translations
	$(HARBOR) serve

lint: install
	$(BIN)/ruff check harbor tests benchmarks
	$(BIN)/ruff format --check harbor tests benchmarks
	$(BIN)/mypy harbor

fmt: install
	$(BIN)/ruff check --fix harbor tests benchmarks
	$(BIN)/ruff format harbor tests benchmarks

schema: install
	$(TEST_ENV) $(HARBOR) openapi

messages: install gettext
	$(TEST_ENV) $(HARBOR) check-translations --update
	$(HARBOR) compile-translations

test: install system-deps
	mkdir -p $(TEST_DATA_DIR)/static
	$(BIN)/ruff check harbor tests benchmarks
	$(BIN)/ruff format --check harbor tests benchmarks
	$(TEST_ENV) $(BIN)/mypy harbor
	$(TEST_ENV) $(HARBOR) check
	$(TEST_ENV) $(HARBOR) makemigrations --check --dry-run
	$(TEST_ENV) $(HARBOR) openapi --check
	$(TEST_ENV) $(HARBOR) check-translations $(I18N_CHECK_FLAGS)
	$(TEST_ENV) $(HARBOR) compile-translations
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)
	@url='$(HARBOR_TEST_DATABASE_URL)'; \
	shown=$$(sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$$url"); \
	databases=sqlite; \
	if $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' "$$url" 2>/dev/null; then \
	  echo "PostgreSQL pass against $$shown"; \
	  env HARBOR_DATA_DIR=$(TEST_DATA_DIR) HARBOR_DATABASE_URL="$$url" $(BIN)/pytest $(PYTEST_ARGS); \
	  databases="$$databases, postgresql"; \
	elif [ "$${CI:-}" = true ]; then \
	  echo "PostgreSQL not reachable at $$shown: CI must run the PostgreSQL pass" >&2; exit 1; \
	else \
	  echo "PostgreSQL not reachable at $$shown: skipped the PostgreSQL pass"; \
	fi; \
	echo "Databases tested: $$databases"

BENCH ?= benchmarks/api_reads.py
bench: install translations
	$(BIN)/python $(BENCH)

clean:
	rm -rf var/test .pytest_cache .mypy_cache .ruff_cache
