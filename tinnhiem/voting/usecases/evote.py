"""Electronic secret voting in the hall with anonymous code cards (docs/secrecy.md).

Cards are printed, cut, shuffled and handed out like paper ballots: nothing records which card
went to whom. The server keeps only an HMAC of each code under a per-conference key. Casting a
ballot consumes the code in the same transaction that stores the ballot; the ballot and the
voter's tracking code are stored apart, with no link between them, no time and no address.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tinnhiem import traces
from tinnhiem.accounts.roles import CHAIR, COUNT, PREPARE, require
from tinnhiem.audit.log import record
from tinnhiem.conferences.models import BallotForm, Conference, Voter
from tinnhiem.conferences.usecases.campaigns import check_not_cancelled
from tinnhiem.conferences.usecases.day import require_any
from tinnhiem.i18n import grouped
from tinnhiem.once import AlreadyDone, short_key
from tinnhiem.rules import Ballot
from tinnhiem.text import typed_with_accents

from .. import codes
from ..models import NO_MARK, SEVERAL_MARKS, CodeCard, ElectronicBallot, Receipt
from .counting import member_for, people_of, refuse_if_finalised, to_ballot

E = BallotForm.EVote
MAX_CARDS = 5000


class VoteRefused(ValidationError):
    """A code or a ballot that cannot be accepted; ``code`` says why, the message says it in Vietnamese."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.reason = code


def conference_key(conference: Conference) -> bytes:
    """The per-conference key of card codes, derived from the site secret (not stored in the database)."""
    return salted_hmac(
        "tinnhiem.voting.codes",
        f"{conference.pk}:{conference.code_key_nonce}",
        secret=settings.SECRET_KEY,
        algorithm="sha256",
    ).digest()


def _form(form: BallotForm) -> BallotForm:
    return BallotForm.objects.select_for_update().select_related("conference__campaign").get(pk=form.pk)


# --- cards ------------------------------------------------------------------------------------


def check_cards_can_be_made(form: BallotForm) -> None:
    """Cards are made until the vote of ``form`` is closed (and never for a cancelled conference);
    the cards page offers the button on the same terms."""
    check_not_cancelled(form.conference)
    if form.conference.status in (Conference.Status.COUNTING, Conference.Status.FINISHED) or form.evote == E.CLOSED:
        raise ValidationError(_("Voting is closed; no more cards can be made."))


@transaction.atomic
def generate_cards(actor: Any, form: BallotForm, *, count: int, submission: str = "") -> list[str]:
    """Make ``count`` new cards and return their codes, once, for printing. Only HMACs are kept.
    ``submission``: the cards page's one-time id. The codes are not kept, so the same page sent
    again with the same count cannot have the same PDF back: it is refused, and says what was
    made. Another count typed on the page that stayed open after its download is another batch."""
    require_any(actor, PREPARE, COUNT)
    form = _form(form)
    check_cards_can_be_made(form)
    sent = short_key(submission, "cards", {"form": form.pk, "count": count})
    if sent and sent == form.cards_submission:
        raise ValidationError(
            _(
                "These cards were made already: the page was sent twice. If their PDF did not arrive, "
                "cancel every unused card, then make the cards again; for another batch, open the page again."
            )
        )
    if not 1 <= count <= MAX_CARDS:
        raise ValidationError(_("Make between 1 and %(max)s cards at a time.") % {"max": grouped(MAX_CARDS)})
    key = conference_key(form.conference)
    made = []
    for _i in range(count):
        made.append(codes.new_code())
    CodeCard.objects.bulk_create([CodeCard(form=form, code_hmac=codes.code_hmac(key, c)) for c in made])
    form.cards_submission = sent
    if form.evote == E.NOT_USED:
        form.evote = E.READY
    form.save(update_fields=["evote", "cards_submission"])
    record(actor, "cards.generated", conference=form.conference, data={"form": form.pk, "count": count})
    return [codes.display(c) for c in made]


