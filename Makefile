# Anchang 案场 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
# Paths only: query strings (a search by phone number) never reach the access log.
ACCESS_LOG_FORMAT := '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
export FLASK_APP := wsgi
# The installer itself, pinned: the venv's bundled pip and setuptools carry known advisories.
BOOTSTRAP := pip==26.3 setuptools==84.2.1

.PHONY: run test lint bench e2e smoke-prod audit migrate upgrade check clean

run: $(VENV)/.runtime
	@scripts/system-deps.sh run
	@echo "==> Migrating the database (flask db upgrade)"
	@$(BIN)/flask db upgrade
	@$(BIN)/flask demo-data --if-empty
	@echo "==> Serving Anchang on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	@$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --timeout 60 \
		--access-logfile - --access-logformat $(ACCESS_LOG_FORMAT) wsgi:app

test: $(VENV)/.dev
	@scripts/system-deps.sh test
	@echo "==> Running the test suite (SQLite, and PostgreSQL when it answers)"
	@$(BIN)/pytest

# Style and likely bugs (ruff: pyflakes, pycodestyle, import order, bugbear; pyproject.toml).
lint: $(VENV)/.dev
	@$(BIN)/ruff check .

e2e: $(VENV)/.dev
	@scripts/system-deps.sh test
	@$(BIN)/pytest tests/e2e

# The browser suite against gunicorn + PostgreSQL, as production runs it.
smoke-prod: $(VENV)/.dev
	@scripts/system-deps.sh test
	@E2E_GUNICORN=1 $(BIN)/pytest tests/e2e

# Known vulnerabilities in every installed package: pip-audit on pip's index (CI runs it).
audit: $(VENV)/.dev
	@$(BIN)/python scripts/audit_deps.py

# Every benchmark in bench/ (not the harness or the hello-world app); ARGS=--quick for short runs.
bench: $(VENV)/.dev
	@scripts/system-deps.sh bench
	@for script in bench/*.py; do \
		case $$script in */__init__.py|*/harness.py|*/hello.py) continue;; esac; \
		echo "==> $$script"; $(BIN)/python $$script $(ARGS) || exit 1; done

# Schema changes: edit app/models, then `make migrate m="what changed"`, review, commit.
migrate: $(VENV)/.runtime
	@$(BIN)/flask db migrate -m "$(m)"

check: $(VENV)/.runtime
	@$(BIN)/flask db check

$(VENV)/.runtime: requirements.txt
	@echo "==> Installing Python packages into $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check $(BOOTSTRAP)
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	@echo "==> Installing test packages into $(VENV)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache tests/e2e/screenshots
