"""Scanning pages: upload (with progress), the review queue with image crops, spot checks."""

from __future__ import annotations

import cv2
import numpy as np
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tinnhiem import disk
from tinnhiem.accounts.roles import COUNT, PREPARE, VIEW, permission_required
from tinnhiem.conferences.models import BallotForm
from tinnhiem.conferences.views import attempt
from tinnhiem.documents.ballots import layout_for
from tinnhiem.documents.layout import MARKERS
from tinnhiem.documents.models import PrintedLayout
from tinnhiem.once import new_submission
from tinnhiem.site.errors import DISK_FULL_UPLOAD
from tinnhiem.text import small_int
from tinnhiem.voting.usecases.counting import member_for_or_none, people_of

from . import usecases
from .models import ScannedBallot, ScannedPage, flag_text, ignored_groups
from .recognize import PX_PER_MM, NotABallot
from .stack import file_order
from .stats import review_statistics

HEAD_GAP_PX = 6  # the grey band between a ballot table's head and a row further down
CROP_X = slice(int(10 * PX_PER_MM), int(200 * PX_PER_MM))  # the printed width of the page, for its images


def _form(conference_id: int, form_id: int) -> BallotForm:
    return get_object_or_404(
        BallotForm.objects.select_related("conference__campaign"), pk=form_id, conference_id=conference_id
    )


def _uploads(request) -> list[tuple[str, bytes]]:
    """The files sent, in the order of the stack as the scanner numbered them (a browser keeps no
    order), each read to one byte over the limit, so that the use case can say it is too large."""
    chosen = sorted(request.FILES.getlist("files"), key=lambda upload: file_order(upload.name))
    return [(u.name, u.read(settings.TINNHIEM_MAX_SCAN_BYTES + 1)) for u in chosen]


@permission_required(VIEW, post=COUNT)
def scan_page(request, conference_id: int, form_id: int):
    form = _form(conference_id, form_id)
    if request.method == "POST":
        # the page's script sends a few files per request and reloads the page at the end, which
        # shows the totals; a message per file would pile up over a stack of hundreds
        one_by_one = request.headers.get("X-Requested-With") == "upload"
        uploads = _uploads(request)
        last_page_first = request.POST.get("last_page_first") == "1"
        take_over = request.POST.get("take_over") == "1"
        ok, reports = attempt(
            request,
            lambda: usecases.scan_files(
                request.user,
                form,
                uploads,
                last_page_first=last_page_first,
                take_over=take_over,
                # the request's one-time id: the page's script sends a request again when its answer
                # was lost on the way, and what was recorded then is not recorded twice
                submission=request.POST.get("submission", ""),
            ),
        )
        results, with_batch = [], 0
        for (name, _data), report in zip(uploads, reports if ok else [], strict=False):
            if isinstance(report, ValidationError):
                if getattr(report, "code", None) == "with_batch":  # said once for all, below
                    with_batch += 1
                    continue
                for message in report.messages:
                    messages.error(request, message)
                continue
            if report.already:  # the same request sent again: recorded the first time, not again
                results.append({"file": name, "already": True})
                if not one_by_one:
                    messages.info(
                        request,
                        _("%(file)s: already read when this page was first sent; counted once.") % {"file": name},
                    )
                continue
            results.append(
                {
                    "file": name,
                    "pages": report.pages,
                    "ballots": report.ballots,
                    "to_review": report.to_review,
                    "waiting": report.waiting,
                    "ignored": report.ignored,
                }
            )
            if not one_by_one:
                messages.success(
                    request,
                    _("%(file)s: %(pages)s pages, %(ballots)s ballots, %(review)s to review")
                    % {"file": name, "pages": report.pages, "ballots": report.ballots, "review": report.to_review},
                )
            # by reason; the back sides of a duplex scan are counted on the page
            for group in ignored_groups((i["sequence"], i["reason"], i["text"]) for i in report.ignored):
                messages.warning(request, f"{name} {group['pages']}: {group['text']}")
        if with_batch:
            messages.error(
                request,
                ngettext(
                    "%(n)s other file sent with them was not counted either.",
                    "%(n)s other files sent with them were not counted either.",
                    with_batch,
                )
                % {"n": with_batch},
            )
        full = [i for i, report in enumerate(reports if ok else []) if isinstance(report, usecases.DiskFullError)]
        if one_by_one and full:  # the script stops, and says from which file to send again
            return JsonResponse({"error": str(DISK_FULL_UPLOAD), "done": full[0]}, status=507)
        if one_by_one:  # pages in the other order than the committee said: the script sends no more
            stop = any(isinstance(report, usecases.StackOrderError) for report in (reports if ok else []))
            return JsonResponse({"results": results, "stop": stop})
        return redirect("scanning:scan", form.conference_id, form.pk)
    return _scan_page(request, form)


