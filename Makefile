# The two commands a newcomer needs: `make run` and `make test`. The rest wrap common chores.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_ENV := DEBUG=True
PYTEST_WORKERS ?= 2

.PHONY: run test serve install messages compilemessages migrate seed demo lint check bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) compilemessages

# Compiled catalogues are built, never committed (Babel compiles Django's .po files without GNU gettext).
compilemessages: $(STAMP)
	@for po in $$(find locale -name '*.po' 2>/dev/null); do \
		$(BIN)/pybabel compile -i $$po -o $${po%.po}.mo >/dev/null || exit 1; \
	done

# Extract strings into locale/sl (needs GNU gettext's xgettext; only translators run this).
messages: $(STAMP)
	$(DEV_ENV) $(PY) manage.py makemessages -l sl --ignore=.venv --ignore=var --ignore=tests
	$(DEV_ENV) $(PY) manage.py makemessages -l sl -d djangojs --ignore=.venv --ignore=var --ignore=tests

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

test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Production-like: gunicorn, a Celery worker and Celery beat (see Procfile). Needs DATABASE_URL,
# REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and SITE_URL in the environment.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(BIN)/honcho start

lint: $(STAMP)
	$(BIN)/ruff check .

check: install
	$(DEV_ENV) $(PY) manage.py check
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) -m bench

clean:
	rm -rf var/static .pytest_cache