@transaction.atomic
def void_unused_cards(actor: Any, form: BallotForm) -> int:
    """Lost or misprinted cards: every unused card stops working (a new print run replaces them)."""
    require_any(actor, PREPARE, COUNT)
    form = _form(form)
    voided = form.code_cards.filter(state=CodeCard.State.UNUSED).update(state=CodeCard.State.VOID)
    record(actor, "cards.voided", conference=form.conference, data={"form": form.pk, "count": voided})
    return voided


@transaction.atomic
def record_cards_issued(actor: Any, form: BallotForm, *, count: int) -> BallotForm:
    """The committee records how many cards it handed out, as for paper ballots."""
    form = _form(form)
    member = member_for(actor, form.conference)
    refuse_if_finalised(form)  # the cards issued are in its result and minutes
    if form.evote == E.NOT_USED:
        raise ValidationError(_("This ballot form has no code cards."))
    available = form.code_cards.exclude(state=CodeCard.State.VOID).count()
    present = form.conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
    if not 0 <= count <= available:
        raise ValidationError(
            _("Cards issued (%(n)s) cannot exceed the cards printed and valid (%(available)s).")
            % {"n": count, "available": available}
        )
    if count + (form.issued or 0) > present:
        raise ValidationError(
            _("Paper ballots and cards issued (%(n)s) cannot exceed the voters present (%(present)s).")
            % {"n": count + (form.issued or 0), "present": present}
        )
    form.cards_issued = count
    form.save(update_fields=["cards_issued"])
    record(
        actor, "cards.issued", conference=form.conference, data={"form": form.pk, "count": count, "member": member.pk}
    )
    return form


# --- opening and closing ------------------------------------------------------------------------


@transaction.atomic
def open_evote(actor: Any, form: BallotForm) -> BallotForm:
    require(actor, CHAIR)
    form = _form(form)
    if form.evote in (E.OPEN, E.CLOSED):
        raise AlreadyDone(_("Electronic voting on this form has already been opened."))
    if form.conference.status != Conference.Status.VOTING:
        raise ValidationError(_("Open the vote of the conference first."))
    if form.evote != E.READY:
        raise ValidationError(_("Electronic voting can be opened once, after the cards are made."))
    form.evote = E.OPEN
    form.save(update_fields=["evote"])
    record(actor, "evote.opened", conference=form.conference, data={"form": form.pk, "cards_issued": form.cards_issued})
    return form


def _rewrite_shuffled(queryset) -> int:
    """Delete and re-insert rows in a random order, so that their storage order (SQLite rowid,
    PostgreSQL heap order) no longer follows the order in which they were written."""
    model = queryset.model
    fields = [f.attname for f in model._meta.concrete_fields]
    rows = list(queryset.values(*fields))
    secrets.SystemRandom().shuffle(rows)
    queryset.delete()
    model.objects.bulk_create([model(**row) for row in rows])
    return len(rows)


TABLES = [ElectronicBallot._meta.db_table, Receipt._meta.db_table]  # what the erasing rewrites


def erase_after_commit() -> None:
    """The ballots and receipts as first written stay in the database's files (in the order of
    voting, a receipt beside its ballot) until erased (``tinnhiem.traces``), after the commit that
    rewrote them: at the close, and again when the form is finalised, should the first erasing
    have waited for a reader in vain."""
    transaction.on_commit(lambda: traces.erase(TABLES))


def erase_left_traces() -> bool | None:
    """At the server's start, before any phone votes: the erasing, should one after a close not
    have been done (the server stopped between the close's commit and the erasing, or a reader
    held the database at the close and again at the finalising). None when no electronic vote
    was ever closed here (nothing to erase)."""
    if not BallotForm.objects.filter(evote=E.CLOSED).exists():
        return None
    return traces.erase(TABLES)


