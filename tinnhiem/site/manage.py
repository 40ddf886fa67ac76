"""Runs Django management commands for ``tinnhiem <command>`` (demo, serve, migrate, ...)."""

from __future__ import annotations

import os
from collections.abc import Sequence


def run_management(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinnhiem.site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tinnhiem", *argv])
    return 0