@permission_required(VIEW, post=(PREPARE, COUNT))
def check(request, conference_id: int, form_id: int):
    """Try printed (or copied) blank ballots with the scanner or a phone before the count: each
    page is read as the count would read it, and nothing is stored (usecases.check_pages)."""
    form = _form(conference_id, form_id)
    results = None
    if request.method == "POST":
        uploads = _uploads(request)
        ok, checked = attempt(request, lambda: usecases.check_pages(request.user, form, uploads))
        if ok:
            results = []
            for item in checked:
                if isinstance(item, ValidationError):
                    messages.error(request, " ".join(item.messages))
                else:
                    results.append(item)
    return render(
        request,
        "scanning/check.html",
        {
            "conference": form.conference,
            "form": form,
            "results": results,
            "pages": len(layout_for(form).pages),
            "max_files": usecases.MAX_CHECK_FILES,
            "max_mb": round(settings.TINNHIEM_MAX_SCAN_BYTES / 1e6),
        },
    )


def _scan_page(request, form: BallotForm, hand: dict | None = None):
    """``hand``: what was typed in the form for a ballot read on paper, shown again after an error
    (with the same one-time id, so that sending it again still records one ballot)."""
    member = member_for_or_none(request.user, form.conference)
    not_counted = list(
        form.scanned_pages.exclude(status=ScannedPage.Status.BALLOT)
        .order_by("sequence")
        .only("sequence", "status", "reason")
    )
    return render(
        request,
        "scanning/scan.html",
        {
            "conference": form.conference,
            "form": form,
            "member": member,
            # a ballot of another member's stack waits: these files may continue it (handed over)
            "other_feeder": usecases.other_feeder(form, member) if member else None,
            "queue": usecases.counted_ballots(form).filter(needs_review=True),
            "scanned": usecases.counted_ballots(form).count(),
            "by_hand": usecases.counted_ballots(form).filter(by_hand=True),
            "waiting": form.scanned_pages.filter(status=ScannedPage.Status.PENDING).count(),
            "problems": usecases.scan_problems(form),
            # blank back sides of a duplex scan are many and say nothing: counted, not listed
            "ignored": ignored_groups((page.sequence, page.reason, page.reason_text) for page in not_counted),
            "blank": sum(1 for page in not_counted if page.status == ScannedPage.Status.BLANK),
            "people": people_of(form),
            "stats": review_statistics(form),
            "multi_page": len(layout_for(form).pages) > 1,
            "last_page_first": usecases.stack_order(form),  # the box as the stack was last read
            "max_bytes": settings.TINNHIEM_MAX_SCAN_BYTES,
            "low_disk_mb": disk.low_mb(),  # said before the disk fills in the middle of a stack
            "max_mb": round(settings.TINNHIEM_MAX_SCAN_BYTES / 1e6),
            "upload_submission": new_submission(),  # the form sent without script (the script makes one per request)
            # every key present: "keys" would otherwise resolve to the dict's keys() in the template
            "hand": hand or {"keys": "", "invalid_reason": "", "reason": "", "submission": new_submission()},
        },
    )


