"""Printed ballots (phiếu tín nhiệm) of a ballot form: data for the Typst template, the exported
geometry for the scanner, and the PDF of N identical copies."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tinnhiem.conferences.models import BallotForm
from tinnhiem.i18n import official_language
from tinnhiem.rules import RuleSet

from .layout import GREY_LUMA, BallotLayout, ballot_layout, layout_from_dict
from .marks import SheetId, aruco_svg, qr_payload, qr_svg
from .models import PrintedLayout
from .render import query, render_pdf, render_pdf_chunks


def qr_key() -> bytes:
    """The HMAC key of ballot QR codes, derived from the site's secret key."""
    return salted_hmac("tinnhiem.documents.ballot-qr", "v1", secret=settings.SECRET_KEY, algorithm="sha256").digest()


def layout_for(form: BallotForm) -> BallotLayout:
    """The layout of the form's ballot as it would be printed now: its geometry and its list."""
    people = list(form.people_on_ballot())
    return ballot_layout(
        len(people), list(form.conference.rules.level_keys), [(p.pk, p.full_name, p.post) for p in people]
    )


@transaction.atomic
def register_layout(form: BallotForm, layout: BallotLayout) -> PrintedLayout:
    """Keep the geometry of every layout version that was printed, for the scanner."""
    stored, _created = PrintedLayout.objects.get_or_create(
        form=form,
        version=layout.version,
        defaults={"geometry": layout.as_dict(), "people": layout.person_ids},
    )
    return stored


@dataclass(frozen=True)
class Printings:
    """The layouts printed for a form, as the scanner reads them."""

    readable: dict[str, tuple[dict, BallotLayout]]  # version → (geometry, layout the name check compares with)
    stale: dict[str, PrintedLayout]  # printed for another list of rated persons: never read


def printings(form: BallotForm) -> Printings:
    """A page is read only if it was printed for the persons on the form now, in the same order
    and with the same levels. A name or post corrected since printing does not matter: the page is
    compared with the text printed on it. Any other change (a person no longer rated, another
    person, another order) makes the printed ballots stale: a mark on a row is then not a mark for
    whoever is on that row today."""
    current = layout_for(form)
    format_2 = ballot_layout(current.n_people, current.levels, current.printed, layout_format=2)
    same_geometry = {**format_2.as_dict(), "format": 1}  # format 1: format 2's geometry, no list
    same_geometry.pop("printed")
    readable: dict[str, tuple[dict, BallotLayout]] = {}
    stale: dict[str, PrintedLayout] = {}
    for printed in PrintedLayout.objects.filter(form=form).order_by("created_at"):
        layout = current if printed.version == current.version else layout_from_dict(printed.geometry)
        if layout is not None:
            same = layout.person_ids == current.person_ids and layout.levels == current.levels
        else:  # printed before the list was part of the version: its person ids were kept
            same = printed.geometry == same_geometry and printed.people == current.person_ids
            layout = current  # its names are not known: compared with today's, as then
        if same:
            readable[printed.version] = (printed.geometry, layout)
        else:
            stale[printed.version] = printed
    return Printings(readable, stale)


def ballot_data(form: BallotForm, layout: BallotLayout, *, copies: int) -> dict[str, Any]:
    conference = form.conference
    return sheet_data(
        conference.rules,
        layout,
        body=conference.campaign.body.name,
        subtitle=conference.title,
        conference_id=conference.pk,
        form_id=form.pk,
        form_name=form.name if conference.ballot_forms.count() > 1 else "",
        color=form.color or "",
        copies=copies,
    )


def sheet_data(
    rules: RuleSet,
    layout: BallotLayout,
    *,
    body: str,
    subtitle: str,
    conference_id: int,
    form_id: int,
    form_name: str = "",
    color: str = "",
    copies: int = 1,
) -> dict[str, Any]:
    """What the Typst template prints, from plain values (no database): the ballot of a form, or
    the sample ballot of ``tinnhiem preflight``."""
    key = qr_key()
    with official_language():
        title = _("CONFIDENCE BALLOT") if rules.procedure == "rating" else _("VOTE OF CONFIDENCE BALLOT")
        if rules.procedure == "rating":
            instruction = _(
                "Mark ONE box (✗ or ✓) for each person, at the level of confidence you choose. A person whose row has no mark, "
                "or two or three marks, gets no valid rating from this ballot. Do not cross out a printed name or write in any other name."
            )
        else:
            instruction = _(
                "Mark ONE box (✗ or ✓) for each person. A row with no mark or with two marks is not a valid vote for that person. "
                "Do not cross out a printed name or write in any other name."
            )
        if rules.system == "party":
            signature = _("The voter may sign the ballot or not (%(citation)s).") % {
                "citation": rules.validity.signature_citation.text.split(" (", 1)[0]
            }
        else:
            signature = _("The voter does not sign the ballot.")
        continued = _("continued")
        page_word = _("page")
        footer = _("Ballot form %(form)s · layout %(version)s") % {"form": form_id, "version": layout.version}
    return {
        "body": body,
        "title": title,
        "subtitle": subtitle,
        "form_name": form_name,
        "color": color,
        "instruction": instruction,
        "signature_note": signature,
        "continued": continued,
        "page_word": page_word,
        "footer": footer,
        "level_labels": [rules.level(k).label for k in layout.levels],
        "people": [{"name": name, "post": post} for _id, name, post in layout.printed],
        "layout": layout.as_dict(),
        "grey_luma": GREY_LUMA,
        "markers": {str(i): aruco_svg(i) for i in layout.markers},
        "qr": [
            qr_svg(qr_payload(key, SheetId(conference_id, form_id, layout.version, page.number)))
            for page in layout.pages
        ],
        "copies": copies,
    }


