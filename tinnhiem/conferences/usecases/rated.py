"""Rated persons (người được lấy phiếu tín nhiệm) and the exclusions of the rule set."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import changed, record, values_of
from tinnhiem.i18n import official_language, rule_words
from tinnhiem.rules import ExclusionGround, exclusion_grounds

from ..models import Conference, RatedPerson, Voter
from ..roster_file import RATED_COLUMNS, heading_group
from .campaigns import check_not_cancelled
from .roster import file_refused, read_list_file


class DecisionNeeded(ValidationError):
    """The rule set names grounds for not rating this person: the office must decide, with a reason."""

    def __init__(self, grounds: list[ExclusionGround]) -> None:
        self.grounds = grounds
        super().__init__(describe_grounds(grounds))


def state_grounds(grounds: list[ExclusionGround]) -> str:
    """The grounds the rule set gives for not rating a person, with the article."""
    return _("By the rule set this person is not rated (%(reasons)s) — %(citation)s.") % {
        "reasons": "; ".join(_(g.message) for g in grounds),
        "citation": rule_words(grounds[0].citation.text) if grounds else "",
    }


def describe_grounds(grounds: list[ExclusionGround]) -> str:
    """The grounds, and that the office must decide (a person being added or changed)."""
    then = _("Record the decision.")
    return f"{state_grounds(grounds)} {then}"


def grounds_for(
    conference: Conference, *, retirement_notified: bool, took_office_on: date | None
) -> list[ExclusionGround]:
    return exclusion_grounds(
        conference.rules,
        retirement_notified=retirement_notified,
        took_office_on=took_office_on,
        rating_date=conference.date,
    )


def grounds_of(person: RatedPerson, conference: Conference | None = None) -> list[ExclusionGround]:
    """The rule set's grounds for not rating this person, as their fields now are (``conference``:
    theirs, when the caller has it already)."""
    return grounds_for(
        conference or person.conference,
        retirement_notified=person.retirement_notified,
        took_office_on=person.took_office_on,
    )


def _apply(person: RatedPerson, decision: str | None, decision_note: str) -> list[ExclusionGround]:
    took_office_on, held_on = person.took_office_on, person.conference.date
    if took_office_on is not None and took_office_on > held_on:  # a mistyped year: 2032 for 2023
        raise ValidationError(
            _("The day of election or appointment (%(day)s) is after the conference (%(conference)s).")
            % {"day": f"{took_office_on:%d/%m/%Y}", "conference": f"{held_on:%d/%m/%Y}"}
        )
    grounds = grounds_of(person)
    if grounds:
        if decision is None:
            raise DecisionNeeded(grounds)
        if decision == RatedPerson.Decision.RATED and not decision_note.strip():
            raise ValidationError(
                _("Give the reason for rating this person despite the rule set's grounds for not rating.")
            )
    elif decision == RatedPerson.Decision.EXCLUDED and not decision_note.strip():
        raise ValidationError(_("Give the reason for not rating this person."))
    person.decision = decision or RatedPerson.Decision.RATED
    person.decision_note = decision_note
    return grounds


def check_preparing(conference: Conference) -> None:
    check_not_cancelled(conference)
    if conference.status != Conference.Status.PREPARING:
        raise ValidationError(_("The conference has started; the list of rated persons can no longer change."))


def _check_not_listed(conference: Conference, full_name: str, post: str, exclude: int | None = None) -> None:
    """The same name and post twice would put one person on the ballot twice (a form sent twice,
    a name typed again): refused, as in the voter roll (NFC, case-folded)."""
    key = Voter.make_identity_key(full_name, post)
    for other in conference.rated_persons.exclude(pk=exclude):
        if Voter.make_identity_key(other.full_name, other.post) == key:
            raise ValidationError(
                _("%(name)s (%(post)s) is already in this list (No. %(order)s).")
                % {"name": other.full_name, "post": other.post, "order": other.order}
            )


@transaction.atomic
def add_rated_person(
    actor: Any,
    conference: Conference,
    *,
    full_name: str,
    post: str,
    group: str = "",
    retirement_notified: bool = False,
    took_office_on: date | None = None,
    decision: str | None = None,
    decision_note: str = "",
    note: str = "",
) -> RatedPerson:
    """Add a person; when the rule set names grounds for not rating them, ``decision`` is required.
    ``note``: the office's own note (its list's "Ghi chú"), shown beside the person; it decides nothing."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_preparing(conference)
    _check_not_listed(conference, full_name, post)
    order = (conference.rated_persons.aggregate(m=Max("order"))["m"] or 0) + 1
    person = RatedPerson(
        conference=conference,
        order=order,
        full_name=full_name,
        post=post,
        group=group,
        retirement_notified=retirement_notified,
        took_office_on=took_office_on,
        note=note,
    )
    grounds = _apply(person, decision, decision_note)
    person.full_clean()
    person.save()
    record(
        actor,
        "rated_person.added",
        conference=conference,
        data={
            "person": person.pk,
            "name": person.full_name,
            "post": person.post,
            "decision": person.decision,
            "grounds": [g.key for g in grounds],
        },
    )
    return person


