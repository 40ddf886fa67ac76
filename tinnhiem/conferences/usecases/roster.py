"""The voter roll (thành phần tham gia): by hand, or imported atomically from Excel or CSV."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import changed, record, values_of
from tinnhiem.text import fold, person_key

from ..models import Conference, RatedPerson, Voter
from ..roster_file import COLUMNS, Column, RosterError, RosterRow, RosterRows, read_roster
from .campaigns import check_not_cancelled


def check_preparing(conference: Conference) -> None:
    check_not_cancelled(conference)
    if conference.status != Conference.Status.PREPARING:
        raise ValidationError(_("The conference has started; the voter roll can no longer change here."))


def rated_name_index(conference: Conference) -> dict[str, list[RatedPerson]]:
    """The rated persons by ``person_key`` of their name, in the ballot's order (namesakes together)."""
    index: dict[str, list[RatedPerson]] = {}
    for person in conference.rated_persons.order_by("order", "pk"):
        index.setdefault(person_key(person.full_name), []).append(person)
    return index


def rated_person_of(voter: Voter, index: dict[str, list[RatedPerson]]) -> RatedPerson | None:
    """The rated person a voter of the same name may be: of two namesakes, the one of the same
    post (the roll and the ballot write it alike), else the first on the ballot."""
    found = index.get(person_key(voter.full_name), [])
    same_post = [p for p in found if fold(p.post) == fold(voter.post)]
    return (same_post or found or [None])[0]


def _apply_rated_policy(conference: Conference, voters: list[Voter], *, rows: list[RosterRow] | None = None) -> None:
    """QĐ 96 (warn): a rated person in the roll is flagged until the office confirms; NQ 96 (allow):
    deputies who are rated still vote, linked automatically; forbid: refused."""
    policy = conference.rules.rated_person_as_voter
    index = rated_name_index(conference)
    for i, voter in enumerate(voters):
        person = rated_person_of(voter, index)
        if person is None:
            continue
        if policy == "forbid":
            where = _("row %(row)s: ") % {"row": rows[i].row} if rows else ""
            raise ValidationError(
                where
                + _("%(name)s is a rated person and, under this rule set, cannot be a voter.")
                % {"name": voter.full_name}
            )
        if policy == "allow":
            voter.rated_person = person


def unresolved_rated_matches(conference: Conference) -> list[tuple[Voter, RatedPerson]]:
    """Voters whose name is that of a rated person, not yet confirmed or dismissed by the office."""
    index = rated_name_index(conference)
    out = []
    for voter in conference.voters.filter(rated_person__isnull=True, rated_match_dismissed=False):
        person = rated_person_of(voter, index)
        if person is not None:
            out.append((voter, person))
    return out


def _next_order(conference: Conference) -> int:
    return (conference.voters.aggregate(m=Max("order"))["m"] or 0) + 1


def _check_unique(conference: Conference, full_name: str, post: str, exclude: int | None = None) -> None:
    key = Voter.make_identity_key(full_name, post)
    clash = conference.voters.filter(identity_key=key).exclude(pk=exclude).first()
    if clash is not None:
        raise ValidationError(
            _("%(name)s (%(post)s) is already in the voter roll (No. %(order)s).")
            % {"name": clash.full_name, "post": clash.post, "order": clash.order}
        )


@transaction.atomic
def add_voter(
    actor: Any,
    conference: Conference,
    *,
    full_name: str,
    post: str,
    unit: str = "",
    phone: str = "",
    email: str = "",
    note: str = "",
) -> Voter:
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_preparing(conference)
    _check_unique(conference, full_name, post)
    voter = Voter(
        conference=conference,
        order=_next_order(conference),
        full_name=full_name,
        post=post,
        unit=unit,
        phone=phone,
        email=email,
        note=note,
    )
    voter.full_clean(exclude=["identity_key"])
    _apply_rated_policy(conference, [voter])
    voter.save()
    record(actor, "voter.added", conference=conference, data={"voter": voter.pk, "name": voter.full_name})
    return voter


