"""What the database's own files keep of rows already deleted, erased where a secret needs it.

Closing an electronic vote deletes its ballots and receipts and writes them again in a random
order (docs/secrecy.md, claim 2). The rows as they were first written sit in the order of voting,
each receipt beside the ballot sent with it, and a database keeps them after the delete:

- **SQLite** leaves a deleted row's bytes in its page until something overwrites them (another
  form's ballots share those pages); ``secure_delete`` (settings) writes zeros over them. Its
  write-ahead log (``tinnhiem.sqlite3-wal``) holds a copy of every page as each ballot's
  transaction left it, until a connection closes the database (the server keeps its connections
  open): ``erase`` copies it into the database and truncates it to nothing.
- **PostgreSQL** leaves a deleted row in its table's file, with the number of the transaction
  that wrote it (the same for a ballot and its receipt), until a vacuum, and a plain vacuum
  leaves the bytes of some of them (tried with tests/voting/test_secrecy.py): ``erase``
  rewrites the tables (``VACUUM FULL``), which keeps what a transaction begun before the delete
  may still see, and all of it while a transaction that writes, in any database of the server,
  began before: such transactions are waited for, up to 5 s. PostgreSQL's own write-ahead log
  (``pg_wal``) is beyond tinnhiem's reach (docs/secrecy.md, known limits).
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, connection

logger = logging.getLogger("tinnhiem")
LOCK_TIMEOUT = "5s"  # PostgreSQL: how long VACUUM FULL waits for the tables
WAIT = 5.0  # PostgreSQL: seconds to wait for the transactions begun before the erasing to end


def _others_running(cursor, since: str) -> bool:
    """Whether another transaction holds back what a vacuum may remove, against ``since`` (a
    number the erasing took when it began, after the delete's commit): one that writes, in any
    database of the server, given its number before it (that number is in every snapshot taken
    while it runs, VACUUM FULL's own too: tried with tests/voting/test_secrecy.py), seen from a
    snapshot whatever its role; or one of this database holding a snapshot that did not yet see
    every transaction before it (a reader, or a statement begun while such a writer ran), seen in
    pg_stat_activity whole by a superuser or a member of pg_read_all_stats, otherwise as
    PostgreSQL shows another role's sessions."""
    cursor.execute(
        "SELECT pg_snapshot_xmin(pg_current_snapshot()) < %s::xid8 OR EXISTS (SELECT FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
        "AND age(backend_xmin) >= age(%s::xid8::xid))",
        [since, since],
    )
    return cursor.fetchone()[0]


def erase(tables: list[str]) -> bool:
    """Erase what the database's files keep of the rows deleted from ``tables``. Runs after the
    commit that deleted them (``transaction.on_commit``), never inside a transaction; waits for
    the readers of the moment (SQLite's busy timeout). True when done; a failure is logged, not
    raised: the close it follows is committed."""
    if connection.in_atomic_block:  # only a test's transaction that is never committed
        return False
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, _frames, _copied = cursor.fetchone()
                if busy:
                    logger.warning(
                        "The database's write-ahead log could not be emptied (a reader held it for the whole "
                        "busy timeout): it keeps the electronic ballots in the order of voting until the server stops."
                    )
                    return False
            elif connection.vendor == "postgresql":
                # VACUUM FULL keeps a deleted row that a transaction begun before the delete may still
                # see (an autovacuum's ANALYZE, a backup's snapshot), or when one that writes in another
                # database (a migration) began before: such transactions are waited for a while; one
                # still running then leaves the erasing to be done again (the finalising)
                # a number of its own (a transaction of one statement): those given before it are older
                cursor.execute("SELECT pg_current_xact_id()::text")
                since, deadline = cursor.fetchone()[0], time.monotonic() + WAIT
                while _others_running(cursor, since) and time.monotonic() < deadline:
                    time.sleep(0.05)
                busy = _others_running(cursor, since)
                # it locks the tables whole: a reader that holds them is not waited for long, and the
                # phones of another conference wait at most that
                cursor.execute("SELECT set_config('lock_timeout', %s, false)", [LOCK_TIMEOUT])
                # a table it may not rewrite (the role does not own it) is skipped with a warning, no error
                said: list[str] = []

                def heard(diagnostic) -> None:
                    if diagnostic.severity_nonlocalized == "WARNING":
                        said.append(diagnostic.message_primary)

                connection.connection.add_notice_handler(heard)
                try:
                    cursor.execute("VACUUM (FULL) " + ", ".join(connection.ops.quote_name(table) for table in tables))
                finally:
                    connection.connection.remove_notice_handler(heard)
                    cursor.execute("RESET lock_timeout")
                if said:
                    logger.warning(
                        "The deleted rows of %s were not erased from the database's files: PostgreSQL said %s. "
                        "The tables must belong to tinnhiem's role (docs/deploy.md; tinnhiem preflight checks it).",
                        tables,
                        "; ".join(said),
                    )
                    return False
                if busy:
                    logger.warning(
                        "The deleted rows of %s could not all be erased from the database's files: another "
                        "transaction was running; the finalising of the form erases them again.",
                        tables,
                    )
                    return False
    except DatabaseError as exc:
        logger.warning("The deleted rows of %s could not be erased from the database's files: %s", tables, exc)
        return False
    return True
