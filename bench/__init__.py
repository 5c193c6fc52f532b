"""``make bench``: measure the portal on PostgreSQL, Redis, gunicorn and a real Celery worker.

Run as ``python -m bench`` (``--quick`` for a small data set and short levels while developing).
Nothing here is imported by the portal itself; ``bench.settings`` and ``bench.urls`` add the
"ceiling" view so that production code carries no benchmark-only branches.
"""
