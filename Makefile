# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=true

.PHONY: run test install assets migrate seed lint format check-deploy check-production clean

run: install assets migrate seed
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed
	npm run build

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

seed: install
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py seed_demo_offences

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	AUDIT_CHAIN_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	ALLOWED_HOSTS=iom.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# Production settings end to end, as the image runs them: collectstatic with DEBUG=false (whose
# manifest storage fails on any missing file a CSS or JS file names), then gunicorn serving the
# sign-in page and its static files. Temporary STATIC_ROOT and SQLite database: the tree is untouched.
check-production: install assets
	$(BIN)/python .ci/check_production.py

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
