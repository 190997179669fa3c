# The two commands of README.md, `make run` and `make test`; and `make docs`, the manual as a site.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format setup clean docs

# `make run` on a port that is taken stops here, before installing or migrating anything.
ifneq ($(filter run,$(MAKECMDGOALS)),)
PORT_PROBLEM := $(shell $(PYTHON) -m config.ports $(HOST) $(PORT) 2>&1)
ifneq ($(PORT_PROBLEM),)
$(error $(patsubst %.,%,$(PORT_PROBLEM)))
endif
endif

# The stamp also means "the project .venv imports is this checkout": when its editable install
# points elsewhere (e.g. at a copy installed from and since deleted), it is stale whatever its date.
ifneq ($(wildcard $(STAMP)),)
ifneq ($(shell $(BIN)/python -I -c "import pathlib, pluginmeta; print(pathlib.Path(pluginmeta.__file__).resolve().parents[1])" 2>/dev/null),$(realpath $(CURDIR)))
.PHONY: $(STAMP)
endif
endif

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $(STAMP)

# A per-checkout secret key, made once, readable by its owner only and never committed (see
# .gitignore); config/settings.py reads it when DJANGO_SECRET_KEY is unset.
.secret_key:
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > .secret_key

setup: $(STAMP) .secret_key
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo --port $(PORT)

run: setup
	$(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)

# pytest-xdist's workers, as many as the 2 cores the suite is timed on: 4 were slower there
# (bench/test_suite_bench.py). PYTEST_WORKERS=0 runs in one process. loadgroup keeps the tests
# marked xdist_group (those sharing one costly server) in one worker.
PYTEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# docs/ as a site in site/ (mkdocs.yml); --strict fails on a broken link, anchor or nav entry.
docs: $(STAMP)
	test -x $(BIN)/mkdocs || $(BIN)/python -m pip install --quiet -e ".[docs]"
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-shm db.sqlite3-wal site
