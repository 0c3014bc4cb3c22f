# finduo: `make demo` and `make test` do all the set-up on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Data sets are read (never written) from FINDUO_DATA_DIR.
ifneq ($(wildcard ../shared/data),)
FINDUO_DATA_DIR ?= $(abspath ../shared/data)
endif
export FINDUO_DATA_DIR


.PHONY: $(VENV) assets demo test lint typecheck unit bench browser clean

STAMP := $(VENV)/.installed

# `make .venv` creates the virtual environment and installs the pinned stack.
$(VENV): $(STAMP) assets

# Console front-end files (htmx, axe-core) come from npm, never from git.
assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(VENV)
	$(BIN)/finduo demo

lint: $(VENV)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

typecheck: $(VENV)
	$(BIN)/mypy

browser:
	bash scripts/ensure-browser.sh

unit: $(VENV)
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test: $(VENV) assets browser lint typecheck unit

bench: $(VENV)
	bash scripts/ensure-bench-tools.sh
	$(BIN)/python -m finduo.bench

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
