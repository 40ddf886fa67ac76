"""The PDF of code cards for electronic voting (codes are printed here and never stored)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinnhiem.conferences.models import BallotForm
from tinnhiem.i18n import official_language

from .marks import qr_svg
from .render import render_pdf


def render_cards(form: BallotForm, card_codes: list[str], vote_url: str) -> bytes:
    """``vote_url`` is the hall server's voting page; each QR opens it with the code in the URL
    fragment (after ``#``), which browsers never send to the server, so no log can keep it."""
    with official_language():
        data = {
            "conference": form.conference.title,
            "form": form.name if form.conference.ballot_forms.count() > 1 else "",
            "title": _("ELECTRONIC VOTING CARD"),
            "instruction": _(
                "Scan the QR code, or open %(url)s and type the code. The code works once. Nobody knows who received this card."
            )
            % {"url": vote_url},
            "cards": [{"code": code, "qr": qr_svg(f"{vote_url}#{code}")} for code in card_codes],
        }
    return render_pdf("cards", data)
