"""Checks that need real processes: they run a script of bench/ on its own fresh database (a new
SQLite file, or a new database on the suite's PostgreSQL server) with the production settings."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_script():
    url = os.environ.get("DATABASE_URL")
    created = []

    def run(script: str, *args: str) -> subprocess.CompletedProcess:
        # the production settings (not the test settings), on a database of its own
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TINNHIEM_", "DATABASE_"))}
        if url:
            import psycopg

            name = f"check_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
            env["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{name}"
        return subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), *args], env=env, capture_output=True, text=True, timeout=300
        )

    yield run
    for name in created:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
