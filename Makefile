# LureWatch — the two quick-start commands:
#   make demo   install into .venv and run the DAGs on the bundled demo sources
#   make test   install into .venv, start a real Elasticsearch node, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export XDG_STATE_HOME ?= $(CURDIR)/var/state
DEMO_DATA ?= $(CURDIR)/var/demo

.PHONY: demo test install lint lock clean help

help:
	@echo "make demo   run the crawl and processing DAGs on the bundled demo sources (embedded store)"
	@echo "make test   run the whole test suite (starts and stops a real Elasticsearch node)"
	@echo "make lint   ruff, the import contracts (.importlinter) and module sizes"

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "LureWatch needs Python 3.11 (set PYTHON=python3.11)")'
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(PYTHON) -m uv sync --frozen --extra dev --python $$($(PYTHON) -c 'import sys; print(sys.executable)')
	@touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	LUREWATCH_DATA_DIR=$(DEMO_DATA) $(VENV)/bin/lurewatch demo

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	PYTHONPATH=$(CURDIR)/scripts $(VENV)/bin/lint-imports
	$(VENV)/bin/python scripts/check_module_size.py

lock:
	$(PYTHON) -m uv lock
	$(PYTHON) -m uv export --frozen --extra dev --no-hashes --no-emit-project -o requirements.lock

clean:
	rm -rf $(VENV) var .airflow .pytest_cache
