"""The base of every ``tinnhiem`` management command (demo, serve, scan, …).

- Its help and its messages are in the language of ``TINNHIEM_LANG`` (Vietnamese by default,
  ``en`` for English), like ``tinnhiem tally``; the help names the command's own options only
  (Django's ``--settings``, ``--traceback``, … are still accepted, and not listed).
- An error on the command line reads "Lỗi: …" (exit status 1), not Django's "CommandError: …".
- Run by ``call_command`` (tests, other commands) it keeps the language already active, and an
  error is raised as ``CommandError``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext

from tinnhiem import disk
from tinnhiem.i18n import cli_language

DJANGO_OPTIONS = {
    "--version",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
}


def database_problem() -> str | None:
    """Why the site's database cannot be used as it is, in words: it cannot be reached, or it has
    not been set up (its tables are missing or older than this version). Run from another folder,
    the default database is a new, empty one there (``./var``): that is the common case."""
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    db = settings.DATABASES["default"]
    where = (
        str(db["NAME"])
        if connection.vendor == "sqlite"
        else f"{connection.vendor} {db.get('NAME')} @ {db.get('HOST') or 'localhost'}"
    )
    sqlite_file = connection.vendor == "sqlite" and not connection.is_in_memory_db()
    if sqlite_file and not Path(connection.settings_dict["NAME"]).exists():
        missing = True  # connecting would leave an empty database file in the wrong folder
    else:
        try:
            executor = MigrationExecutor(connection)
            missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            return gettext("The database (%(where)s) cannot be reached: %(error)s") % {
                "where": where,
                "error": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            }
    if not missing:
        return None
    return gettext(
        "The database (%(where)s) is not set up for this version of tinnhiem. Run the command in "
        "tinnhiem's folder, or set TINNHIEM_DATA_DIR to the folder of its data (or DATABASE_URL). "
        "To set up a new database, or to bring it up to this version: tinnhiem migrate"
    ) % {"where": where}


def write_problem(error: OSError, path: Path) -> str:
    """Why a file cannot be written, in words: a folder that does not exist, no right to write
    there, a full disk."""
    folder = str(path.parent)
    if error.errno == errno.ENOENT:
        return gettext("There is no folder “%(folder)s”: create it first, or choose another place.") % {
            "folder": folder
        }
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return gettext("Not allowed to write in “%(folder)s”: choose another place.") % {"folder": folder}
    if error.errno == errno.ENOSPC:
        return gettext("The disk is full: “%(path)s” was not written.") % {"path": path}
    return gettext("“%(path)s” could not be written: %(error)s") % {"path": path, "error": error.strerror or error}


def disk_full_problem() -> str:
    """A command stopped by a full disk (the database could not grow, or a file not be written)."""
    free = disk.free_mb()
    return gettext(
        "The disk is full (%(free)s MB free for %(folder)s): what the command was doing when it filled was not "
        "recorded. Free some space, then run it again."
    ) % {"free": "?" if free is None else free, "folder": settings.DATA_DIR}


def output_path(output: str | None, default: str) -> Path:
    """Where a command writes: ``output``, or the default name in it when it is a folder, or the
    default name here. Said at once when the folder does not exist or cannot be written, so that
    nothing is done for a file that cannot be kept."""
    path = Path(output) if output else Path(default)
    if path.is_dir():
        path = path / default
    folder = path.parent
    if not folder.is_dir():
        raise CommandError(write_problem(OSError(errno.ENOENT, ""), path))
    if not os.access(folder, os.W_OK):
        raise CommandError(write_problem(OSError(errno.EACCES, ""), path))
    return path


def check_output(output: str | None) -> None:
    """Say at once when ``output``'s folder is missing or cannot be written, for a command that
    knows its default name only once its work is done."""
    output_path(output, "tinnhiem")


def write_file(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all: into a temporary file beside it, then
    renamed over it, so that a full disk or a stopped command leaves no half-written file and the
    older file, if any, as it was. ``private``: readable by its owner only (a backup holds the
    site's keys), from the first byte."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CommandError(write_problem(exc, path)) from exc
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if not private:  # mkstemp makes the file 0600: give it the mode a new file would have
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(write_problem(exc, path)) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class TinnhiemCommand(BaseCommand):
    suppressed_base_arguments = DJANGO_OPTIONS

    def get_version(self) -> str:
        from tinnhiem.cli import version

        return version()

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(type(self).help)  # a lazy text, in the language active now (argparse wants a str)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        for action in parser._actions:  # added by Django outside the suppressible base arguments
            if "--skip-checks" in action.option_strings:
                action.help = argparse.SUPPRESS
        return parser

    @staticmethod
    def add_conference_argument(parser) -> None:
        parser.add_argument(
            "conference",
            type=int,
            metavar=gettext("CONFERENCE"),
            help=gettext("conference id (shown in its address: /hoi-nghi/ID/)"),
        )

    @staticmethod
    def add_output_argument(parser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            metavar=gettext("FILE"),
            help=gettext(
                "output file, or a folder for a file of the default name (default: that name in the current folder)"
            ),
        )

    def write_output(self, path: Path, data: bytes, *, private: bool = False) -> None:
        """Write a command's file (:func:`write_file`) and say where."""
        write_file(path, data, private=private)
        self.stdout.write(gettext("Written: %(path)s (%(size)s bytes)") % {"path": path, "size": len(data)})

    def needs_database(self, options: dict) -> bool:
        """Whether the command reads the site's database as it is (demo, restore and verify do
        not; serve not with --migrate)."""
        return True

    def execute(self, *args, **options):
        try:
            if getattr(self, "_called_from_command_line", False) and self.needs_database(options):
                problem = database_problem()
                if problem:
                    raise CommandError(problem)
            try:
                return super().execute(*args, **options)
            except (DatabaseError, OSError) as exc:
                if not disk.is_full(exc):
                    raise
                raise CommandError(disk_full_problem()) from exc
        except CommandError as exc:  # on the command line: "Lỗi: …", not Django's "CommandError: …"
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(gettext("Error: %(message)s") % {"message": exc})
            sys.exit(exc.returncode)

    def run_from_argv(self, argv):
        with translation.override(cli_language()):
            super().run_from_argv(argv)

    def print_help(self, prog_name, subcommand):
        with translation.override(cli_language()):
            super().print_help(prog_name, subcommand)
