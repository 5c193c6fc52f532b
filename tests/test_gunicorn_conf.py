"""gunicorn's workers: one per core this process may run on, unless ``WEB_CONCURRENCY`` says
otherwise (``gunicorn.conf.py``: ``make bench`` measured more processes than cores as costing
each request CPU)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

CONF = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")


def test_one_worker_per_core_by_default(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(CONF)["workers"] == len(os.sched_getaffinity(0))


def test_web_concurrency_sets_the_number(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert runpy.run_path(CONF)["workers"] == 7
