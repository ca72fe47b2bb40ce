# Developer entry points. Both work on a fresh clone of a fresh Debian 12 machine, as root:
#   make demo   the portal with demo data on http://127.0.0.1:8000/ (Ctrl-C stops everything)
#   make test   the whole test suite (needs PostgreSQL and Redis, see README.md)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
# uv from PATH if there is one, else our own copy in .tools/ (installed by the venv step).
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/uv/bin/uv)

# Debian packages: what the running portal needs (PDFs with Chinese, translations) ...
RUNTIME_DEBS := fonts-noto-cjk fontconfig libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext
# ... and what the test suite needs on top (browser tests, compose file validation, PDF pages
# rendered to images to look for missing glyphs).
TEST_DEBS := chromium docker-compose poppler-utils

PYTEST_ARGS ?=

.PHONY: help sysdeps sysdeps-test venv messages test demo lint devdb-stop

help:
	@echo "make demo    run the portal with demo data (web, Celery worker, beat); PORT=8000"
	@echo "make test    run the test suite against PostgreSQL and Redis (PYTEST_ARGS=... to narrow)"
	@echo "make lint    ruff check and format, the import contract, missing migrations"
	@echo "make devdb-stop   stop the embedded PostgreSQL that make demo starts without DATABASE_URL"

sysdeps:
	@scripts/sysdeps.sh $(RUNTIME_DEBS)

sysdeps-test:
	@scripts/sysdeps.sh $(RUNTIME_DEBS) $(TEST_DEBS)

# The virtualenv, rebuilt only when pyproject.toml or uv.lock change (the stamp file).
venv: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@if [ ! -x "$(UV)" ]; then \
		echo "venv: no uv on PATH: installing uv==$(UV_VERSION) into .tools/uv"; \
		python3 -m venv .tools/uv; \
		.tools/uv/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); \
	fi
	"$(UV)" sync --frozen
	@touch $@

# Compiled translations. A no-op until locale/ exists; ignores dot-directories
# (.venv holds Django's own catalogues) and var/ (runtime data).
messages: venv
	@if [ -d locale ]; then \
		DJANGO_SETTINGS_MODULE=portal.settings_test $(PY) manage.py compilemessages \
			--ignore '.*' --ignore var --ignore node_modules --ignore test-artifacts; \
	else \
		echo "messages: no locale/ directory yet, nothing to compile"; \
	fi

# --create-db: a fresh clone never reuses a stale test database (pyproject says --reuse-db
# for quick local runs). The JUnit report and browser screenshots go to test-artifacts/.
test: sysdeps-test venv messages lint
	@$(PY) scripts/preflight.py test
	@# var/static: whitenoise warns on every request when STATIC_ROOT is missing (fresh clone).
	@mkdir -p test-artifacts var/static
	$(PY) -m pytest --ds=portal.settings_test --create-db \
		--junitxml=test-artifacts/junit.xml $(PYTEST_ARGS)

# Migrate, collect static files, seed the demo tenants, then run web + worker + beat.
# Uses DATABASE_URL if set, else an embedded PostgreSQL in var/pgdata (stopped on exit).
demo: sysdeps venv messages
	@scripts/demo.sh

devdb-stop: venv
	$(PY) -m portal.devdb stop

# Style, formatting, the import contract (pyproject.toml [tool.importlinter]) and models
# without migrations: each fails the build on its own.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=portal.settings_test $(PY) manage.py makemigrations --check --dry-run