@permission_required(COUNT)
@require_POST
def by_hand(request, conference_id: int, form_id: int):
    """A ballot the scanner cannot read, read on paper by the committee."""
    form = _form(conference_id, form_id)
    hand = {k: request.POST.get(k, "") for k in ("keys", "invalid_reason", "reason", "submission")}
    instead = request.POST.get("instead_of_waiting") == "1"
    ok, ballot = attempt(
        request, lambda: usecases.add_ballot_by_hand(request.user, form, **hand, instead_of_waiting=instead)
    )
    if not ok:
        return _scan_page(request, form, {**hand, "instead_of_waiting": instead})
    messages.success(request, _("Ballot %(n)s recorded, as read on paper by the committee.") % {"n": ballot.position})
    return redirect("scanning:scan", form.conference_id, form.pk)


@permission_required(VIEW, post=COUNT)
def review(request, conference_id: int, form_id: int, ballot_id):
    form = _form(conference_id, form_id)
    ballot = get_object_or_404(ScannedBallot, pk=ballot_id, form=form)
    if request.method == "POST":
        ok, _b = attempt(
            request,
            lambda: usecases.review_ballot(
                request.user,
                ballot,
                keys=request.POST.get("keys", ""),
                invalid_reason=request.POST.get("invalid_reason", ""),
                reason=request.POST.get("reason", ""),
                submission=request.POST.get("submission", ""),
                seen=small_int(request.POST.get("seen")),
            ),
        )
        if ok:
            messages.success(request, _("Recorded."))
            return redirect("scanning:scan", form.conference_id, form.pk)
    people = people_of(form)
    flags: dict[int, list[str]] = {}
    for f in ballot.flags:
        if f["person"] is not None:  # writing under the list is of a page: shown below
            flags.setdefault(f["person"], []).append(flag_text(f))
    writing_pages = [f["page"] for f in ballot.flags if f["why"] == "writing"]
    reading = ballot.keys or ballot.machine_keys  # empty for a whole ballot ruled invalid, read on paper
    rows = [
        {"n": i, "person": p, "key": reading[i] if i < len(reading) else "", "flags": flags.get(i, [])}
        for i, p in enumerate(people)
    ]
    name_flag = any(f["why"] == "name" for f in ballot.flags)
    rulings = list(form.rulings.filter(position=ballot.position).select_related("decided_by__voter"))
    return render(
        request,
        "scanning/review.html",
        {
            "conference": form.conference,
            "form": form,
            "ballot": ballot,
            "rows": rows,
            "flagged_rows": [row for row in rows if row["flags"]],
            "name_flag": name_flag,
            "writing_pages": writing_pages,
            "written_in_voids": form.conference.rules.validity.written_in_name == "whole_ballot",
            "member": member_for_or_none(request.user, form.conference),
            "levels": form.conference.rules.levels,
            "rulings": rulings,
            "submission": new_submission(),
            "seen": len(rulings),
        },
    )


@permission_required(COUNT)
@require_POST
def withdraw(request, conference_id: int, form_id: int, ballot_id):
    """The same sheet counted twice: the committee withdraws this scan of it."""
    form = _form(conference_id, form_id)
    ballot = get_object_or_404(ScannedBallot, pk=ballot_id, form=form)
    ok, _b = attempt(
        request, lambda: usecases.withdraw_ballot(request.user, ballot, reason=request.POST.get("reason", ""))
    )
    if not ok:
        return redirect("scanning:review", form.conference_id, form.pk, ballot.pk)
    messages.success(
        request, _("Ballot %(n)s is not counted: the same sheet was counted twice.") % {"n": ballot.position}
    )
    return redirect("scanning:scan", form.conference_id, form.pk)


@permission_required(VIEW)
def open_ballot(request, conference_id: int, form_id: int):
    """A ballot by its number in the stack (``?so=57``), to compare with the paper."""
    form = _form(conference_id, form_id)
    number = request.GET.get("so", "").strip()
    position = small_int(number)
    ballot = form.scanned_ballots.filter(position=position).first() if position is not None else None
    if ballot is None:
        messages.error(request, _("There is no ballot %(n)s in this count.") % {"n": number[:10]})
        return redirect("scanning:scan", form.conference_id, form.pk)
    return redirect("scanning:review", form.conference_id, form.pk, ballot.pk)


