"""gunicorn's workers (``gunicorn.conf.py``): one per core the process may use, two at least,
a container's CPU quota counted; ``WEB_CONCURRENCY`` sets another number. A worker that has
loaded the portal leaves what it loaded out of the garbage collector's full collections."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONF = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")


def _conf(monkeypatch, *, affinity: int, quota: str | None):
    real_read_text = Path.read_text

    def read_text(self, *args, **kwargs):
        if str(self) == "/sys/fs/cgroup/cpu.max":
            if quota is None:
                raise FileNotFoundError(self)
            return quota
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(affinity)))
    monkeypatch.setattr(Path, "read_text", read_text)
    return runpy.run_path(CONF)


def test_one_worker_per_core(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert _conf(monkeypatch, affinity=6, quota=None)["workers"] == 6
    assert _conf(monkeypatch, affinity=6, quota="max 100000\n")["workers"] == 6


def test_a_containers_quota_counts_not_the_hosts_cores(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert _conf(monkeypatch, affinity=32, quota="300000 100000\n")["workers"] == 3
    assert _conf(monkeypatch, affinity=32, quota="250000 100000\n")["workers"] == 3  # a part-core counts


def test_never_fewer_than_two(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert _conf(monkeypatch, affinity=1, quota=None)["workers"] == 2


def test_web_concurrency_sets_the_number(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert _conf(monkeypatch, affinity=2, quota=None)["workers"] == 7
    monkeypatch.setenv("WEB_CONCURRENCY", "0")
    assert _conf(monkeypatch, affinity=4, quota=None)["workers"] == 4, "0 means: by the cores"


def test_a_started_worker_freezes_what_it_has_loaded():
    post_worker_init = runpy.run_path(CONF)["post_worker_init"]
    assert gc.get_freeze_count() == 0
    try:
        post_worker_init(None)
        assert gc.get_freeze_count() > 1000, "the loaded modules' objects are frozen"
    finally:
        gc.unfreeze()