class BallotTextTooLong(ValidationError):
    """A text of the ballot does not fit its box even in the smallest type the template allows.
    ``texts``: a sentence for each such text."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        super().__init__(" ".join([*texts, _("Shorten it, then print the ballots again. Nothing was printed.")]))


def _fitting(data: dict[str, Any], names: list[str]) -> tuple[dict[str, float], list[str]]:
    """The size in points the template gives each text the office typed (``fitted`` in
    ballot.typ: smaller when it does not fit its box, down to 9 pt for a name and 8 pt for a
    post), and a sentence for each text that does not fit even then."""
    found = query("ballot", data, "fitted")
    problems = []
    for item in (item for item in found if not item["fits"]):
        kind, _sep, index = item["what"].partition(":")
        if kind == "post":
            text = _("The post of “%(name)s” (%(post)s) is too long for its box on the ballot, even in small type.") % {
                "name": names[int(index)],
                "post": item["text"],
            }
        elif kind == "name":
            text = _("The name “%(name)s” is too long for its box on the ballot, even in small type.") % {
                "name": item["text"]
            }
        else:
            text = _("“%(text)s” is too long for its place at the top of the ballot, even in small type.") % {
                "text": item["text"]
            }
        problems.append(text)
    return {item["what"]: item["size"] for item in found}, problems


def fitted_sizes(form: BallotForm, layout: BallotLayout) -> dict[str, float]:
    """The size of each text of the form's ballot the office typed. Refused when a text does not
    fit its box even in small type (cut, a line of it would look crossed out): each such text
    named, to be shortened."""
    sizes, problems = _fitting(ballot_data(form, layout, copies=1), [name for _id, name, _post in layout.printed])
    if problems:
        raise BallotTextTooLong(problems)
    return sizes


SURE_LENGTH, SURE_WORD = 40, 12  # fits any box of any ballot at its smallest size (tests/documents)
_WORDS = re.compile(r"[\s\-/–]")


def surely_fits(text: str) -> bool:
    """Whether ``text`` fits its box on any ballot without measuring it: at most 40 characters,
    none of its words longer than 12, even of the widest letters. A longer one is measured."""
    return len(text) <= SURE_LENGTH and all(len(word) <= SURE_WORD for word in _WORDS.split(text))


def people_unfit(rules: RuleSet, people: list[tuple[str, str]]) -> list[str]:
    """A sentence for each name or post in ``people`` (name, post) that no ballot of ``rules``
    could print whole, even in small type; [] when all fit. Only texts ``surely_fits`` cannot
    vouch for are measured (Typst, about 25 ms)."""
    doubtful = [(name, post) for name, post in people if not (surely_fits(name) and surely_fits(post))]
    if not doubtful:
        return []
    layout = ballot_layout(
        len(doubtful), list(rules.level_keys), [(i, name, post) for i, (name, post) in enumerate(doubtful)]
    )
    data = sheet_data(rules, layout, body="", subtitle="", conference_id=0, form_id=0)
    return _fitting(data, [name for name, _post in doubtful])[1]


def render_ballots(form: BallotForm, *, copies: int, progress: Callable[[int, int], None] | None = None) -> bytes:
    """N identical copies in one PDF (rendered in chunks, so that a long print run shows progress).
    Refused (``BallotTextTooLong``) when a text would not fit its box."""
    if copies < 1 or copies > 5000:
        raise ValueError("copies must be between 1 and 5000")
    layout = layout_for(form)
    sizes = fitted_sizes(form, layout)
    register_layout(form, layout)
    return render_pdf_chunks(
        "ballot", lambda n: {**ballot_data(form, layout, copies=n), "sizes": sizes}, copies, progress=progress
    )


def render_one(form: BallotForm, layout: BallotLayout | None = None) -> tuple[bytes, BallotLayout]:
    """One copy: of the ballot as printed now (and registered), or of ``layout``, one printed before."""
    if layout is None:
        layout = layout_for(form)
        register_layout(form, layout)
    return render_pdf("ballot", ballot_data(form, layout, copies=1)), layout
