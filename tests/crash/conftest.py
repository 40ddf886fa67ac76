"""Checks that need real processes: they run a script of bench/ on its own fresh database (a new
SQLite file, or a new database on the suite's PostgreSQL server) with the production settings."""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.fresh_db import fresh_database_url, outside_environ

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_script():
    with ExitStack() as stack:

        def run(script: str, *args: str) -> subprocess.CompletedProcess:
            # the production settings (not the test settings), on a database of its own
            env = outside_environ()
            url = stack.enter_context(fresh_database_url())
            if url:
                env["DATABASE_URL"] = url
            return subprocess.run(
                [sys.executable, str(ROOT / "bench" / script), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )

        yield run
