"""Scanned pages and the ballots read from them.

Secrecy: pages and ballots have random ids and file names, no scanner time; their position is
the order of the stack through the scanner, which follows nothing about the voters once the
ballot box has been emptied and mixed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinnhiem.conferences.models import BallotForm, CommitteeMember
from tinnhiem.files import remove_quietly
from tinnhiem.site.fields import NFCCharField

# Why a page was not counted: the stable code (stored, and in the command's JSON) and what the
# committee reads.
PAGE_REASONS = {
    "blank": _("blank page (ignored)"),
    "duplicate": _("the same page was already scanned"),
    "no_markers": _("no fiducials found: not one of our ballots, too dark, blurred or cut off"),
    "unreadable": _(
        "the corner marks do not form one page: the sheet is folded, torn or badly skewed, or the picture "
        "shows more than one ballot"
    ),
    "several_ballots": _(
        "more than one ballot page in the picture (two ballots, the edge of another ballot under this one, or "
        "two pages printed on one sheet): scan or photograph each page alone, on a plain background, and "
        "print each page of the ballot on its own sheet"
    ),
    "streak": _(
        "a straight line runs down the picture through the boxes: dust or a scratch on the scanner's glass "
        "(clean the glass, then scan again), or a crease or an object on the page"
    ),
    "too_dark": _("too dark: scan it again, or photograph it in better light"),
    "pale": _(
        "too light: the print barely stands out from the paper. Set the scanner's brightness back to normal "
        "and scan the page again (a photo: take it again away from glare); if the ballot itself is printed "
        "pale, read it on the paper"
    ),
    "blurred": _("blurred: scan it again, or hold the phone still"),
    "black_and_white": _(
        "scanned in black and white, where a light pencil mark is lost: set the scanner to grayscale "
        "(or colour) and scan the page again"
    ),
    "filtered": _(
        "the picture went through a black-and-white filter (a phone scanner app's “document” or “black and "
        "white” mode): the grey squares printed on the ballot came out white or black, and a light pencil mark "
        "may have been lost the same way. Send the photo as the camera took it, or scan the page in grayscale. "
        "If every page says so, the ballots were perhaps photocopied in text mode: read them on the paper"
    ),
    "low_resolution": _(
        "scanned at too low a resolution (under 125 dpi) to be read with certainty: set the scanner to "
        "200 dpi and scan the page again; for a photo, let the ballot fill the picture, and send the photo itself, "
        "not a copy a chat app made smaller"
    ),
    "no_qr": _(
        "the QR code at the top right cannot be read: if that corner is folded over, smooth it out and scan the "
        "page again; if the code is torn, wet or written over, read the ballot on the paper"
    ),
    "foreign_qr": _("the QR code is not one of this site's ballots"),
    "other_conference": _("a ballot of another conference: count it with that conference's ballots"),
    "other_form": _("a ballot of another ballot form of this conference: scan it on that form's page"),
    "removed_form": _("a ballot of a ballot form removed before the conference: it does not count"),
    "unknown_layout": _("a layout of this ballot form that was never printed here"),
    "stale_layout": _(
        "printed for the list of rated persons before it was changed: not read, as a mark on a row "
        "may not be for the person on that row now"
    ),
    "incomplete": _("a page of a multi-page ballot is missing"),
    "pending": _("waits for the other pages of its ballot (in the next file)"),
    "rescanned": _("the same sheet went through the scanner again: that scan withdrawn by the committee"),
}

RANGES_SHOWN = 12


def ignored_groups(pages: Iterable[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The pages not counted, given as (place in the stack, reason, its text), by reason in the
    order each reason first came: its text, how many, and their places as ranges ("#3–#7, #12";
    past 12 ranges, "…"). A whole stack scanned with the wrong setting is one line, not one per
    page (the scan page, its messages, ``tinnhiem scan``). Blank pages (the back sides of a duplex
    scan) are not listed, and a range runs on over them: the fronts of a duplex stack are
    "#1–#599", not "#1, #3…"."""
    blank: set[int] = set()
    by_reason: dict[str, list[int]] = {}
    texts: dict[str, str] = {}
    for sequence, reason, text in pages:
        if reason == "blank":
            blank.add(sequence)
            continue
        by_reason.setdefault(reason, []).append(sequence)
        texts.setdefault(reason, str(text))
    groups = []
    for reason, sequences in by_reason.items():
        ranges: list[list[int]] = []
        for number in sequences:
            if ranges and all(n in blank for n in range(ranges[-1][1] + 1, number)):
                ranges[-1][1] = number
            else:
                ranges.append([number, number])
        shown = ", ".join(f"#{a}" if a == b else f"#{a}–#{b}" for a, b in ranges[:RANGES_SHOWN])
        groups.append(
            {
                "reason": reason,
                "text": texts[reason],
                "count": len(sequences),
                "pages": shown + (", …" if len(ranges) > RANGES_SHOWN else ""),
            }
        )
    return groups


