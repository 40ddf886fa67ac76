"""Test settings: the real settings with a throw-away data folder and a fast password hasher."""

import os
import tempfile

if "TINNHIEM_DATA_DIR" not in os.environ:
    # a folder of this run only, removed when the run ends (tests/conftest.py); a folder given in
    # the environment is the caller's and is kept
    os.environ["TINNHIEM_DATA_DIR"] = os.environ["TINNHIEM_TEST_OWN_DIR"] = tempfile.mkdtemp(prefix="tinnhiem-test-")
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
