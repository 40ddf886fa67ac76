"""Test settings: the real settings with a throw-away data folder and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("TINNHIEM_DATA_DIR", tempfile.mkdtemp(prefix="tinnhiem-test-"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Workers inherit the first process's folder: each gets its own inside it, so that two workers never
    # write the same stored file, backup or key at once. Child processes of a test inherit it too.
    os.environ["TINNHIEM_DATA_DIR"] = os.path.join(os.environ["TINNHIEM_DATA_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(os.environ["TINNHIEM_DATA_DIR"], exist_ok=True)
os.environ.setdefault("TINNHIEM_SECRET_KEY", "test-secret-key-not-for-production-0123456789")

from tinnhiem.site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory, for the test database: the concurrency tests use several connections.
DATABASES["default"].setdefault("TEST", {})  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = os.path.join(os.environ["TINNHIEM_DATA_DIR"], "test.sqlite3")  # noqa: F405
