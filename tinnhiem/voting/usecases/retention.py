"""After the count: the sealed ballots are kept, then destroyed by decision (domain §3.4).

The rule set gives the period (``retention_months``, with its article; QĐ 96 says nothing, so the
default follows QĐ 190 Điều 35 for Party elections: kept sealed 6 months, then, if there is no
complaint or denunciation about the results, the Party committee decides to destroy them). The scan
images are part of the same sealed record and share its retention (the scanning issue), so
recording the destruction removes them too; their SHA-256 stay, and so does every count.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import record
from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases.day import _locked  # the lock every conference use case takes
from tinnhiem.i18n import rule_words
from tinnhiem.text import clean_block, clean_line

S = Conference.Status


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month (31/8 + 6 months = 28/2 or 29/2)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kept_until(conference: Conference) -> date:
    """The last day the sealed ballots must be kept: the conference day plus the rule set's months."""
    return add_months(conference.date, conference.rules.retention_months)


def may_destroy(conference: Conference, today: date | None = None) -> bool:
    """Finished, the period passed, no complaint open, not destroyed yet: the destruction may be recorded."""
    return (
        conference.status == S.FINISHED
        and not conference.ballots_destroyed_on
        and not conference.ballots_hold_reason
        and (today or timezone.localdate()) > kept_until(conference)
    )


def state(conference: Conference, today: date | None = None) -> dict[str, Any]:
    """What the conference page says about the sealed ballots."""
    rules = conference.rules
    return {
        "months": rules.retention_months,
        "citation": rules.retention_citation.text,
        "kept_until": kept_until(conference),
        "may_destroy": may_destroy(conference, today),
        "held": bool(conference.ballots_hold_reason),
        "destroyed": conference.ballots_destroyed_on is not None,
        "images": _images(conference).count(),
    }


def _images(conference: Conference):
    from tinnhiem.scanning.models import ScannedPage

    return ScannedPage.objects.filter(form__conference=conference).exclude(image="")


@transaction.atomic
def hold_ballots(actor: Any, conference: Conference, *, reason: str) -> Conference:
    """A complaint or denunciation about the results: the ballots may not be destroyed meanwhile."""
    require(actor, PREPARE)
    conference = _locked(conference)
    reason = clean_block(reason)
    if conference.status != S.FINISHED:
        raise ValidationError(_("The ballots are sealed once the count is finalised."))
    if conference.ballots_destroyed_on:
        raise ValidationError(_("The ballots have already been destroyed."))
    if not reason:
        raise ValidationError(_("Write what the complaint or denunciation is about, and who handles it."))
    held = conference.ballots_hold_reason
    if held == reason or held.endswith("\n" + reason):  # the page sent twice (a double click): held already
        return conference
    # another complaint while one is open adds to it: both are settled before the hold ends
    conference.ballots_hold_reason = f"{conference.ballots_hold_reason}\n{reason}".strip()
    conference.save(update_fields=["ballots_hold_reason"])
    record(actor, "ballots.held", conference=conference, data={"reason": reason})
    return conference


@transaction.atomic
def release_ballots(actor: Any, conference: Conference, *, outcome: str) -> Conference:
    """The complaint is settled: the hold ends (with how it was settled, for the record)."""
    require(actor, PREPARE)
    conference = _locked(conference)
    outcome = clean_block(outcome)
    if not conference.ballots_hold_reason:
        raise ValidationError(_("There is no open complaint or denunciation on these ballots."))
    if not outcome:
        raise ValidationError(_("Write how the complaint or denunciation was settled."))
    conference.ballots_hold_reason = ""
    conference.save(update_fields=["ballots_hold_reason"])
    record(actor, "ballots.released", conference=conference, data={"settlement": outcome})
    return conference


def destroy_ballots(actor: Any, conference: Conference, *, decision: str, on: date) -> Conference:
    """Record the destruction of the paper ballots, decided by the competent body after the
    retention, and remove the scan images kept with them. Refused before the period has passed,
    while a complaint is open, or twice. The image files are removed only once this is recorded."""
    require(actor, PREPARE)
    decision = clean_line(decision)
    with transaction.atomic():
        conference = _locked(conference)
        if conference.status != S.FINISHED:
            raise ValidationError(_("The ballots are sealed once the count is finalised."))
        if conference.ballots_destroyed_on:
            raise ValidationError(_("The ballots have already been destroyed."))
        if conference.ballots_hold_reason:
            raise ValidationError(_("A complaint or denunciation about the results is open: the ballots are kept."))
        until = kept_until(conference)
        if on <= until:
            raise ValidationError(
                _("The ballots are kept until %(date)s (%(months)s months, %(citation)s).")
                % {
                    "date": until.strftime("%d/%m/%Y"),
                    "months": conference.rules.retention_months,
                    "citation": rule_words(conference.rules.retention_citation.text),
                }
            )
        if on > timezone.localdate():
            raise ValidationError(_("The date of the destruction cannot be in the future."))
        if not decision:
            raise ValidationError(_("Give the decision to destroy the ballots (number, date, who decided)."))
        if len(decision) > Conference._meta.get_field("ballots_destruction_decision").max_length:
            raise ValidationError(_("The decision is at most 255 characters: give its number, date and who decided."))
        count = _images(conference).count()
        conference.ballots_destroyed_on = on
        conference.ballots_destruction_decision = decision
        conference.save(update_fields=["ballots_destroyed_on", "ballots_destruction_decision"])
        record(
            actor,
            "ballots.destroyed",
            conference=conference,
            data={"on": on.isoformat(), "destruction_decision": decision, "images_removed": count},
        )
        # the files go only once the destruction is recorded; if that is cut short (a crash), the
        # images still listed are removed by remove_images() (the results page offers it)
        transaction.on_commit(lambda: remove_images(conference))
    return conference


def remove_images(conference: Conference) -> int:
    """Remove the scan image files of a conference whose ballots were destroyed, each file then its
    reference, so that it can be run again after an interruption. Returns how many are left."""
    conference = Conference.objects.get(pk=conference.pk)
    if not conference.ballots_destroyed_on:
        raise ValidationError(_("The destruction of the ballots has not been recorded."))
    from tinnhiem.scanning.models import remove_image_files, stray_image_files

    left = 0
    for page in _images(conference):
        try:
            page.image.storage.delete(page.image.name)
        except OSError:
            left += 1
            continue
        type(page).objects.filter(pk=page.pk).update(image="")
    # and any file of its forms that no page refers to (a batch rolled back, a vote held again
    # when the server stopped before removing the discarded images): destroyed with the rest
    for form_id in conference.ballot_forms.values_list("pk", flat=True):
        left += remove_image_files(stray_image_files(form_id))
    return left
