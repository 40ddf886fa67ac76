"""Runs Django management commands for ``tinnhiem <command>`` (demo, serve, migrate, ...)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# tinnhiem's own commands, in the order ``tinnhiem help`` lists them
COMMANDS = (
    "demo",
    "serve",
    "preflight",
    "account",
    "scan",
    "documents",
    "summary",
    "export_record",
    "verify",
    "backup",
    "restore",
    "erase_traces",
)
# Django's own commands an administrator may need (their help is Django's, in English); accounts
# are made with ``tinnhiem account``, by role (Django's createsuperuser and changepassword still
# work, unlisted, and are audited: tinnhiem/accounts/management/commands)
ADMIN_COMMANDS = ("migrate",)


def files_only(argv: Sequence[str]) -> bool:
    """Whether the command reads nothing but the files it is given, so that the settings make no
    data folder in the folder it runs from (see TINNHIEM_FILES_ONLY in the settings)."""
    if not argv or argv[0] == "help" or "-h" in argv or "--help" in argv:
        return True
    return argv[0] == "verify" or (argv[0] == "summary" and "--records" in argv)


def _setup(argv: Sequence[str] = ()) -> None:
    from django.conf import settings

    if not settings.configured and files_only(argv):  # in a process of its own; not in the tests
        os.environ["TINNHIEM_FILES_ONLY"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinnhiem.site.settings")
    import django

    django.setup()


def run_management(argv: Sequence[str]) -> int:
    _setup(argv)
    from django.core.management import execute_from_command_line, get_commands

    from tinnhiem.i18n import gettext

    if argv and not argv[0].startswith("-") and argv[0] not in (*get_commands(), "help"):
        sys.stderr.write(
            gettext("There is no command “%(command)s”. The commands: tinnhiem help") % {"command": argv[0]} + "\n"
        )
        return 2
    execute_from_command_line(["tinnhiem", *argv])
    return 0


def command_summaries(language: str) -> list[tuple[str, str]]:
    """Each of tinnhiem's management commands with what it does (its help), in ``language``."""
    _setup()
    from django.core.management import get_commands, load_command_class
    from django.utils import translation

    apps = get_commands()
    with translation.override(language):
        return [(name, str(load_command_class(apps[name], name).help)) for name in COMMANDS]
