"""``tinnhiem summary CAMPAIGN``: the summary of a campaign's results for the managing authority
(docs/documents.md), as the PDF report, an Excel table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.conferences.models import Campaign
from tinnhiem.conferences.roster_file import write_table_xlsx
from tinnhiem.documents import official
from tinnhiem.site.commands import TinnhiemCommand
from tinnhiem.voting.summary import campaign_summary, summary_table

FORMATS = ("pdf", "xlsx", "json")


class Command(TinnhiemCommand):
    help = gettext_lazy(
        "Sum up a campaign's results for the managing authority: the report (PDF), a table (xlsx) or JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "campaign", type=int, metavar=_("CAMPAIGN"), help=_("campaign id (shown in its address: /dot/ID/)")
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="pdf", help=_("pdf (the report), xlsx or json; default: pdf")
        )
        self.add_output_argument(parser)

    def handle(self, *args, campaign: int, format: str, output=None, **options):
        found = Campaign.objects.select_related("body").filter(pk=campaign).first()
        if found is None:
            known = ", ".join(f"{c.pk} ({c.name})" for c in Campaign.objects.order_by("pk")) or "—"
            raise CommandError(
                _("There is no campaign %(id)s. Campaigns: %(known)s") % {"id": campaign, "known": known}
            )
        summary = campaign_summary(found)
        if not summary["conferences"]:
            raise CommandError(_("No conference of this campaign has finished yet."))
        if format == "pdf":
            data, default = official.render_summary_pdf(found), f"bao-cao-tong-hop-dot-{found.pk}.pdf"
        elif format == "xlsx":
            data = write_table_xlsx(summary_table(summary), str(_("Summary")))
            default = f"tong-hop-ket-qua-dot-{found.pk}.xlsx"
        else:
            data = json.dumps(summary, ensure_ascii=False, indent=2).encode()
            default = f"tong-hop-ket-qua-dot-{found.pk}.json"
        path = Path(output or default)
        path.write_bytes(data)
        self.stdout.write(_("Written: %(path)s (%(size)s bytes)") % {"path": path, "size": len(data)})
        for conference in summary["pending"]:
            self.stderr.write(
                _("Not in the summary (not finished): %(title)s — %(status)s")
                % {"title": conference["title"], "status": conference["status_label"]}
            )