# Why the committee must look at a row: a flag {"person": row, "why": "uncertain"|"name",
# "doubt": "faint"|"no_pen_ink"|"unequal"|"washed_out"|"not_flat"|"covered"|None} and what the committee
# reads (queue, ballot, minutes).
FLAG_TEXTS = {
    "name": _("a printed name has ink on it"),
    "unequal": _("two marks, one lighter: perhaps one was rubbed out"),
    "no_pen_ink": _("a mark without dark ink: pencil, or a smudge?"),
    "faint": _("faint ink in a box"),
    "washed_out": _("a box washed out in the picture (glare, or too light): read it on the paper"),
    "not_flat": _("the sheet did not lie flat in the picture (folded, or curling): read it on the paper"),
    "covered": _("something over a box in the picture (a finger, a clip, a deep shadow): read it on the paper"),
    "uncertain": _("uncertain mark"),
    "writing": _("writing under the list: a name written in, or a signature"),
}


# flags not about the mark in a box: ink on a printed name, writing under the list; the committee
# keeps the ballot or rules it invalid as a whole
INK_OUTSIDE_BOXES = ("name", "writing")


def flag_text(flag: dict) -> str:
    kind = flag["why"] if flag.get("why") in INK_OUTSIDE_BOXES else flag.get("doubt") or "uncertain"
    return str(FLAG_TEXTS.get(kind, FLAG_TEXTS["uncertain"]))


def reason_text(reason: dict) -> str:
    """One of :meth:`ScannedBallot.reasons` in words: a row's, or a page's."""
    if reason["row"] is None:
        return _("page %(page)s — %(text)s") % reason
    return _("row %(row)s — %(text)s") % reason


def page_path(instance: ScannedPage, filename: str) -> str:
    """A random name: nothing of the scanner's file name, the time or the place in the stack."""
    extension = ".jpg" if filename.endswith(".jpg") else ".png"
    return f"scans/{instance.form_id}/{uuid.uuid4().hex}{extension}"


def remove_image_files(names: Iterable[str]) -> int:
    """Remove stored page images by name (those no page refers to any more); how many could not be.
    A file that is already gone is not one of them."""
    return remove_quietly(ScannedPage._meta.get_field("image").storage, list(names))


def stray_image_files(form_id: int) -> list[str]:
    """The files in a form's folder of scans that no page refers to: written by a batch whose
    transaction was then rolled back, or left when the server stopped between discarding pages
    and removing their files (a random name each, no ballot's place)."""
    storage = ScannedPage._meta.get_field("image").storage
    folder = f"scans/{form_id}"
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = {f"{folder}/{name}" for name in files}
    referred = set(ScannedPage.objects.filter(image__in=names).values_list("image", flat=True))
    return sorted(names - referred)


class ScannedPage(models.Model):
    class Status(models.TextChoices):
        BALLOT = "ballot", "ballot"
        BLANK = "blank", "blank"
        NOT_BALLOT = "not_ballot", "not a ballot"
        DUPLICATE = "duplicate", "duplicate"
        PENDING = "pending", "waiting for the other pages of its ballot"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(BallotForm, on_delete=models.PROTECT, related_name="scanned_pages")
    sequence = models.PositiveIntegerField()  # order through the scanner, for the committee
    image = models.FileField(upload_to=page_path, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)  # of the stored image file, as sha256sum prints it
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = NFCCharField(max_length=255, blank=True)
    page_number = models.PositiveSmallIntegerField(null=True, blank=True)
    reading = models.JSONField(default=dict)

    class Meta:
        ordering = ["form", "sequence"]

    @property
    def reason_text(self) -> str:
        return str(PAGE_REASONS.get(self.reason, self.reason))


class ScannedBallot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(BallotForm, on_delete=models.PROTECT, related_name="scanned_ballots")
    position = models.PositiveIntegerField()
    pages = models.JSONField(default=list)  # ids of the pages, in page order
    machine_keys = models.TextField()  # "?" where a row is uncertain
    keys = models.TextField(blank=True)  # the final reading once decided
    invalid_reason = NFCCharField(max_length=255, blank=True)
    flags = models.JSONField(default=list)  # why the committee must look: uncertain rows, marked names
    confidence = models.FloatField(default=1.0)
    needs_review = models.BooleanField(default=False)
    # the scanner could not read it (torn, soaked, its marks destroyed, printed for an earlier
    # list): the committee read the paper and recorded it, with a ruling
    by_hand = models.BooleanField(default=False)
    # the same sheet was counted twice (a jam, pages fed again): the committee withdrew this one
    withdrawn = models.BooleanField(default=False)
    submission = models.CharField(max_length=32, blank=True)  # the page's one-time id: a double submit counts once

    def reasons(self) -> list[dict]:
        """The flags in words, with the row number (from 1) as printed on the ballot; writing
        under the list is of a page (``row`` None), not of a row. ``label``: all of it in words."""
        reasons = [
            {"row": None if f["person"] is None else f["person"] + 1, "page": f.get("page"), "text": flag_text(f)}
            for f in self.flags
        ]
        return [{**reason, "label": reason_text(reason)} for reason in reasons]

    class Meta:
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="scanned_ballot_position_once"),
            models.UniqueConstraint(
                fields=["form", "submission"], condition=~models.Q(submission=""), name="scanned_ballot_submission_once"
            ),
        ]


class ScanFeed(models.Model):
    """Whose scanner feeds a form's stack while a ballot of it waits for its other pages. The pages
    of a ballot are matched by their order in the stack, so while one waits only the member who
    began it goes on, unless another says that their files continue the same stack. It names no
    page and no ballot, and is deleted when nothing waits."""

    form = models.OneToOneField(BallotForm, primary_key=True, on_delete=models.CASCADE, related_name="scan_feed")
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="+")
