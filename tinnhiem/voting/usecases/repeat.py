"""The vote on one ballot form held again, by the chair's decision: the ballot box held more ballots
than were issued, the box was opened or lost, or the ballots printed were wrong. Nothing of the
discarded vote is counted: its paper ballots are set aside and sealed apart, its entries, scans,
totals, rulings and electronic ballots are removed, and its code cards stop working. The form is
voted on again, on paper or with new cards; the audit log keeps the decision and what was discarded.

None of the rule sets says what is done in this case at a confidence vote; the chair decides, as
the one who directs the conference, and writes why."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import CHAIR, require
from tinnhiem.audit.log import record
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import BallotForm, Conference
from tinnhiem.once import AlreadyDone, submission_key
from tinnhiem.text import clean_block

from ..models import CodeCard, ElectronicBallot, EntryRow, Receipt

S = Conference.Status


def repeats_by_form(conference: Conference) -> dict[int, list[dict[str, Any]]]:
    """The votes held again at ``conference``, by form id, in order, as the log recorded them
    (reason, and the ballots collected of the discarded vote): for the minutes and the voters."""
    from tinnhiem.audit.models import Event

    found: dict[int, list[dict[str, Any]]] = {}
    for event in Event.objects.filter(conference_id=conference.pk, action="vote.repeated").order_by("seq"):
        found.setdefault(event.data["form"], []).append(
            {"reason": event.data["reason"], "collected": event.data["collected"]}
        )
    return found


@transaction.atomic
def repeat_form_vote(actor: Any, form: BallotForm, *, reason: str, submission: str = "") -> dict[str, int]:
    """Discard the vote of ``form`` and hold it again. Only the chair, with a reason, while the
    form is not finalised, during the vote or the count (which goes back to the vote). Returns
    what was discarded, as the log records it. ``submission``: the page's one-time id. The same
    page sent again (the browser's Back, a page sent twice) does not discard the new vote that
    has begun since: the log holds the key of the page that did it."""
    from tinnhiem.scanning.models import ScanFeed, ScannedBallot, ScannedPage, remove_image_files

    require(actor, CHAIR)
    conference = Conference.objects.select_for_update().get(pk=form.conference_id)
    form = BallotForm.objects.select_for_update().get(pk=form.pk)
    reason = clean_block(reason)
    key = submission_key(submission, "vote.repeated", {"form": form.pk, "reason": reason})
    if key and Event.objects.filter(action="vote.repeated", data__submission=key).exists():
        raise AlreadyDone(
            _("The vote on %(form)s was already held again from this page; nothing more was discarded.")
            % {"form": form.name}
        )
    if form.state == BallotForm.State.FINALISED:
        raise ValidationError(
            _("The count of this ballot form is finalised; the head of the committee must reopen it first.")
        )
    if conference.status not in (S.VOTING, S.COUNTING):
        raise ValidationError(_("A vote is held again only once it has been opened, before the count is finalised."))
    if not reason:
        raise ValidationError(_("Give the reason for holding the vote again."))
    discarded = {
        "issued": form.issued or 0,
        "collected": form.collected or 0,
        "entered": EntryRow.objects.filter(session__form=form).count(),
        "scanned": ScannedBallot.objects.filter(form=form).count(),
        "electronic": form.electronic_ballots.count(),
        "voided": form.code_cards.filter(state=CodeCard.State.UNUSED).update(state=CodeCard.State.VOID),
    }
    pages = ScannedPage.objects.filter(form=form)
    files = list(pages.exclude(image="").values_list("image", flat=True))
    ScanFeed.objects.filter(form=form).delete()
    ScannedBallot.objects.filter(form=form).delete()
    pages.delete()
    form.entry_sessions.all().delete()  # with their rows
    form.resolutions.all().delete()
    form.rulings.all().delete()
    form.hand_totals.all().delete()
    ElectronicBallot.objects.filter(form=form).delete()
    Receipt.objects.filter(form=form).delete()
    form.issued = form.collected = form.whole_invalid_by_hand = None
    form.spoilt, form.cards_issued, form.reconciliation_note = 0, 0, ""
    form.state, form.evote = BallotForm.State.OPEN, BallotForm.EVote.NOT_USED
    form.save()
    if conference.status == S.COUNTING:
        conference.status = S.VOTING
        conference.agenda_step = [key for key, _label in Conference.AGENDA].index("voting")
        conference.save(update_fields=["status", "agenda_step"])
    data = {"form": form.pk, "reason": reason, **discarded} | ({"submission": key} if key else {})
    record(actor, "vote.repeated", conference=conference, data=data)
    # once committed; a file left if the server stops first is found by scanning.models.stray_image_files
    transaction.on_commit(lambda: remove_image_files(files))
    return discarded
