"""``/healthz``: 200 with the state of each part while the database answers; Redis (cache and
broker) being down is reported but does not fail it; 503 when the database does not answer."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}


def test_healthz_is_503_when_the_database_does_not_answer(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert (body["status"], body["database"]) == ("error", "error")
    assert body["cache"] == "ok", "only the database was taken away"


def test_healthz_stays_200_when_redis_is_down(client, redis_down, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": "ok", "cache": "error", "broker": "error"}


def test_healthz_answers_within_a_second_when_redis_is_hung(client, redis_hung, broker_hung):
    """A hung Redis costs the check one short timeout for the cache and one for the broker;
    afterwards, until the breakers' interval has passed, none."""
    started = time.monotonic()
    response = client.get("/healthz")
    first = time.monotonic() - started
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "error", "broker": "error"}
    assert first < 1.2, f"took {first:.2f} s"
    started = time.monotonic()
    for _ in range(5):
        assert json.loads(client.get("/healthz").content)["broker"] == "error"
    assert time.monotonic() - started < 0.2
