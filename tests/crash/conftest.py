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
def run_script(tmp_path):
    with ExitStack() as stack:

        def run(script: str, *args: str) -> subprocess.CompletedProcess:
            # the production settings (not the test settings), on a database of its own
            env = outside_environ()
            env["TMPDIR"] = str(tmp_path)  # its data folder, if the script is stopped before it removes it
            url = stack.enter_context(fresh_database_url())
            if url:
                env["DATABASE_URL"] = url
            done = subprocess.run(
                [sys.executable, str(ROOT / "bench" / script), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert list(tmp_path.glob("tinnhiem-bench-*")) == []  # its data folder is removed when it ends
            return done

        yield run
