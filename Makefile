# Two commands matter on a fresh machine: `make dev` (the whole system locally) and `make test`.
# Everything else here is a step those two use, or a convenience for deploying.

SHELL := /bin/bash
VENV ?= .venv
SAM_VENV ?= .venv-sam
# Lambda runs python3.13: prefer it for the virtualenv, fall back to whatever python3 is here
# (the code also runs on 3.11). pyenv installs hide 3.13 behind PYENV_VERSION.
PYTHON ?= $(shell \
	if python3.13 -V >/dev/null 2>&1; then echo python3.13; \
	elif PYENV_VERSION=3.13.0 python3.13 -V >/dev/null 2>&1; then echo "env PYENV_VERSION=3.13.0 python3.13"; \
	else echo python3; fi)
# `sam build` looks for the runtime's interpreter on PATH.
SAM_PATH := $(shell \
	if PYENV_VERSION=3.13.0 python3.13 -V >/dev/null 2>&1 && ! python3.13 -V >/dev/null 2>&1; then \
	  dirname "$$(PYENV_VERSION=3.13.0 pyenv which python3.13 2>/dev/null)"; fi)
BIN := $(VENV)/bin
export PYTHONPATH := functions:.

.PHONY: dev test lint typecheck unit functional e2e template bench build validate deploy clean

dev: $(VENV)/.installed
	$(BIN)/python -m infra $(ARGS)

test: $(VENV)/.installed $(SAM_VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	$(MAKE) --no-print-directory validate build
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

unit functional e2e template: $(VENV)/.installed
	$(BIN)/pytest tests/$@

bench: $(VENV)/.installed
	$(BIN)/pytest tests/benchmarks -m benchmark -s -p no:randomly

$(VENV)/.installed: pyproject.toml functions/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r functions/requirements.txt --group dev
	touch $@

# aws-sam-cli pins boto3 and click exactly, so it lives in a virtualenv of its own.
$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli
	touch $@

validate: $(SAM_VENV)/.installed
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --region us-east-1

# No container: dependencies come as wheels for the function's architecture. sam build ships no
# .pyc, so they are compiled into the artifact with the runtime's Python (cold start: see README).
build: $(SAM_VENV)/.installed
	PATH="$(if $(SAM_PATH),$(SAM_PATH):)$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build
	$(PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build/ApiFunction .aws-sam/build/WorkerFunction

deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
