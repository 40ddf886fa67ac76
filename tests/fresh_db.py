"""A database of its own for a check that runs real processes outside pytest-django's test
database: nothing on SQLite (the process makes its own file), a new database on the suite's
PostgreSQL server otherwise, dropped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def outside_environ() -> dict[str, str]:
    """The environment for a real process outside the suite: without its Django, tinnhiem and
    database settings, so that the process uses the production settings and its own data."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TINNHIEM_", "DATABASE_"))}


def run_tinnhiem(*args: str, data_dir, timeout: int = 120) -> subprocess.CompletedProcess:
    """``tinnhiem ARGS`` as an officer runs it: a process of its own, in Vietnamese, with the
    production settings and its own data folder (``data_dir``, a SQLite database there)."""
    env = {**outside_environ(), "TINNHIEM_DATA_DIR": str(data_dir), "TINNHIEM_LANG": "vi"}
    return subprocess.run(
        [sys.executable, "-m", "tinnhiem.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@contextmanager
def fresh_database_url() -> Iterator[str | None]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    import psycopg

    name = f"check_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
