# The two commands a newcomer needs: `make run` and `make test`. The rest wrap common chores.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEV_ENV := DEBUG=True
PYTEST_WORKERS ?= 2

# Dependencies are declared in pyproject.toml and locked, with hashes, by `make lock`:
# requirements/base.txt is what serving the site needs (make run, serve, migrate, …);
# requirements/dev.txt is the same pins plus tests, lint and the benchmark (make test, lint, bench).
BASE_LOCK := requirements/base.txt
DEV_LOCK := requirements/dev.txt
# A stamp per lock file, named after its checksum: a second run installs nothing, an edited lock
# reinstalls. pip never uninstalls here, so going from a dev install back to `make run` is a no-op.
BASE_STAMP := $(VENV)/.installed-base-$(shell cksum < $(BASE_LOCK) | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cksum < $(DEV_LOCK) | cut -d' ' -f1)
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
# e.g. `make lock LOCK_ARGS="--upgrade-package django"`; without it the current pins are kept.
LOCK_ARGS ?=

.PHONY: run test serve install install-dev lock messages compilemessages migrate seed demo lint check bench clean

$(BASE_STAMP): $(BASE_LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r $(BASE_LOCK)
	rm -f $(VENV)/.installed-base-* $(VENV)/.installed-[0-9]* && touch $(BASE_STAMP)

# The dev lock holds every pin of the base lock (it is compiled against it), so it installs on top.
$(DEV_STAMP): $(DEV_LOCK) $(BASE_STAMP)
	$(PIP_INSTALL) -r $(DEV_LOCK)
	rm -f $(VENV)/.installed-dev-* && touch $(DEV_STAMP)

install: $(BASE_STAMP) compilemessages

install-dev: $(DEV_STAMP) compilemessages

# Re-lock after editing the dependencies in pyproject.toml: base first, then dev constrained to it.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(PY) -m pip install --quiet --disable-pip-version-check "pip-tools>=7.4,<8"
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) $(LOCK_ARGS) -o $(BASE_LOCK) pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) $(LOCK_ARGS) --extra dev -c $(BASE_LOCK) -o $(DEV_LOCK) pyproject.toml

# Compiled catalogues are built, never committed (Babel compiles Django's .po files without GNU gettext).
compilemessages: $(BASE_STAMP)
	@for po in $$(find locale -name '*.po' 2>/dev/null); do \
		$(BIN)/pybabel compile -i $$po -o $${po%.po}.mo >/dev/null || exit 1; \
	done

# Extract strings into locale/sl (needs GNU gettext's xgettext; only translators run this).
messages: $(BASE_STAMP)
	$(DEV_ENV) $(PY) manage.py makemessages -l sl --no-wrap --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(DEV_ENV) $(PY) manage.py makemessages -l sl -d djangojs --no-wrap --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench

migrate: install
	mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(PY) manage.py load_seeds

demo: seed
	$(DEV_ENV) $(PY) manage.py load_demo

run: demo
	@echo "Serving the portal at http://127.0.0.1:8000 (emails are printed here and written under var/mail/)."
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Production-like: gunicorn, a Celery worker and Celery beat (see Procfile). Needs DATABASE_URL,
# REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and SITE_URL in the environment.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(BIN)/honcho start

# Ruff, then the import-linter contracts in pyproject.toml (the layers and their independence).
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check: install
	$(DEV_ENV) $(PY) manage.py check
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

bench: install-dev
	$(PY) -m bench

clean:
	rm -rf var/static .pytest_cache
