"""Killing the server (SIGKILL) in the middle of an e-voting burst loses no acknowledged ballot and
stores none twice or half — on SQLite (synchronous=FULL) and, when the suite runs on PostgreSQL,
on a fresh PostgreSQL database. Runs bench/crash_burst.py, which checks and exits non-zero."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    import psycopg

    name = f"crash_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_sigkill_mid_burst_loses_no_acknowledged_ballot(database_url):
    # the production settings, as `tinnhiem serve` runs them (not the test settings)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith(("DJANGO_", "TINNHIEM_"))}
    if database_url:
        env["DATABASE_URL"] = database_url
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash_burst.py"), "--n", "120", "--kills", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    line = run.stdout.strip().splitlines()[-1]
    assert "SIGKILL 3 times" in line, line
    assert "acknowledged but lost 0; stored twice or half 0" in line
