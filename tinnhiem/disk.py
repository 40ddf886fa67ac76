"""A full disk, known wherever it shows, so that the hall hears it in words.

On a hall laptop the disk fills with the scans of a large conference (about 1 MB a page), a
backup or a video someone copied there. Then the database cannot grow (SQLite: "database or disk
is full"; PostgreSQL: SQLSTATE 53100, on the database server's disk) and a file cannot be written
(ENOSPC, or EDQUOT over a user's quota). Each use case is one transaction, so nothing of the
action is kept by half; what is missing is a message saying so, and what to do, instead of "a server
error". ``is_full`` tells such an error from any other, through the chain of exceptions (Django
wraps the database's own error).
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3

from django.conf import settings

LOW = 2 * 1024**3  # the scans of a large conference: about 1 MB a page, 2,000 pages
logger = logging.getLogger("tinnhiem")
SQLSTATE_DISK_FULL = "53100"  # PostgreSQL's disk_full (class 53: insufficient resources)
FULL_ERRNOS = frozenset(e for e in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if e is not None)


def is_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from, says that the disk is full."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_FULL:
            return True
        if getattr(exc, "sqlstate", None) == SQLSTATE_DISK_FULL:  # psycopg's DiskFull
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def log_full(what: str) -> None:
    """Say in the server's log, once for each action refused, that the disk is full and where."""
    free = free_mb()
    logger.error(
        "The disk is full: %s (%s MB free in %s). Free some space: tinnhiem goes on as soon as there is room.",
        what,
        "?" if free is None else free,
        settings.DATA_DIR,
    )


def free_bytes() -> int | None:
    """The space left where tinnhiem keeps its data (the SQLite database, scans, documents); None
    when it cannot be known."""
    try:
        return shutil.disk_usage(settings.DATA_DIR).free
    except OSError:
        return None


def free_mb() -> int | None:
    free = free_bytes()
    return None if free is None else free // 10**6


def low_mb() -> int | None:
    """The space left in MB when it is low (under ``LOW``), to say so before it runs out."""
    free = free_bytes()
    return None if free is None or free >= LOW else free // 10**6
