# prefloop — the two commands a new user needs are `make demo` and `make test`.
# Every target is idempotent and says what it does.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help demo test dev lint unit unit-py312 unit-py313 integration services stop-services system-deps clean

help:
	@echo "make demo   - install, then run the whole loop on embedded defaults (SQLite, spool, Slack emulator)"
	@echo "              make demo KAFKA=1: the same on real Kafka + PostgreSQL started by deploy/local"
	@echo "make test   - install, start real Kafka + PostgreSQL, lint, run the whole test suite, then the unit"
	@echo "              tests again on Python 3.12 (python-build-standalone via the Go module proxy; make"
	@echo "              unit-py312 alone) and 3.13 (Debian trixie's, in a chroot; make unit-py313 alone)"
	@echo "make dev    - only create .venv and install prefloop[all,dev] with constraints.txt"
	@echo "make services / stop-services - start/stop local Kafka and PostgreSQL (deploy/local)"

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found: install Python 3.11 (apt-get install python3.11 python3.11-venv) or run make PYTHON=/path/to/python3.11"; exit 1; }
	@echo "==> creating $(VENV) and installing prefloop[all,dev] (pinned by constraints.txt)"
	@# a virtualenv left half-made by an interrupted run (python, no pip) is made again
	@$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -c constraints.txt -e '.[all,dev]'
	@touch $(STAMP)

dev: $(STAMP)

system-deps:
	@bash deploy/local/system-deps

services: system-deps
	@echo "==> starting local Kafka and PostgreSQL (deploy/local)"
	@deploy/local/kafka start
	@deploy/local/postgres start

stop-services:
	@deploy/local/kafka stop
	@deploy/local/postgres stop

lint: $(STAMP)
	@echo "==> ruff (lint + format check) and mypy"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@# mypy does not run setuptools' editable-install finder: it reads the packages through a link tree that
	@# gives the top-level folders their import names (prefloop.capture -> capture/, ...)
	@mkdir -p .cache/typecheck/prefloop && for p in capture curator schemas slackbot; do ln -sfn ../../../$$p .cache/typecheck/prefloop/$$p; done
	@MYPYPATH=.cache/typecheck $(VENV)/bin/mypy --explicit-package-bases .cache/typecheck/prefloop

unit: $(STAMP)
	@$(PY) -m pytest -m "not integration" -q

test: $(STAMP) services lint
	@echo "==> pytest: unit and integration tests (real Kafka at 127.0.0.1:$${PREFLOOP_KAFKA_PORT:-19092}, real PostgreSQL)"
	@PREFLOOP_TEST_KAFKA=127.0.0.1:$${PREFLOOP_KAFKA_PORT:-19092} \
	 PREFLOOP_TEST_POSTGRES_URL=$$(deploy/local/postgres url) \
	 $(PY) -m pytest -p no:cacheprovider -v --durations=15
	@$(MAKE) --no-print-directory unit-py312
	@$(MAKE) --no-print-directory unit-py313

unit-py312: $(STAMP)
	@echo "==> the unit tests on Python 3.12 (python-build-standalone's CPython from the Go module proxy: tests/python312/run)"
	@tests/python312/run

unit-py313:
	@echo "==> the unit tests on Python 3.13 (Debian trixie's interpreter in a chroot: tests/python313/run)"
	@tests/python313/run

demo: $(STAMP)
ifdef KAFKA
	@$(MAKE) --no-print-directory services
	@echo "==> running the demo on the real broker and PostgreSQL (deploy/local), with the Slack emulator"
	@PREFLOOP_KAFKA_BOOTSTRAP=127.0.0.1:$${PREFLOOP_KAFKA_PORT:-19092} \
	 PREFLOOP_DATABASE_URL=$$(deploy/local/postgres url) \
	 $(VENV)/bin/prefloop demo --kafka
else
	@echo "==> running the demo on embedded defaults (SQLite under var/demo, the capture spool, the Slack emulator)"
	@$(VENV)/bin/prefloop demo
endif

clean:
	rm -rf var/demo releases build *.egg-info