@transaction.atomic
def update_voter(actor: Any, voter: Voter, **fields: Any) -> Voter:
    require(actor, PREPARE)
    voter = Voter.objects.select_for_update().select_related("conference__campaign").get(pk=voter.pk)
    check_preparing(voter.conference)
    before = values_of(voter, fields)
    for key, value in fields.items():
        setattr(voter, key, value)
    _check_unique(voter.conference, voter.full_name, voter.post, exclude=voter.pk)
    voter.full_clean(exclude=["identity_key"])
    if fields_changed := changed(voter, before):
        voter.save()
        record(actor, "voter.updated", conference=voter.conference, data={"voter": voter.pk, "fields": fields_changed})
    return voter


@transaction.atomic
def remove_voter(actor: Any, voter: Voter) -> None:
    require(actor, PREPARE)
    voter = Voter.objects.select_for_update().select_related("conference").get(pk=voter.pk)
    check_preparing(voter.conference)
    conference, data = voter.conference, {"voter": voter.pk, "name": voter.full_name}
    voter.delete()
    record(actor, "voter.removed", conference=conference, data=data)


@transaction.atomic
def resolve_rated_match(actor: Any, voter: Voter, *, same_person: bool) -> Voter:
    """The office confirms that a voter is (or is not) the rated person of the same name."""
    require(actor, PREPARE)
    voter = Voter.objects.select_for_update().select_related("conference__campaign").get(pk=voter.pk)
    check_preparing(voter.conference)
    person = rated_person_of(voter, rated_name_index(voter.conference))
    if person is None:
        raise ValidationError(_("No rated person has this voter's name."))
    if same_person:
        voter.rated_person, voter.rated_match_dismissed = person, False
    else:
        voter.rated_person, voter.rated_match_dismissed = None, True
    voter.save()
    record(
        actor,
        "voter.rated_match_resolved",
        conference=voter.conference,
        data={"voter": voter.pk, "person": person.pk, "same_person": same_person},
    )
    return voter


@transaction.atomic
def revoke_invitation(actor: Any, voter: Voter) -> Voter:
    """A lost or leaked invitation: the old link stops working; a new one is printed."""
    from ..models import new_nonce

    require(actor, PREPARE)
    voter = Voter.objects.select_for_update().get(pk=voter.pk)
    voter.link_nonce = new_nonce()
    voter.save(update_fields=["link_nonce"])
    record(actor, "invitation.revoked", conference=voter.conference_id, data={"voter": voter.pk})
    return voter


@dataclass
class ImportReport:
    created: int
    replaced: int
    rated_matches: list[str] = field(default_factory=list)
    converted: int = 0  # rows typed in an old TCVN3 font (.VnTime), converted to Unicode
    headings: list[tuple[int, str]] = field(default_factory=list)  # rows passed over: (row, text)
    unused: list[str] = field(default_factory=list)  # the headers of the columns left out, unread
    addressed: int = 0  # names written after "Đ/c" or "Đồng chí", taken out (RosterRow.address_removed)
    unclear: list[tuple[int, str]] = field(default_factory=list)  # (row, name) beginning with Ông, Bà or ĐỒNG CHÍ


def _voter(conference: Conference, source: RosterRow | Voter, order: int, key: str) -> Voter:
    """A new voter of ``conference`` with the particulars of a file's row or of another roll's voter."""
    return Voter(
        conference=conference,
        order=order,
        full_name=source.full_name,
        post=source.post,
        unit=source.unit,
        phone=source.phone,
        email=source.email,
        note=source.note,
        identity_key=key,
    )


def file_refused(problem: str, row: int | None = None) -> ValidationError:
    """The message of a list file not imported (the voter roll, the rated persons): nothing was
    saved, and why, with the row at fault."""
    if row is not None:
        problem = _("row %(row)s") % {"row": row} + ": " + problem
    return ValidationError(_("The file was not imported, nothing was saved — %(problem)s") % {"problem": problem})


