"""Set up Django on a throw-away SQLite database for a benchmark (never the user's data)."""

from __future__ import annotations

import os
import platform
import tempfile


def setup() -> str:
    folder = tempfile.mkdtemp(prefix="tinnhiem-bench-")
    os.environ["TINNHIEM_DATA_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinnhiem.site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return folder


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
