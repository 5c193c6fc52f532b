"""Settings are strict: a bad value is an error naming the variable; production needs real values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": "kX2-pQ9_zR7vT4mN8wY3bL6cH1jF5gD0sA-eU7iO2uK9xZ4qW6rE3tY8",
    "ALLOWED_HOSTS": "portal.example.org",
    "SITE_URL": "https://portal.example.org",
    "DEBUG": "False",
}


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {*GOOD, "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "TIME_ZONE"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_production_settings_load_with_the_required_variables():
    assert load_settings(**GOOD).returncode == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"SITE_URL": ""}, "SITE_URL"),
        ({"SITE_URL": "portal.example.org"}, "SITE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"DB_CONN_MAX_AGE": "ten", "DATABASE_URL": "postgres://postgres@127.0.0.1/x"}, "DB_CONN_MAX_AGE"),
        ({"DB_CONNECT_TIMEOUT": "0", "DATABASE_URL": "postgres://postgres@127.0.0.1/x"}, "DB_CONNECT_TIMEOUT"),
    ],
)
def test_a_bad_or_missing_value_refuses_to_start_and_names_the_variable(override, message):
    result = load_settings(**{**GOOD, **override})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr.splitlines()[-1]


def test_debug_runs_on_the_embedded_default_without_any_other_variable():
    result = load_settings(DEBUG="True")
    assert result.returncode == 0, result.stderr


def test_postgres_uses_persistent_connections_with_health_checks_and_a_connect_timeout():
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup();"
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['OPTIONS']['connect_timeout'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GOOD, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["django.db.backends.postgresql", "600", "True", "5"]
