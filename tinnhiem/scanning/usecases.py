"""Counting paper ballots by scanning: read the pages, never decide silently, send every doubt
to the counting committee, which rules on it (the ruling goes into the minutes)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tinnhiem.audit.log import record
from tinnhiem.conferences.models import BallotForm
from tinnhiem.documents.ballots import qr_key
from tinnhiem.documents.models import PrintedLayout
from tinnhiem.text import clean_line
from tinnhiem.voting.models import Ruling
from tinnhiem.voting.usecases.counting import describe_reading, member_for, parse_marks, people_of

from . import recognize
from .models import ScannedBallot, ScannedPage

SCAN_DPI = 200


class ScanInputError(ValidationError):
    pass


def load_pages(name: str, data: bytes) -> list[np.ndarray]:
    """The pages of an uploaded file as grey images: PNG, JPEG, TIFF (several pages) or PDF."""
    limit = settings.TINNHIEM_MAX_SCAN_BYTES
    if not data:
        raise ScanInputError(_("“%(name)s” is empty.") % {"name": clean_line(name)})
    if len(data) > limit:
        raise ScanInputError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB: split the scan into several files.")
            % {"name": clean_line(name), "size": round(len(data) / 1e6), "limit": round(limit / 1e6)}
        )
    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if re.search(rb"/Count\s+0\b", data):  # a page tree with no page
                raise ScanInputError(_("“%(name)s” has no page.") % {"name": clean_line(name)}) from exc
            raise ScanInputError(_("“%(name)s” is a damaged PDF file.") % {"name": clean_line(name)}) from exc

        try:
            if len(document) == 0:
                raise ScanInputError(_("“%(name)s” has no page.") % {"name": clean_line(name)})
            pages = []
            for page in document:
                image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_numpy()
                pages.append(np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image))
            return pages
        finally:
            document.close()
    buffer = np.frombuffer(data, np.uint8)
    ok, images = cv2.imdecodemulti(buffer, cv2.IMREAD_GRAYSCALE)
    if not ok or not images:
        image = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise ScanInputError(
                _("“%(name)s” is not an image (PNG, JPEG, TIFF) or a PDF, or it is damaged.")
                % {"name": clean_line(name)}
            )
        images = [image]
    return [np.ascontiguousarray(i) for i in images]


@lru_cache(maxsize=32)
def _blank_ink(form_id: int, version: str) -> dict[int, np.ndarray] | None:
    """The blank ballot's ink, for the name check (rendered once per layout version)."""
    from tinnhiem.documents.ballots import layout_for, render_one
    from tinnhiem.scanning.synthetic import render_blank

    form = BallotForm.objects.select_related("conference__campaign").get(pk=form_id)
    if layout_for(form).version != version:
        return None
    pdf, layout = render_one(form)
    return {page.number: recognize.blank_ink(render_blank(pdf, page.number - 1, 150)) for page in layout.pages}


def _geometry(form: BallotForm) -> Callable[[Any], dict | None]:
    stored = {p.version: p.geometry for p in PrintedLayout.objects.filter(form=form)}

    def geometry_for(sheet):
        if sheet.conference != form.conference_id:
            raise recognize.NotABallot("other_conference", str(sheet.conference))
        if sheet.form != form.pk:
            raise recognize.NotABallot("other_form", str(sheet.form))
        return stored.get(sheet.version)

    return geometry_for


@dataclass
class ScanReport:
    pages: int = 0
    ballots: int = 0
    to_review: int = 0
    waiting: int = 0  # pages of a ballot whose other pages have not been scanned yet
    ignored: list[dict[str, Any]] = field(default_factory=list)  # blank, duplicate, not a ballot