def close_form_evote(actor: Any, form: BallotForm) -> dict[str, int]:
    """Close (inside the caller's transaction): void unused cards, shuffle ballots and receipts."""
    voided = form.code_cards.filter(state=CodeCard.State.UNUSED).update(state=CodeCard.State.VOID)
    ballots = _rewrite_shuffled(ElectronicBallot.objects.filter(form=form))
    receipts = _rewrite_shuffled(Receipt.objects.filter(form=form))
    erase_after_commit()
    form.evote = E.CLOSED
    form.save(update_fields=["evote"])
    counts = {
        "form": form.pk,
        "ballots": ballots,
        "receipts": receipts,
        "voided": voided,
        "cards_issued": form.cards_issued,
    }
    record(actor, "evote.closed", conference=form.conference_id, data=counts)
    return counts


@transaction.atomic
def close_evote(actor: Any, form: BallotForm) -> dict[str, int]:
    require(actor, CHAIR)
    form = _form(form)
    if form.evote == E.CLOSED:
        raise AlreadyDone(_("Electronic voting on this form has already been closed."))
    if form.evote != E.OPEN:
        raise ValidationError(_("Electronic voting is not open."))
    return close_form_evote(actor, form)


def turnout(form: BallotForm) -> dict[str, int]:
    """Cards used against cards issued — never any partial result."""
    form = BallotForm.objects.get(pk=form.pk)
    return {"used": form.code_cards.filter(state=CodeCard.State.USED).count(), "issued": form.cards_issued}


# --- the voter ------------------------------------------------------------------------------


def find_card(conference: Conference, code_text: str, *, lock: bool = False) -> CodeCard:
    """The card of a typed code, or VoteRefused with the reason."""
    canonical = codes.normalize(code_text)
    if canonical is None and typed_with_accents(code_text):
        raise VoteRefused(  # not a guess: the page does not count it against the phone
            _(
                "The code has letters with Vietnamese accents (such as Đ, Â or Á): the phone's Vietnamese keyboard "
                "changed what was typed. Switch the keyboard to English (or turn Vietnamese typing off) and type "
                "the code again, or scan the QR code on the card."
            ),
            "accents",
        )
    if canonical is None:
        raise VoteRefused(
            _("This is not a card code: it has 16 letters and digits, like K7QM-2XRD-9FTB-4NPA."), "malformed"
        )
    # The card and its form only (a hot path: every phone passes here twice); the conference's
    # state is read fresh below, its rule set comes with the caller's conference.
    queryset = CodeCard.objects.select_related("form")
    if lock:
        queryset = queryset.select_for_update()
    key = conference_key(conference)
    card = queryset.filter(code_hmac=codes.code_hmac(key, canonical), form__conference_id=conference.pk).first()
    if card is None:
        # One character off a card of this conference: a voter's slip, which the page does not count
        # against the phone (a hall reaching the server through one address shares its count). The
        # words are the same: a guesser learns nothing. A random code is one off one of a thousand
        # cards once in more than 10^18 tries (511 neighbours each, of 32^16 codes).
        slip = CodeCard.objects.filter(
            code_hmac__in=[codes.code_hmac(key, near) for near in codes.one_off(canonical)],
            form__conference_id=conference.pk,
        ).exists()
        raise VoteRefused(
            _("This code is not valid for this conference. Check what you typed."), "mistyped" if slip else "unknown"
        )
    if card.state == CodeCard.State.USED:
        raise VoteRefused(_("This code has already been used to vote."), "used")
    # The form's electronic vote opens only while the conference votes, and closes with it. Its
    # unused cards are cancelled then: a voter who comes with one is told the vote is closed, not
    # that the card was cancelled (which sends them to the committee about a card lost or stolen).
    if card.form.evote == E.CLOSED:
        raise VoteRefused(_("Voting is closed."), "closed")
    if card.state == CodeCard.State.VOID:
        raise VoteRefused(_("This card has been cancelled. Ask the counting committee."), "void")
    if card.form.evote == E.READY:
        raise VoteRefused(_("Voting has not opened yet. Please wait for the chair."), "not_open")
    if card.form.evote != E.OPEN:
        raise VoteRefused(_("Voting is closed."), "closed")
    card.form.conference = conference  # its rule set, without another query
    return card


