"""``tinnhiem documents CONFERENCE KIND``: the official documents from the command line (docs/documents.md)."""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.conferences.models import Conference
from tinnhiem.documents import ballots, official, word
from tinnhiem.site.commands import TinnhiemCommand, check_output, output_path

KINDS = (
    "ballots",
    "geometry",
    "invitations",
    "attendance",
    "roster",
    "minutes",
    "minutes-docx",
    "report",
    "report-docx",
    "notices",
    "resolution",
    "resolution-docx",
)
AFTER_COUNT = ("minutes", "minutes-docx", "report", "report-docx", "notices", "resolution", "resolution-docx")


class Command(TinnhiemCommand):
    help = gettext_lazy(
        "Render a document of a conference: ballots, geometry, invitations, attendance, roster, minutes, "
        "minutes-docx, report, report-docx, notices, resolution, resolution-docx."
    )

    def add_arguments(self, parser):
        self.add_conference_argument(parser)
        parser.add_argument(
            "kind", choices=KINDS, metavar=_("KIND"), help=_("the document: %(kinds)s") % {"kinds": ", ".join(KINDS)}
        )
        parser.add_argument(
            "--form", type=int, metavar=_("FORM"), help=_("ballot form id (default: the conference's only form)")
        )
        parser.add_argument(
            "--copies",
            type=int,
            default=None,
            metavar=_("N"),
            help=_("ballots: number of copies (default: the number convened)"),
        )
        self.add_output_argument(parser)
        parser.add_argument(
            "--base-url",
            default="",
            metavar=_("ADDRESS"),
            help=_("invitations: the address phones use, e.g. http://192.168.1.10:8000"),
        )
        parser.add_argument(
            "--number",
            default="",
            metavar=_("NUMBER"),
            help=_("invitations: the letter's registered number, printed on every copy (left blank without it)"),
        )

    def handle(
        self, *args, conference: int, kind: str, form=None, copies=None, output=None, base_url="", number="", **options
    ):
        found = Conference.objects.select_related("campaign__body").filter(pk=conference).first()
        if found is None:
            raise CommandError(_("There is no conference %(id)s.") % {"id": conference})
        conference = found
        check_output(output)  # a folder that is missing or cannot be written is said before any rendering
        if number and kind != "invitations":
            raise CommandError(_("--number is the registered number of the invitations, printed on each of them."))
        finished = conference.status == Conference.Status.FINISHED
        if kind in AFTER_COUNT and not finished:
            raise CommandError(
                _(
                    "Conference %(id)s is not finished: this document is made once the counting committee has "
                    "finalised every ballot form."
                )
                % {"id": conference.pk}
            )
        if kind in ("ballots", "geometry"):
            forms = conference.ballot_forms.all()
            chosen = forms.filter(pk=form).first() if form else (forms.first() if forms.count() == 1 else None)
            if not forms:
                raise CommandError(
                    _("Conference %(id)s has no ballot form yet: the staff office sets it on the page “Ballot forms”.")
                    % {"id": conference.pk}
                )
            if chosen is None:
                raise CommandError(
                    _("Choose a ballot form with --form: %(forms)s")
                    % {"forms": ", ".join(f"{f.pk} ({f.name})" for f in forms) or "—"}
                )
            if kind == "geometry":
                layout = ballots.layout_for(chosen)
                ballots.register_layout(chosen, layout)
                data, default = (
                    json.dumps({"version": layout.version, **layout.as_dict()}, ensure_ascii=False, indent=2).encode(),
                    f"hinh-hoc-phieu-{chosen.pk}.json",
                )
            else:
                n = copies or conference.voters.count() or 1
                try:
                    data = ballots.render_ballots(chosen, copies=n, progress=self._progress)
                except ballots.BallotTextTooLong as exc:
                    raise CommandError(exc.messages[0]) from exc
                sys.stderr.write("\n")
                default = f"phieu-tin-nhiem-{chosen.pk}-{n}-ban.pdf"
        elif kind in ("invitations", "attendance", "roster"):
            try:
                data = official.render_letters_pdf(conference, kind, base_url=base_url, number=number)
            except official.NoPublicAddress as exc:
                raise CommandError(str(exc)) from exc
            except ValidationError as exc:  # a number that is not one
                raise CommandError(exc.messages[0]) from exc
            default = {"invitations": "giay-moi", "attendance": "danh-sach-ky", "roster": "danh-sach-nguoi-ghi-phieu"}[
                kind
            ] + f"-{conference.pk}.pdf"
        elif kind == "minutes":
            data, default = official.render_minutes_pdf(conference), f"bien-ban-kiem-phieu-{conference.pk}.pdf"
        elif kind == "minutes-docx":
            data, default = word.render_minutes_docx(conference), f"bien-ban-kiem-phieu-{conference.pk}.docx"
        elif kind == "report":
            data, default = official.render_report_pdf(conference), f"bao-cao-ket-qua-{conference.pk}.pdf"
        elif kind == "report-docx":
            data, default = word.render_report_docx(conference), f"bao-cao-ket-qua-{conference.pk}.docx"
        elif kind == "notices":
            data, default = official.render_notices_pdf(conference), f"thong-bao-ket-qua-{conference.pk}.pdf"
        else:
            if conference.rules.system != "state":
                raise CommandError(
                    _(
                        "A resolution confirming the results is made for People's Council and National Assembly votes only."
                    )
                )
            if kind == "resolution-docx":
                data = word.render_report_docx(conference, resolution=True)
                default = f"du-thao-nghi-quyet-{conference.pk}.docx"
            else:
                data, default = official.render_resolution_pdf(conference), f"du-thao-nghi-quyet-{conference.pk}.pdf"
        self.write_output(output_path(output, default), data)

    @staticmethod
    def _progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
