"""Loaded with ``-p`` before Django is set up: the environment the test suite runs in.

Tests run with production-like settings (``DEBUG`` off), so they need the variables that
production requires. Anything already set (``DATABASE_URL``, ``REDIS_URL`` in CI) is kept.
"""

import atexit
import os
import secrets
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(48))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("NETWORK_COORDINATOR_EMAILS", "coordinators@network.example")
if "VAR_DIR" not in os.environ:
    # Never the source tree's var/: SQLite, mail files, media and static files of the run go to a
    # folder of its own, removed when the run ends (xdist workers inherit it from the controller).
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="portal-test-var-")
    atexit.register(shutil.rmtree, os.environ["VAR_DIR"], ignore_errors=True)
# Integration tests opt in to a real broker; the rest of the suite runs tasks eagerly.
# (setdefault: xdist workers inherit the controller's environment, where REDIS_URL is already gone)
os.environ.setdefault("PORTAL_TEST_REDIS_URL", os.environ.get("REDIS_URL", ""))
os.environ.pop("REDIS_URL", None)
os.environ.pop("EMAIL_URL", None)