def check_choices(form: BallotForm, choices: dict[int, str]) -> str:
    people = people_of(form)
    allowed = {str(level.digit) for level in form.conference.rules.levels} | {NO_MARK, SEVERAL_MARKS}
    if set(choices) - {p.pk for p in people}:
        raise VoteRefused(_("The ballot names a person who is not on this form."), "forged")
    keys = []
    for person in people:
        key = choices.get(person.pk, NO_MARK)
        if key not in allowed:
            raise VoteRefused(_("The ballot holds a level that does not exist."), "forged")
        keys.append(key)
    return "".join(keys)


@transaction.atomic
def cast_ballot(
    conference: Conference, *, code_text: str, choices: dict[int, str], tracking_code: str
) -> tuple[Receipt, bool]:
    """Store one ballot and consume its code, in one transaction. Returns (receipt, stored_now).

    A repeated submission of the same code with the same tracking code (a double tap, a retry
    after a network drop) finds the receipt already stored and stores nothing more.
    """
    tracking = codes.normalize(tracking_code, codes.TRACKING_LENGTH)
    if tracking is None:
        raise VoteRefused(_("The receipt code is missing. Start again from your card."), "forged")
    try:
        card = find_card(conference, code_text, lock=True)
    except VoteRefused as refused:
        if refused.reason == "used":
            existing = Receipt.objects.filter(tracking_code=tracking, form__conference=conference).first()
            if existing is not None:
                return existing, False
        raise
    marks = check_choices(card.form, choices)
    if Receipt.objects.filter(tracking_code=tracking).exists():
        raise VoteRefused(_("The receipt code is missing. Start again from your card."), "forged")
    ElectronicBallot.objects.create(form=card.form, marks=marks)
    receipt = Receipt.objects.create(form=card.form, tracking_code=tracking)
    updated = CodeCard.objects.filter(pk=card.pk, state=CodeCard.State.UNUSED).update(state=CodeCard.State.USED)
    if updated != 1:  # pragma: no cover - the row lock above makes this impossible
        raise VoteRefused(_("This code has already been used to vote."), "used")
    return receipt, True


def receipt_stored(conference: Conference, tracking_text: str) -> bool:
    tracking = codes.normalize(tracking_text, codes.TRACKING_LENGTH)
    return tracking is not None and Receipt.objects.filter(tracking_code=tracking, form__conference=conference).exists()


def receipt_guessed(conference: Conference, tracking_text: str) -> bool:
    """Whether a receipt code not found is a guess, which the page counts against the phone: not a
    code of the wrong length, nor one character off a stored receipt (a voter's slip, as a card
    code's in ``find_card``)."""
    tracking = codes.normalize(tracking_text, codes.TRACKING_LENGTH)
    return (
        tracking is not None
        and not Receipt.objects.filter(tracking_code__in=codes.one_off(tracking), form__conference=conference).exists()
    )


def electronic_ballots(form: BallotForm) -> list[Ballot]:
    rules = form.conference.rules
    return [to_ballot(rules, b.marks, "") for b in form.electronic_ballots.all()]


def ensure_closed(actor: Any, conference: Conference) -> None:
    """When the chair closes the vote, every electronic vote of the conference closes too: an open
    one, and one whose cards were made but which never opened (the hall voted on paper). Their
    unused cards stop working. Left "ready", such a form could never be finalised."""
    for form in BallotForm.objects.select_for_update().filter(conference=conference, evote__in=[E.OPEN, E.READY]):
        close_form_evote(actor, form)
