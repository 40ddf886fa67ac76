"""A full disk for the tests: the errors a full disk really raises, and a database that refuses
every write with them.

The errors are made for real, not written by hand: SQLite's ``SQLITE_FULL`` from an in-memory
database not allowed to grow (``max_page_count``), ``ENOSPC`` from writing to ``/dev/full``.
PostgreSQL's (SQLSTATE 53100) needs its server's disk filled; psycopg's class for it is used.
``FullDatabase`` raises the one of the database in use, through Django's own wrapping of database
errors, from every statement that writes once it is switched on (``after``: once a statement that
writes and holds that text has run, as the disk fills in the middle of a batch)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from django.db import connection

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def sqlite_full() -> sqlite3.OperationalError:
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE t (x BLOB)")
        db.execute("PRAGMA max_page_count = 2")
        db.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.OperationalError as exc:
        assert exc.sqlite_errorcode == sqlite3.SQLITE_FULL, exc
        return exc
    finally:
        db.close()
    raise AssertionError("SQLite grew past max_page_count")


def no_space() -> OSError:
    try:
        with open("/dev/full", "wb") as out:
            out.write(b"x")
            out.flush()
    except OSError as exc:
        return exc
    raise AssertionError("/dev/full took a byte")


def database_full_error() -> Exception:
    """What the database in use raises when its disk is full (before Django wraps it)."""
    if connection.vendor == "postgresql":
        import psycopg

        return psycopg.errors.DiskFull('could not extend file "base/16384/16390": No space left on device')
    return sqlite_full()


class FullDatabase:
    def __init__(self, after: str | None = None) -> None:
        self.error = database_full_error()
        self.after = after
        self.full = after is None
        self.refused = 0

    def __call__(self, execute, sql, params, many, context):
        writes = sql.lstrip().split(None, 1)[0].upper() in WRITES
        if self.full and writes:
            self.refused += 1
            with connection.wrap_database_errors:  # django.db.OperationalError from the database's own
                raise self.error
        result = execute(sql, params, many, context)
        if writes and self.after is not None and self.after in sql:
            self.full = True
        return result


@contextmanager
def full_database(after: str | None = None):
    """Every write refused as by a full disk (from the first, or once a write holding ``after``
    has run, such as a table's name); yields the ``FullDatabase``, whose ``refused`` counts the refusals."""
    full = FullDatabase(after)
    with connection.execute_wrapper(full):
        yield full
