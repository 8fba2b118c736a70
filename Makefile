# The two quickstart commands are `make demo` and `make test`; the rest is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test lint install wheels vendor

# Reinstall when any packaging file changes; editable installs follow code changes by themselves.
# Each plugin's `test` extra (when it has one) brings what its own tests need.
$(BIN)/smartapp: setup.cfg setup.py pyproject.toml $(wildcard plugins/*/setup.cfg)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]" $(foreach plugin,$(PLUGINS),-e "$(plugin)[test]")
	touch $@

# The Firebase Auth emulator for the tests (npm package firebase-tools, runs offline).
node_modules/.bin/firebase: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

install: $(BIN)/smartapp

## Run the server with demo data on the embedded default (SQLite, no Redis, no Firebase).
demo: $(BIN)/smartapp
	$(BIN)/smartapp db upgrade
	$(BIN)/smartapp demo seed
	$(BIN)/smartapp run --host $(HOST) --port $(PORT)

## Run the whole test suite on SQLite and PostgreSQL, with Redis and the Firebase emulator.
test: $(BIN)/smartapp node_modules/.bin/firebase lint
	$(BIN)/python -m pytest --smartapp-databases sqlite,postgresql

lint: $(BIN)/smartapp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## Build the core's and every plugin's wheel, install them into a fresh virtual environment
## outside the checkout, migrate, seed and serve with gunicorn until /readyz is ready.
wheels:
	PYTHON=$(PYTHON) .ci/check-wheels

## Copy the console's browser libraries from node_modules after bumping them in package.json
## (the copies are committed, so neither the app nor its wheel needs npm).
VENDOR := smartapp/console/static/vendor
FEEDBACK_VENDOR := plugins/feedback/smartapp_feedback/static/vendor
vendor: node_modules/.bin/firebase
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.umd.min.js
	cp node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js.LICENSE.md
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(FEEDBACK_VENDOR)/
	cp node_modules/leaflet/dist/images/*.png $(FEEDBACK_VENDOR)/images/
	cp node_modules/leaflet/LICENSE $(FEEDBACK_VENDOR)/leaflet.LICENSE