@permission_required(VIEW)
def spot_check(request, conference_id: int, form_id: int):
    form = _form(conference_id, form_id)
    ballot = usecases.spot_check(form)
    if ballot is None:
        messages.info(request, _("No ballot of this count was read by the machine yet: there is none to compare."))
        return redirect("scanning:scan", form.conference_id, form.pk)
    return redirect("scanning:review", form.conference_id, form.pk, ballot.pk)


def _png(image: np.ndarray) -> HttpResponse:
    _ok, encoded = cv2.imencode(".png", image)
    response = HttpResponse(encoded.tobytes(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _pages_with_geometry(form: BallotForm, ballot: ScannedBallot):
    """(page, its printed geometry) for each page of a scanned ballot whose image is kept, in order."""
    if form.conference.ballots_destroyed_on:  # destroyed with the paper, even if a file is still to remove
        raise Http404
    for page_id in ballot.pages:
        page = ScannedPage.objects.get(pk=page_id)
        if not page.image:  # removed with the paper ballots after the retention
            raise Http404
        layout = PrintedLayout.objects.filter(form=form, version=page.reading.get("version")).first()
        if layout is None:
            raise Http404
        geometry = next(pg for pg in layout.geometry["pages"] if pg["number"] == page.page_number)
        yield page, geometry


def _rectified(form: BallotForm, page: ScannedPage) -> np.ndarray:
    try:
        return usecases.page_as_read(form, page)
    except NotABallot as exc:  # read by an earlier version, which did not refuse such a picture
        raise Http404 from exc


@permission_required(VIEW)
def writing_crop(request, conference_id: int, form_id: int, ballot_id, page_number: int):
    """The space under the printed list of one page of a scanned ballot (rectified), where the
    machine saw writing: a name written in, or a signature."""
    form = _form(conference_id, form_id)
    ballot = get_object_or_404(ScannedBallot, pk=ballot_id, form=form)
    for page, geometry in _pages_with_geometry(form, ballot):
        if page.page_number == page_number:
            top = int((max(r["y"] + r["h"] for r in geometry["rows"]) + 1) * PX_PER_MM)
            bottom = int(MARKERS[3][1] * PX_PER_MM)
            return _png(_rectified(form, page)[top:bottom, CROP_X])
    raise Http404


@permission_required(VIEW)
def crop(request, conference_id: int, form_id: int, ballot_id, person: int):
    """The image of one row of a scanned ballot (rectified), for the committee to look at."""
    form = _form(conference_id, form_id)
    ballot = get_object_or_404(ScannedBallot, pk=ballot_id, form=form)
    for page, geometry in _pages_with_geometry(form, ballot):
        row = next((r for r in geometry["rows"] if r["person"] == person), None)
        if row is None:
            continue
        rectified = _rectified(form, page)
        x0, x1 = CROP_X.start, CROP_X.stop
        bottom = int((row["y"] + row["h"] + 1) * PX_PER_MM)
        crop = rectified[int((row["y"] - 1) * PX_PER_MM) : bottom, x0:x1]
        if request.GET.get("dau-bang"):
            # the table's printed head above the row, so that the committee sees which box is which level
            head_top = int((geometry["table_top"] - 1) * PX_PER_MM)
            if row is geometry["rows"][0]:  # the first row under the head: one piece of the page
                crop = rectified[head_top:bottom, x0:x1]
            else:  # the head and the row, set apart by a grey band: they are not next to each other on paper
                head = rectified[head_top : int(geometry["rows"][0]["y"] * PX_PER_MM), x0:x1]
                band = np.full((HEAD_GAP_PX, x1 - x0, *rectified.shape[2:]), 160, dtype=rectified.dtype)
                crop = np.vstack([head, band, crop])
        return _png(crop)
    raise Http404
