"""Settings for the test suite: the product's own settings, isolated from a developer's data."""

import os
import tempfile
from pathlib import Path

# Keep the suite's secret key, task queue and files away from the data/ folder of `make run`.
os.environ.setdefault("CONTRACTDESK_DATA_DIR", tempfile.mkdtemp(prefix="contractdesk-tests-"))
os.environ.setdefault("CONTRACTDESK_LOG_FORMAT", "console")

from contractdesk.settings import *  # noqa: E402, F403

# WhiteNoise warns about a missing STATIC_ROOT, and the suite turns warnings into errors.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405

# Tasks run in the test's own process as soon as they are queued.
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# Password hashing is not what these tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Live-server threads must not keep connections open, or PostgreSQL cannot drop
# the test database at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# A database name of its own per run, so two checkouts testing on one PostgreSQL
# server at the same time do not drop each other's test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_contractdesk_{os.getpid()}"}  # noqa: F405