def read_list_file(filename: str, data: bytes, columns: tuple[Column, ...] = COLUMNS) -> RosterRows:
    """The rows of a list file, every one checked; a bad file is refused with the reason."""
    try:
        rows = read_roster(filename, data, settings.TINNHIEM_MAX_ROSTER_BYTES, columns)
    except RosterError as exc:
        raise file_refused(exc.describe()) from exc
    first: dict[str, int] = {}  # the same person twice (NFC, case-folded name and post) names both rows
    for row in rows:
        key = Voter.make_identity_key(row.full_name, row.post)
        if key in first:
            raise file_refused(
                _("%(name)s (%(post)s) appears twice in the file (also row %(other)s).")
                % {"name": row.full_name, "post": row.post, "other": first[key]},
                row=row.row,
            )
        first[key] = row.row
    return rows


@transaction.atomic
def import_roster(
    actor: Any, conference: Conference, *, filename: str, data: bytes, replace: bool = False
) -> ImportReport:
    """Import a whole file or nothing: any bad row rejects the file with its row, column and reason."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().select_related("campaign").get(pk=conference.pk)
    check_preparing(conference)
    rows = read_list_file(filename, data)
    existing = {} if replace else {v.identity_key: v for v in conference.voters.all()}
    voters = []
    order = 1 if replace else _next_order(conference)
    numbers = [row.order for row in rows if row.order is not None]
    # numbers that start again under each heading of a group (1, 2, 3 | 1, 2), or that repeat (a
    # number cell merged down) do not order the roll: the rows' own order does
    own_numbers = len(set(numbers)) == len(numbers)
    for row in rows:
        key = Voter.make_identity_key(row.full_name, row.post)
        if key in existing:
            raise file_refused(
                _("%(name)s (%(post)s) is already in the voter roll (No. %(order)s).")
                % {"name": row.full_name, "post": row.post, "order": existing[key].order},
                row=row.row,
            )
        voters.append(_voter(conference, row, row.order if own_numbers and row.order is not None else order, key))
        order = max(order, voters[-1].order) + 1
    _apply_rated_policy(conference, voters, rows=rows)
    replaced = 0
    if replace:
        replaced = conference.voters.count()
        conference.voters.all().delete()
    Voter.objects.bulk_create(voters)
    report = ImportReport(
        created=len(voters),
        replaced=replaced,
        converted=sum(row.converted for row in rows),
        headings=rows.headings,
        unused=rows.unused,
        addressed=rows.addressed,
        unclear=rows.unclear,
    )
    report.rated_matches = [f"{v.full_name} — {p.full_name}" for v, p in unresolved_rated_matches(conference)]
    record(
        actor,
        "roster.imported",
        conference=conference,
        data={
            "file": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(voters),
            "replaced": replaced,
            "converted": report.converted,
            "address_removed": report.addressed,
            "headings": [number for number, _text in rows.headings],
            "unused_columns": rows.unused,
        },
    )
    return report


@transaction.atomic
def copy_roll(actor: Any, source: Conference, target: Conference) -> int:
    """The voter roll of ``source``, in its order, as the roll of ``target`` (a conference being
    prepared, with an empty roll): the same deputies vote again at a confidence vote. Attendance,
    links and codes are the new conference's own. Returns the number of voters."""
    require(actor, PREPARE)
    target = Conference.objects.select_for_update().select_related("campaign").get(pk=target.pk)
    check_preparing(target)
    if target.voters.exists():
        raise ValidationError(_("The voter roll of this conference is not empty."))
    voters = [_voter(target, v, v.order, v.identity_key) for v in source.voters.order_by("order", "id")]
    _apply_rated_policy(target, voters)
    Voter.objects.bulk_create(voters)
    record(actor, "roster.copied", conference=target, data={"roll_of_conference": source.pk, "rows": len(voters)})
    return len(voters)