def _png(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    return encoded.tobytes() if ok else b""


@transaction.atomic
def scan_file(
    actor: Any, form: BallotForm, *, name: str, data: bytes, progress: Callable[[int, int], None] | None = None
) -> ScanReport:
    """Read every page of one file, in one transaction: a bad file loses nothing already counted.
    The pages of a multi-page ballot follow each other in the stack, in this file or the next."""
    form = BallotForm.objects.select_for_update().select_related("conference__campaign").get(pk=form.pk)
    member = member_for(actor, form.conference)
    if form.mode != BallotForm.Mode.SCAN:
        raise ValidationError(_("This ballot form is not counted by scanning."))
    if form.state == BallotForm.State.FINALISED or form.conference.status != form.conference.Status.COUNTING:
        raise ValidationError(_("Scanning happens after the vote is closed and before the count is finalised."))
    pages = load_pages(name, data)
    key = qr_key()
    geometry_for = _geometry(form)
    digits = {lv.key: str(lv.digit) for lv in form.conference.rules.levels}
    sequence = (form.scanned_pages.aggregate(m=Max("sequence"))["m"] or 0) + 1
    position = (form.scanned_ballots.aggregate(m=Max("position"))["m"] or 0) + 1
    report = ScanReport()

    def read(image: np.ndarray) -> recognize.PageReading:
        return recognize.read_sheet(
            image,
            key=key,
            geometry_for=geometry_for,
            blank_for=lambda sheet: (_blank_ink(form.pk, sheet.version) or {}).get(sheet.page),
        )

    # the first pages of a multi-page ballot whose other pages are in this file (a scanner that
    # writes a file per page, or a stack split across files): read again from their stored image
    pending = [
        (page, read(stored_image(page))) for page in form.scanned_pages.filter(status=ScannedPage.Status.PENDING)
    ]
    counted = (ScannedPage.Status.BALLOT, ScannedPage.Status.PENDING)  # an incomplete page may come again
    for index, image in enumerate(pages, start=1):
        report.pages += 1
        png = _png(image)  # what is stored: its SHA-256 can be checked with any tool (sha256sum)
        digest = hashlib.sha256(png).hexdigest()
        page = ScannedPage(form=form, sequence=sequence, sha256=digest, status=ScannedPage.Status.BALLOT)
        sequence += 1
        if ScannedPage.objects.filter(form=form, sha256=digest, status__in=counted).exists():
            page.status, page.reason = ScannedPage.Status.DUPLICATE, "duplicate"
        else:
            try:
                reading = read(image)
            except recognize.NotABallot as exc:
                page.status = ScannedPage.Status.BLANK if exc.reason == "blank" else ScannedPage.Status.NOT_BALLOT
                page.reason = exc.reason
            else:
                page.page_number = reading.sheet.page
                page.reading = {
                    "rows": [
                        {
                            "person": r.person,
                            "name_ink": r.name_ink,
                            # state "pencil": marked, decided against the page (recognize.PENCIL_LIKE)
                            "boxes": [
                                [b.level, b.ink, b.faint, b.solid, "pencil" if b.pencil else b.state, b.peak]
                                for b in r.boxes
                            ],
                            "confidence": r.confidence(),
                        }
                        for r in reading.rows
                    ],
                    "rotated": reading.rotated,
                    "version": reading.sheet.version,
                }
        if page.status != ScannedPage.Status.BLANK:
            page.image.save("page.png", ContentFile(png), save=False)
        page.save()
        if page.status != ScannedPage.Status.BALLOT:
            report.ignored.append({"sequence": page.sequence, "reason": page.reason, "text": page.reason_text})
        else:
            # the pages of a ballot come one after the other: a page out of turn means the ballot
            # before it lost a page (the committee finds it in the stack and scans it again)
            follows = not pending or (
                reading.sheet.version == pending[0][1].sheet.version and reading.sheet.page == len(pending) + 1
            )
            if not follows:
                _incomplete(pending, report)
                pending = []
            if reading.sheet.page != len(pending) + 1:  # a later page without the first ones
                _incomplete([(page, reading)], report)
            else:
                pending.append((page, reading))
                if reading.sheet.page == len(geometry_for(reading.sheet)["pages"]):  # its last page
                    position = _assemble(form, pending, position, digits, report)
                    pending = []
        if progress:
            progress(index, len(pages))
    for page, _reading in pending:  # the rest of the ballot may come in the next file
        if page.status != ScannedPage.Status.PENDING:
            page.status, page.reason = ScannedPage.Status.PENDING, "pending"
            page.save(update_fields=["status", "reason"])
    report.waiting = len(pending)
    record(
        actor,
        "scan.file",
        conference=form.conference,
        data={
            "form": form.pk,
            "sha256": hashlib.sha256(data).hexdigest(),
            "pages": report.pages,
            "ballots": report.ballots,
            "to_review": report.to_review,
            "member": member.pk,
        },
    )
    return report


def stored_image(page: ScannedPage) -> np.ndarray:
    with page.image.open("rb") as handle:
        return cv2.imdecode(np.frombuffer(handle.read(), np.uint8), cv2.IMREAD_GRAYSCALE)


def _incomplete(pages, report) -> None:
    for page, _reading in pages:
        page.status, page.reason = ScannedPage.Status.NOT_BALLOT, "incomplete"
        page.save(update_fields=["status", "reason"])
        report.ignored.append({"sequence": page.sequence, "reason": page.reason, "text": page.reason_text})


def _assemble(form, pending, position, digits, report) -> int:
    """A ballot from its pages, in page order (the caller checked that they follow each other)."""
    waited = [page.pk for page, _r in pending if page.status == ScannedPage.Status.PENDING]
    ScannedPage.objects.filter(pk__in=waited).update(status=ScannedPage.Status.BALLOT, reason="")
    keys, flags, confidence = "", [], 1.0
    for _page, reading in pending:
        for row in reading.rows:
            key = row.key(digits)
            keys += key if key is not None else "?"
            if key is None:
                flags.append({"person": row.person, "why": "uncertain", "doubt": row.doubt})
            if row.name_flag:
                flags.append({"person": row.person, "why": "name"})
            confidence = min(confidence, row.confidence())
    ballot = ScannedBallot.objects.create(
        form=form,
        position=position,
        pages=[str(p.pk) for p, _r in pending],
        machine_keys=keys,
        keys="" if flags else keys,
        flags=flags,
        confidence=confidence,
        needs_review=bool(flags),
    )
    report.ballots += 1
    report.to_review += int(ballot.needs_review)
    return position + 1


@transaction.atomic
def review_ballot(
    actor: Any, ballot: ScannedBallot, *, keys: str = "", invalid_reason: str = "", reason: str
) -> ScannedBallot:
    """The committee's reading of a ballot (flagged, or opened at random to spot-check): a ruling."""
    ballot = ScannedBallot.objects.select_for_update().select_related("form__conference__campaign").get(pk=ballot.pk)
    form = ballot.form
    member = member_for(actor, form.conference)
    if form.state == BallotForm.State.FINALISED:
        raise ValidationError(
            _("This ballot form is finalised; a change needs a correction approved by the committee.")
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the committee's reading."))
    invalid_reason = clean_line(invalid_reason)
    if not invalid_reason and "?" in keys:
        raise ValidationError(_("Replace each “?” with the committee's reading of that row."))
    keys = "" if invalid_reason else parse_marks(form.conference.rules, len(people_of(form)), keys)
    before = ballot.keys or ballot.machine_keys
    ballot.keys, ballot.invalid_reason, ballot.needs_review = keys, invalid_reason, False
    ballot.save(update_fields=["keys", "invalid_reason", "needs_review"])
    why = "; ".join(_("%(text)s, row %(row)s") % r for r in ballot.reasons()) or _("spot check")
    Ruling.objects.create(
        form=form,
        position=ballot.position,
        subject=_("Scanned ballot read as %(machine)s (%(why)s, confidence %(confidence)s).")
        % {"machine": before, "why": why, "confidence": number_format(ballot.confidence, 2)},
        decision=_("Read as %(reading)s — %(reason)s")
        % {"reading": describe_reading((keys, invalid_reason)), "reason": reason},
        decided_by=member,
    )
    record(
        actor,
        "scan.reviewed",
        conference=form.conference,
        data={"form": form.pk, "position": ballot.position, "keys": keys, "invalid": invalid_reason},
    )
    return ballot


def spot_check(form: BallotForm) -> ScannedBallot | None:
    """A ballot chosen at random, for the committee to compare with the paper."""
    ids = list(form.scanned_ballots.values_list("pk", flat=True))
    return ScannedBallot.objects.get(pk=secrets.choice(ids)) if ids else None


def scan_problems(form: BallotForm) -> list[str]:
    """What stops finalising a scanned count: pages scanned must equal ballots collected, no
    ballot may wait for the committee, and no page for the rest of its ballot."""
    form = BallotForm.objects.get(pk=form.pk)  # the current counts, not the caller's copy
    problems = []
    ballots = form.scanned_ballots.count()

    if form.collected is not None and ballots != form.collected:
        problems.append(
            _("%(scanned)s ballots scanned, %(collected)s collected: they must be equal.")
            % {"scanned": ballots, "collected": form.collected}
        )
    waiting = form.scanned_ballots.filter(needs_review=True).count()
    if waiting:
        problems.append(_("%(n)s scanned ballots wait for the committee.") % {"n": waiting})
    pending = form.scanned_pages.filter(status=ScannedPage.Status.PENDING).count()
    if pending:
        problems.append(
            _(
                "%(n)s pages wait for the other pages of their ballot: scan the rest of the ballot, "
                "or find the missing page in the stack."
            )
            % {"n": pending}
        )
    return problems


def scanned_ballots(form: BallotForm):
    from tinnhiem.voting.usecases.counting import to_ballot

    rules = form.conference.rules
    return [to_ballot(rules, b.keys, b.invalid_reason) for b in form.scanned_ballots.all()]
