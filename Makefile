# Two commands matter on a fresh machine: `make dev` (the whole system locally) and `make test`.
# Everything else here is a step those two use, or a convenience for deploying.

SHELL := /bin/bash
VENV ?= .venv
SAM_VENV ?= .venv-sam
CHECKOV_VENV ?= .venv-checkov
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
export PYTHONPATH := functions:infra:.

.PHONY: dev test lint typecheck scan unit functional e2e template browser screenshots bench build \
	validate deploy lock clean mutate sam-api sam-invoke test-sam-local sam-local-tests example

dev: $(VENV)/.installed
	$(BIN)/offload-local $(ARGS)

test: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MAKE) --no-print-directory scan validate build
	@command -v chromium >/dev/null || [ -n "$$CHROMIUM_PATH" ] || echo "NOTE: no Chromium found:" \
		"the browser tests (tests/browser) are SKIPPED. apt-get install chromium to run them."
	$(BIN)/pytest
# Then the e2e suite again, with the functions run from the build made above, as Lambda gets them.
	OFFLOAD_FROM_BUILD=1 $(BIN)/pytest tests/e2e
	$(MAKE) --no-print-directory example
	@if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory sam-local-tests; \
	else echo "make test: SKIPPED test-sam-local (sam local in Docker): no Docker engine answers"; fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Scanners: cfn-lint with the serverless rules and the library's own (offload.rules: a wiring
# that would lose or repeat tasks) on template.yaml; checkov on template.yaml and on its
# translation into the CloudFormation SAM deploys. Every skip, with its reason, is in
# .cfnlintrc.yaml or .checkov.yaml; tests/template/test_scanners.py keeps them honest. The
# offload rules are appended here, not in .cfnlintrc.yaml: `sam validate --lint` reads that
# file too, and the SAM CLI's virtualenv does not have the library.
TRANSLATED := .aws-sam/scan/translated.json

scan: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/cfn-lint template.yaml --append-rules offload.rules
	$(BIN)/python -m offload_local.template.translate $(TRANSLATED)
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --file template.yaml --file $(TRANSLATED)

unit functional e2e: $(VENV)/.installed
	$(BIN)/pytest tests/$@

template: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/pytest tests/$@

browser: $(VENV)/.installed
	$(BIN)/pytest tests/$@

# The README's pictures of the console and /docs, taken by the browser tests.
screenshots: $(VENV)/.installed
	OFFLOAD_SCREENSHOTS=1 $(BIN)/pytest tests/browser

bench: $(VENV)/.installed
	$(BIN)/pytest tests/benchmarks -m benchmark -s -p no:randomly

# examples/background-tasks as a user has it: the wheel built, installed with its extras into a
# fresh virtualenv outside the repository (every version the lock's), the example copied out
# there and run with it: its tests, cfn-lint with the library's rules, and the local cloud end to
# end (a request, the tasks' effect, a failing task retried, dead-lettered and redriven). About
# 70 s on 2 cores, most of it installing.
example: $(VENV)/.installed
	$(BIN)/python -m tests.example.run

# Mutation testing of functions/offload against the fast tests (mutmut, in a staged copy under
# .mutation/); prints the score and fails on a survivor tests/mutation/survivors.txt does not
# explain. Not part of `make test`: about 16 minutes on 2 cores.
mutate: $(VENV)/.installed
	$(BIN)/python -m tests.mutation.run

# The SAM CLI's local commands, in Docker, against the running local cloud (`make dev` in another
# terminal): `make sam-api` serves the API on http://127.0.0.1:3001;
# `make sam-invoke FUNCTION=WorkerFunction EVENT=events/worker_send_email.json`.
sam-api: $(VENV)/.installed build
	$(BIN)/offload-local sam start-api $(ARGS)

sam-invoke: $(VENV)/.installed build
	$(BIN)/offload-local sam invoke $(FUNCTION) -e $(EVENT) $(ARGS)

# The e2e suite through `sam local start-api`, and `sam local invoke` of every sample event. Where
# no container registry is reachable, LAMBDA_IMAGE_TOOL builds a stand-in for the Lambda base
# image (starting a Docker engine if none answers); elsewhere the SAM CLI pulls the real one.
LAMBDA_IMAGE := public.ecr.aws/lambda/python:3.13-x86_64
LAMBDA_IMAGE_TOOL ?= ../shared/tools/lambda-image.sh

test-sam-local: $(VENV)/.installed build
	$(MAKE) --no-print-directory sam-local-tests

# What test-sam-local runs once the build is done (`make test` has built already).
sam-local-tests: $(VENV)/.installed
	@if ! docker image inspect $(LAMBDA_IMAGE) >/dev/null 2>&1 && [ -x "$(LAMBDA_IMAGE_TOOL)" ]; then \
	  $(LAMBDA_IMAGE_TOOL); fi
	OFFLOAD_SAM_LOCAL=1 $(BIN)/pytest tests/e2e tests/sam_local

# Each virtualenv installs its lock and nothing else: every file is checked against its hash,
# and pip refuses a dependency the lock does not list (--require-hashes). First the locked pip
# itself: the one Python 3.11 bundles (23.2) mishandles extras in hash-checking mode. A changed
# lock reinstalls.
define install_lock
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --require-hashes -r requirements/pip.txt
	$(1)/bin/python -m pip install --quiet --require-hashes -r $(2)
	$(3)
	touch $@
endef

# The project itself, editable, with no dependency of its own: offload and offload_local import
# from the working tree, and `offload-local` is on the virtualenv's PATH.
$(VENV)/.installed: requirements/pip.txt requirements/dev.txt pyproject.toml
	rm -f $@
	$(call install_lock,$(VENV),requirements/dev.txt,\
		$(VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation --editable .)

# aws-sam-cli pins boto3 and click exactly, so it lives in a virtualenv of its own.
$(SAM_VENV)/.installed: requirements/pip.txt requirements/sam.txt
	$(call install_lock,$(SAM_VENV),requirements/sam.txt)

# checkov pins boto3 and packaging exactly: a virtualenv of its own too.
$(CHECKOV_VENV)/.installed: requirements/pip.txt requirements/checkov.txt
	$(call install_lock,$(CHECKOV_VENV),requirements/checkov.txt)

# Every lock from its source: functions/requirements.in and pyproject.toml's dependency groups.
# One resolution for every platform and for Python 3.11 and up (Lambda's 3.13 included), with
# the hashes of every file of each pinned version. Pins already in a lock are kept while its
# source allows them; `make lock UPGRADE=1` takes the newest. The runtime lock is constrained by
# the dev lock, so Lambda ships the very versions the tests ran with.
UV_COMPILE = $(BIN)/uv pip compile --quiet --no-config --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: | $(VENV)/.installed
	$(UV_COMPILE) functions/requirements.in --group pyproject.toml:dev -o requirements/dev.txt
	$(UV_COMPILE) functions/requirements.in -c requirements/dev.txt -o functions/requirements.txt
	$(UV_COMPILE) --group pyproject.toml:pip -o requirements/pip.txt
	$(UV_COMPILE) --group pyproject.toml:sam -o requirements/sam.txt
	$(UV_COMPILE) --group pyproject.toml:checkov -o requirements/checkov.txt

validate: $(SAM_VENV)/.installed
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --region us-east-1

# No container: functions/Makefile builds each function (its code without the test kit, the
# locked wheels for Lambda's platform, .pyc compiled by the runtime's Python).
build: $(SAM_VENV)/.installed
	PATH="$(if $(SAM_PATH),$(SAM_PATH):)$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build

deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .mutation .pytest_cache .mypy_cache .ruff_cache