class ImportedPersons(list):
    """The persons an imported list added, in its order; ``converted``: how many of its rows were
    typed in an old TCVN3 font (.VnTime) and converted to Unicode, for the office to check;
    ``headings``: the rows passed over as headings of a group or a total, (row, text) each;
    ``unused``: the headers of the columns left out, unread (particulars the vote does not need);
    ``heading_groups``: the ballot groups taken from headings, each with its number of persons;
    ``addressed``: how many names were written after "Đ/c" or "Đồng chí", taken out; ``unclear``:
    the names beginning with Ông, Bà or ĐỒNG CHÍ, (row, name) each, for the office to say which it is."""

    def __init__(self) -> None:
        super().__init__()
        self.converted = 0
        self.headings: list[tuple[int, str]] = []
        self.unused: list[str] = []
        self.heading_groups: dict[str, int] = {}
        self.addressed = 0
        self.unclear: list[tuple[int, str]] = []


@transaction.atomic
def import_rated_persons(actor: Any, conference: Conference, *, filename: str, data: bytes) -> ImportedPersons:
    """Add the persons of an Excel or CSV list (STT, Họ và tên, Chức vụ; and, if the file has
    them, Nhóm trên phiếu, Ngày được bầu, bổ nhiệm, Đã có thông báo nghỉ hưu), after those
    already listed, in the order of the file's rows: the order of the ballot. The whole file or
    nothing: a bad row rejects it with its row, column and reason.

    A row on which the rule set names grounds for not rating the person (elected or appointed
    too recently, notified of retirement) is added as not rated, with those grounds and their
    article as the reason; the office sees it in the list and may rate the person anyway, with a
    reason, as when adding one by hand."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_preparing(conference)

    rows = read_list_file(filename, data, RATED_COLUMNS)
    people = ImportedPersons()
    people.converted = sum(row.converted for row in rows)
    people.addressed, people.unclear = rows.addressed, rows.unclear
    people.headings, people.unused = rows.headings, rows.unused
    # a list made by groups under headings ("I. THƯỜNG TRỰC HĐND", "II. ỦY BAN NHÂN DÂN"), as
    # lists of persons rated are: a person without a group of its own is in the group of the
    # heading above (a ballot form by group is then made in one step)
    headings = sorted(people.headings + rows.captions)
    groups = []
    for row in rows:
        above = [text for number, text in headings if number < row.row]
        group = row.group or (heading_group(above[-1]) if above else "")
        if group and not row.group:
            people.heading_groups[group] = people.heading_groups.get(group, 0) + 1
        groups.append(group)
    for row, group in zip(rows, groups, strict=True):
        grounds = grounds_for(
            conference, retirement_notified=row.retirement_notified, took_office_on=row.took_office_on
        )
        try:
            people.append(
                add_rated_person(
                    actor,
                    conference,
                    full_name=row.full_name,
                    post=row.post,
                    group=group,
                    retirement_notified=row.retirement_notified,
                    took_office_on=row.took_office_on,
                    decision=RatedPerson.Decision.EXCLUDED if grounds else None,
                    decision_note=_stored_exclusion(grounds),
                    note=row.note,
                )
            )
        except ValidationError as exc:  # already listed, a name too long for the ballot…
            raise file_refused(" ".join(exc.messages), row=row.row) from exc
    record(
        actor,
        "rated_persons.imported",
        conference=conference,
        data={
            "file": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(people),
            "not_rated": [p.pk for p in people if not p.on_ballot],
            "converted": people.converted,
            "address_removed": people.addressed,
            "headings": [number for number, _text in people.headings],
            "unused_columns": people.unused,
            **({"heading_groups": people.heading_groups} if people.heading_groups else {}),
        },
    )
    return people


def imported_exclusion(grounds: list[ExclusionGround]) -> str:
    """The reason recorded for a person an imported list adds as not rated, in the language active."""
    return _("By the rule set (%(reasons)s); recorded on import of the list.") % {
        "reasons": "; ".join(_(g.message) for g in grounds)
    }


def _stored_exclusion(grounds: list[ExclusionGround]) -> str:
    """``imported_exclusion`` as stored: in Vietnamese, whoever imports (versions before 2026-12
    stored it in the importer's language: ``not_rated_reason`` knows it in each)."""
    if not grounds:
        return ""
    with official_language():
        return imported_exclusion(grounds)


def not_rated_reason(person: RatedPerson, conference: Conference | None = None) -> str:
    """Why a person is not on the ballot, as the report to the managing authority states it: the
    rule set's grounds with their article, then the office's own reason, unless that only repeats
    the grounds (the reason an imported list records)."""
    grounds = grounds_of(person, conference)
    note = person.decision_note.strip()
    parts = []
    if grounds:
        reasons = "; ".join(_(g.message) for g in grounds)
        parts.append(f"{reasons} — {grounds[0].citation.source}")
        repeats = set()
        for language, _name in settings.LANGUAGES:  # recorded in the language of whoever imported
            with translation.override(language):
                repeats.add(imported_exclusion(grounds))
        if note in repeats:
            note = ""
    if note:
        parts.append(note.rstrip("."))
    return ". ".join(parts)


def not_rated(conference: Conference) -> list[dict[str, str]]:
    """The persons of the list who are not on the ballot, in its order, each with the reason."""
    return [
        {"name": p.full_name, "post": p.post, "reason": not_rated_reason(p, conference)}
        for p in conference.rated_persons.filter(decision=RatedPerson.Decision.EXCLUDED).order_by("order", "id")
    ]


EDITED = ("full_name", "post", "group", "retirement_notified", "took_office_on", "note", "decision", "decision_note")


@transaction.atomic
def update_rated_person(
    actor: Any,
    person: RatedPerson,
    *,
    full_name: str,
    post: str,
    group: str,
    retirement_notified: bool,
    took_office_on: date | None,
    decision: str | None,
    decision_note: str = "",
    note: str | None = None,
) -> RatedPerson:
    """Edit a person. The edit form shows the decision recorded; ``None`` is its choice
    "according to the rule set", made on purpose there: not rated if the rule set gives grounds,
    rated if not. ``note`` None keeps the office's note as it is."""
    require(actor, PREPARE)
    person = RatedPerson.objects.select_for_update().select_related("conference__campaign").get(pk=person.pk)
    check_preparing(person.conference)
    _check_not_listed(person.conference, full_name, post, exclude=person.pk)
    before = values_of(person, EDITED)
    person.full_name, person.post, person.group = full_name, post, group
    person.retirement_notified, person.took_office_on = retirement_notified, took_office_on
    if note is not None:
        person.note = note
    if decision is None:
        decision = RatedPerson.Decision.EXCLUDED if grounds_of(person) else RatedPerson.Decision.RATED
    grounds = _apply(person, decision, decision_note)
    person.full_clean()
    if not changed(person, before):
        return person
    person.save()
    record(
        actor,
        "rated_person.updated",
        conference=person.conference,
        data={
            "person": person.pk,
            "name": person.full_name,
            "decision": person.decision,
            "grounds": [g.key for g in grounds],
        },
    )
    return person


def locked_person(person: RatedPerson) -> RatedPerson:
    """``person`` as now recorded, with its conference, locked until the transaction ends: a
    dossier, an opinion or an explanation is not hung on a rated person removed meanwhile
    (``remove_rated_person`` takes the same lock, then sees what was hung on it). One removed since
    the page was shown is refused in words, not as an error of the database."""
    found = (
        RatedPerson.objects.select_for_update(of=("self",)).select_related("conference").filter(pk=person.pk).first()
    )
    if found is None:
        raise _removed(person)
    return found


def current_person(person: RatedPerson) -> RatedPerson:
    """``person`` as now recorded, with its conference, not locked: what a use case checks before a
    step of seconds (photos made into a PDF), so that the person's lock, which every opinion,
    dossier or explanation about them waits for, is taken after it (``locked_person``)."""
    found = RatedPerson.objects.select_related("conference").filter(pk=person.pk).first()
    if found is None:
        raise _removed(person)
    return found


def _removed(person: RatedPerson) -> ValidationError:
    return ValidationError(
        _("“%(name)s” has just been removed from the persons on the ballot: open the page again.")
        % {"name": person.full_name}
    )


@transaction.atomic
def remove_rated_person(actor: Any, person: RatedPerson) -> None:
    require(actor, PREPARE)
    person = RatedPerson.objects.select_for_update().select_related("conference").get(pk=person.pk)
    check_preparing(person.conference)
    if person.dossiers.exists() or person.opinions.exists() or person.explanations.exists():
        raise ValidationError(
            _(
                "This person already has dossiers, opinions or explanations; record a decision not to rate them instead of deleting."
            )
        )
    data = {"person": person.pk, "name": person.full_name}
    conference = person.conference
    person.delete()
    record(actor, "rated_person.removed", conference=conference, data=data)
