"""``tinnhiem preflight``: is this computer ready for the conference? (tinnhiem/site/preflight.py)"""

from __future__ import annotations

import platform
import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tinnhiem.site.commands import TinnhiemCommand


class Command(TinnhiemCommand):
    help = gettext_lazy(
        "Check this computer before the conference: database, disk space, settings, clock, network addresses, "
        "and printing and reading back a sample ballot. Writes nothing."
    )

    def needs_database(self, options: dict) -> bool:
        return False  # a database that is not ready is one of its findings

    def handle(self, *args, **options):
        from tinnhiem.cli import version
        from tinnhiem.site.preflight import run_checks

        self.stdout.write(
            _("Checking this computer before the conference (tinnhiem %(version)s, Python %(python)s, %(system)s)")
            % {"version": version(), "python": platform.python_version(), "system": platform.system()}
        )
        words = {"ok": _("ok"), "warn": _("WARNING"), "fail": _("FAILED")}
        findings = run_checks()
        for finding in findings:
            self.stdout.write(f"  {words[finding.status]}: {finding.text}")
        failed = sum(f.status == "fail" for f in findings)
        warned = sum(f.status == "warn" for f in findings)
        sys.stdout.flush()
        if failed:
            raise CommandError(
                ngettext(
                    "%(failed)s check failed: fix it before the conference.",
                    "%(failed)s checks failed: fix them before the conference.",
                    failed,
                )
                % {"failed": failed}
            )
        if warned:
            self.stdout.write(
                ngettext(
                    "Ready, with %(warned)s warning to read above.",
                    "Ready, with %(warned)s warnings to read above.",
                    warned,
                )
                % {"warned": warned}
            )
        else:
            self.stdout.write(_("Ready: every check is ok."))
