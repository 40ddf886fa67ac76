"""``tinnhiem summary CAMPAIGN``: the summary of a campaign's results for the managing authority
(docs/documents.md), as the PDF report, an Excel table or JSON. ``tinnhiem summary --records
ARCHIVE...``: the same table from the signed records the managing authority received from its
sites, each verified first (docs/record-format.md); no database is needed for that."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.conferences.roster_file import write_table_xlsx
from tinnhiem.site.commands import TinnhiemCommand, output_path

FORMATS = ("pdf", "docx", "xlsx", "json")


class Command(TinnhiemCommand):
    help = gettext_lazy(
        "Sum up a campaign's results for the managing authority: the report (PDF or Word), a table (xlsx) or JSON; "
        "or, with --records, the signed records received from the sites, each verified first."
    )

    def needs_database(self, options: dict) -> bool:
        return not options.get("records")  # the received records are read from their files alone

    def add_arguments(self, parser):
        parser.add_argument(
            "campaign",
            type=int,
            nargs="?",
            metavar=_("CAMPAIGN"),
            help=_("campaign id (shown in its address: /dot/ID/)"),
        )
        parser.add_argument(
            "--records",
            nargs="+",
            metavar=_("ARCHIVE"),
            help=_("instead of a campaign: the conference records (.zip) received from the sites"),
        )
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            metavar=_("KEY"),
            help=_("with --records: a site's public key (base64), as many times as there are sites"),
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help=_("pdf (the report), docx (the report in Word), xlsx or json; default: pdf"),
        )
        self.add_output_argument(parser)

    def handle(self, *args, campaign=None, records=None, public_key=(), output=None, **options):
        kind = options["format"]
        if (campaign is None) == (not records):
            raise CommandError(_("Give either a campaign id or --records with the received archives."))
        if records:
            data, default = self._received(records, list(public_key), kind or "xlsx")
        else:
            data, default = self._campaign(campaign, kind or "pdf")
        self.write_output(output_path(output, default), data)

    def _campaign(self, campaign: int, kind: str) -> tuple[bytes, str]:
        from tinnhiem.conferences.models import Campaign
        from tinnhiem.documents import official
        from tinnhiem.voting.summary import campaign_summary, summary_table

        found = Campaign.objects.select_related("body").filter(pk=campaign).first()
        if found is None:
            known = ", ".join(f"{c.pk} ({c.name})" for c in Campaign.objects.order_by("pk")) or "—"
            raise CommandError(
                _("There is no campaign %(id)s. Campaigns: %(known)s") % {"id": campaign, "known": known}
            )
        summary = campaign_summary(found)
        if not summary["conferences"]:
            raise CommandError(_("No conference of this campaign has finished yet."))
        for conference in summary["pending"]:
            self.stderr.write(
                _("Not in the summary (not finished): %(title)s — %(status)s")
                % {"title": conference["title"], "status": conference["status_label"]}
            )
        # The report is made again from the campaign, not from ``summary``: an official document is in
        # Vietnamese, and ``summary`` is in the language of this command (TINNHIEM_LANG).
        if kind == "pdf":
            return official.render_summary_pdf(found), f"bao-cao-tong-hop-dot-{found.pk}.pdf"
        if kind == "docx":
            from tinnhiem.documents import word

            return word.render_summary_docx(found), f"bao-cao-tong-hop-dot-{found.pk}.docx"
        if kind == "xlsx":
            return write_table_xlsx(summary_table(summary), str(_("Summary"))), f"tong-hop-ket-qua-dot-{found.pk}.xlsx"
        return json.dumps(summary, ensure_ascii=False, indent=2).encode(), f"tong-hop-ket-qua-dot-{found.pk}.json"

    def _received(self, files: list[str], keys: list[str], kind: str) -> tuple[bytes, str]:
        from tinnhiem.audit.received import check_records, received_xlsx, signer_text

        if kind in ("pdf", "docx"):
            raise CommandError(
                _(
                    "From received records the summary is a table (xlsx) or JSON: the report is written by the authority."
                )
            )
        read = []
        for name in files:
            try:
                read.append((name, Path(name).read_bytes()))
            except OSError as exc:
                raise CommandError(
                    _("“%(file)s” cannot be read (%(error)s).") % {"file": name, "error": exc.strerror or exc}
                ) from exc
        checked = check_records(read, [k.encode() for k in keys])
        for received in checked.records:
            if received.ok:
                self.stdout.write(
                    _("correct: %(file)s (%(signer)s)") % {"file": received.name, "signer": signer_text(received)}
                )
            else:
                for line in received.verdict.problems:
                    self.stdout.write(
                        _("WRONG: %(file)s: %(what)s") % {"file": received.name, "what": line.translated(_)}
                    )
        if checked.wrong:
            raise CommandError(
                _("%(n)s record(s) do not verify: no summary is written. Ask the site for its record again.")
                % {"n": checked.wrong}
            )
        if checked.twice:
            raise CommandError(
                _(
                    "These files are records of the same conference: %(pairs)s. Keep one, the one whose minutes' "
                    "fingerprint is that of the signed paper minutes (the latest), and run again."
                )
                % {"pairs": "; ".join(f"{a} = {b}" for a, b in checked.twice)}
            )
        summary = checked.summary
        if kind == "json":
            return json.dumps(summary, ensure_ascii=False, indent=2).encode(), "tong-hop-ho-so-nhan.json"
        return received_xlsx(summary), "tong-hop-ho-so-nhan.xlsx"
