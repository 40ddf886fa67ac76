"""The audit log in words a reader of the log understands.

The log stores each event as an action code and its data (docs/audit.md); that is what the chain
hashes and what the exported record carries. This module only says it in the reader's language:
a label for each action, a label for each field of its data, and the value of a field that holds
a choice (a role, a counting mode, …) by the choice's own label. Nothing here changes what is
stored. A test checks that every action and data field that the code records has its label here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tinnhiem.text import small_int

ACTIONS = {
    "account.removed": _("Login account removed"),
    "account.saved": _("Login account created or changed"),
    "agenda.advanced": _("Agenda moved on"),
    "attendance.absent": _("Absence recorded"),
    "attendance.checked_in": _("Attendance checked in"),
    "attendance.undone": _("Attendance undone"),
    "ballot_form.created": _("Ballot form created"),
    "ballot_form.mode": _("Counting mode chosen"),
    "ballot_form.updated": _("Ballot form renamed or recoloured"),
    "ballot_form.removed": _("Ballot form removed"),
    "ballots.counted": _("Ballots issued and collected recorded"),
    "ballots.destroyed": _("Destruction of the ballots recorded"),
    "ballots.held": _("Sealed ballots held: a complaint or denunciation is open"),
    "ballots.released": _("Hold on the sealed ballots ended"),
    "body.created": _("Body created"),
    "body.updated": _("Body changed"),
    "body.removed": _("Body removed"),
    "campaign.created": _("Campaign created"),
    "campaign.updated": _("Campaign changed"),
    "campaign.removed": _("Campaign removed"),
    "cards.generated": _("Code cards generated"),
    "cards.issued": _("Code cards issued"),
    "cards.voided": _("Code cards voided"),
    "committee.proposed": _("Counting committee member proposed"),
    "committee.removed": _("Counting committee member removed"),
    "committee.vote": _("Vote on the counting committee"),
    "conference.adjourned": _("Conference adjourned to a later day"),
    "conference.cancelled": _("Conference cancelled"),
    "conference.created": _("Conference created"),
    "conference.follow_up": _("Confidence vote prepared from the results"),
    "conference.opened": _("Conference opened"),
    "conference.removed": _("Conference removed"),
    "conference.restored": _("Cancelled conference restored"),
    "conference.signer_set": _("Signer of the body's documents set"),
    "conference.updated": _("Conference changed"),
    "count.finalised": _("Count finalised"),
    "count.reopened": _("Count reopened"),
    "dossier.removed": _("Dossier removed"),
    "dossier.uploaded": _("Dossier uploaded"),
    "dossiers.distributed": _("Dossiers sent to the voters"),
    "entry.ballot": _("Ballot entered"),
    "entry.corrected": _("Entered ballot corrected"),
    "entry.moved_device": _("Entry pass moved to another device"),
    "entry.resolved": _("Difference between the two entries resolved"),
    "entry.started": _("Entry pass started"),
    "evote.closed": _("Electronic voting closed"),
    "evote.opened": _("Electronic voting opened"),
    "explanation.recorded": _("Explanation recorded"),
    "explanation.removed": _("Explanation removed before it was sent to the voters"),
    "explanations.distributed": _("Explanations sent to the voters"),
    "invitation.revoked": _("Invitation link revoked"),
    "opinion.addressed": _("Person chosen for a general request for explanation"),
    "opinion.classified": _("Opinion classified"),
    "opinion.entered": _("Opinion entered from paper"),
    "opinion.removed": _("Opinion entered by mistake removed"),
    "opinions.imported": _("Table of opinions imported"),
    "opinion.received": _("Opinion received"),
    "quorum.overridden": _("Vote opened without the quorum, with the chair's reason"),
    "rated_person.added": _("Rated person added"),
    "rated_persons.imported": _("Rated persons imported"),
    "rated_person.removed": _("Rated person removed"),
    "rated_person.updated": _("Rated person changed"),
    "record.exported": _("Record of the conference exported"),
    "requests.forwarded": _("Requests for explanation forwarded"),
    "results.published": _("Results announced"),
    "roster.copied": _("Voter roll copied from the rating"),
    "roster.imported": _("Voter roll imported"),
    "ruling.recorded": _("Committee ruling recorded"),
    "scan.by_hand": _("Scanned ballot read by the committee"),
    "scan.file": _("Scanned file read"),
    "scan.refused": _("Scanned files refused by a check of the stack (nothing of them counted)"),
    "scan.reviewed": _("Scanned ballot reviewed"),
    "scan.withdrawn": _("Scanned ballot withdrawn"),
    "site.backed_up": _("Backup of the whole site downloaded"),
    "totals.recorded": _("Hand-counted totals recorded"),
    "voter.added": _("Voter added"),
    "voter.rated_match_resolved": _("Voter and rated person of the same name: decided"),
    "voter.removed": _("Voter removed"),
    "voter.updated": _("Voter changed"),
    "vote.repeated": _("Vote on a ballot form held again (the earlier vote discarded)"),
    "voting.closed": _("Voting closed"),
    "voting.opened": _("Voting opened"),
}

FIELDS = {
    "abstaining": _("abstaining"),
    "active": _("active"),
    "against": _("against"),
    "answers": _("answers"),
    "approved": _("approved"),
    "ballots": _("ballots"),
    "body": _("body"),
    "bytes": _("bytes"),
    "campaign": _("campaign"),
    "cancelled": _("reason for the cancellation"),
    "cards_issued": _("code cards issued"),
    "chair_name": _("chaired by"),
    "signer_name": _("signer of the documents"),
    "signer_post": _("post of the signer"),
    "signer_for": _("signing for the head (KT., TL.)"),
    "invitation_signer_name": _("signer of the invitations"),
    "invitation_signer_post": _("post of the invitations' signer"),
    "invitation_signer_for": _("invitations: signing for the head"),
    "collected": _("ballots collected"),
    "committee": _("counting committee"),
    "color": _("paper colour"),
    "complaint": _("complaint"),
    "convened": _("convened"),
    "convening_body": _("convening body"),
    "converted": _("rows converted from an old font (TCVN3 or VNI) to Unicode"),
    "address_removed": _("names written after “Đ/c” or “Đồng chí”, which was taken out"),
    "headings": _("rows passed over as headings of a group or a total"),
    "unused_columns": _("columns left out, unread (particulars the vote does not need)"),
    "heading_groups": _("ballot groups taken from the headings of the list (persons in each)"),
    "submission": _("key of the page sent (the same page sent again is known by it)"),
    "count": _("number"),
    "created": _("new account"),
    "date": _("date"),
    "decision": _("decision"),
    "subject": _("matter to rule on"),
    "symbol": _("symbol in document numbers"),
    "drafting_unit": _("drafting unit in “Lưu: VT, …”"),
    "parent": _("managing authority"),
    "reports_to": _("managing authority"),
    "locality": _("place name in documents"),
    "governing_body": _("governing body, above the name in documents"),
    "system": _("kind of body"),
    "conclusion": _("the committee's conclusion"),
    "destruction_decision": _("decision to destroy"),
    "dossier": _("dossier"),
    "dossiers": _("dossiers"),
    "electronic": _("electronic ballots"),
    "entered": _("ballots entered"),
    "explanation": _("explanation"),
    "explanations": _("explanations"),
    "fields": _("fields changed"),
    "file": _("file"),
    "file_in_request": _("file's place in the request sent (from 0)"),
    "files": _("files"),
    "for": _("for"),
    "form": _("ballot form"),
    "from": _("before"),
    "grounds": _("grounds"),
    "images_removed": _("scan images removed"),
    "invalid": _("invalid"),
    "issued": _("ballots issued"),
    "from_person": _("sent by the person through their link"),
    "keys": _("marks read"),
    "last_page_first": _("stack scanned last page first"),
    "late": _("late"),
    "level": _("level"),
    "listed_count": _("persons on the list"),
    "marks": _("marks"),
    "member": _("committee member"),
    "mode": _("counting mode"),
    "name": _("name"),
    "not_rated": _("not rated, by the rule set"),
    "note": _("note"),
    "on": _("on"),
    "opinion": _("opinion"),
    "opinions": _("opinions"),
    "other_member": _("member whose stack has a ballot waiting"),
    "pages": _("pages"),
    "page_set_aside": _("page set aside just before, asked about (no. in the order scanned)"),
    "pages_set_aside": _("pages set aside"),
    "pass": _("entry pass"),
    "password_set": _("password set"),
    "people": _("rated persons"),
    "person": _("rated person"),
    "place": _("place"),
    "position": _("ballot no."),
    "post": _("post"),
    "present": _("present"),
    "quorate": _("quorum met"),
    "reason": _("reason"),
    "recorded_by": _("recorded by"),
    "received_on": _("received on"),
    "refused_for": _("refused because"),
    "receipts": _("receipts"),
    "replaced": _("replaced"),
    "required": _("required"),
    "result_sha256": _("SHA-256 of the result"),
    "role": _("role"),
    "roles": _("roles"),
    "roll_count": _("persons on the voter roll"),
    "roll_of_conference": _("voter roll of conference no."),
    "rows": _("rows"),
    "rule_set": _("rule set"),
    "ruling": _("ruling"),
    "scanned": _("ballots scanned"),
    "same_person": _("same person"),
    "settlement": _("how it was settled"),
    "sha256": "SHA-256",
    "signed_by": _("signed by"),
    "signed": _("signed"),
    "source": _("source"),
    "spoilt": _("spoilt ballots exchanged"),
    "start_time": _("start time"),
    "step": _("agenda item"),
    "superuser": _("superuser (every right)"),
    "tag": _("classification"),
    "text": _("text"),
    "title": _("title"),
    "to": _("after"),
    "to_review": _("to review"),
    "took_over_from": _("continues the stack of"),
    "totals": _("totals"),
    "user": _("login account"),
    "version": _("version"),
    "voided": _("voided"),
    "voter": _("voter"),
    "voters": _("voters"),
    "vote_conference": _("confidence vote: conference no."),
    "whole_invalid": _("whole ballots invalid"),
}

ACTORS = {
    "system": _("the system"),
    "anonymous": _("not signed in"),
    "invitation-link": _("an invitation link"),
    "explanation-link": _("a rated person's own link"),
    "rated-person-link": _("a rated person's own link"),  # the same link, in events written before its code was one
}

PEOPLE = {  # data key → kind of id
    "voter": "voter",
    "voters": "voter",
    "person": "person",
    "not_rated": "person",
    "member": "member",
    "other_member": "member",
    "took_over_from": "member",
}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day as events store it (the date of a conference, of an adjournment)
LIST_SHOWN = 12  # a longer list (the voters checked in at once, say) is cut, with its length


@cache
def _choices() -> dict[str, dict[str, Any]]:
    from tinnhiem.conferences.models import BallotForm, Body, CommitteeMember, Opinion, RatedPerson

    return {
        "role": dict(CommitteeMember.Role.choices),
        "mode": dict(BallotForm.Mode.choices),
        "decision": dict(RatedPerson.Decision.choices),
        "source": dict(Opinion.Source.choices),
        "tag": dict(Opinion.Tag.choices),
        "level": dict(Body.Level.choices),
        "system": dict(Body.System.choices),
        "refused_for": {
            "order": _("the pages are in the other order than the committee said the stack was fed"),
            "other_stack": _("a ballot of another member's stack waits for its other pages"),
        },
    }


@cache
def _field_names() -> dict[str, Any]:
    """What a changed field is called, for the lists of changed fields."""
    from tinnhiem.conferences.models import Body, Campaign, Conference, Voter

    names: dict[str, Any] = {}
    for model in (Voter, Campaign, Conference, Body):
        for f in model._meta.get_fields():
            if getattr(f, "verbose_name", None):
                names.setdefault(f.name, f.verbose_name)
    return names


@dataclass(frozen=True)
class Detail:
    label: str
    value: str
    full: str = ""  # the whole value, where ``value`` is shortened


@dataclass(frozen=True)
class Described:
    action: str  # the label
    actor: str
    details: list[Detail]


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def actor_label(actor: str) -> str:
    return str(ACTORS.get(actor, actor))


def _text(value: Any) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if value is None:
        return "—"
    if isinstance(value, list):
        shown = ", ".join(_text(v) for v in value[:LIST_SHOWN])
        return shown + (f", … ({len(value)})" if len(value) > LIST_SHOWN else "")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if isinstance(value, str) and ISO_DAY.fullmatch(value):  # a day as the log stores it: as a Vietnamese reads it
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return str(value)


@cache
def _level_names() -> dict[str, tuple[str, str]]:
    """A ballot level's key → its label in Vietnamese and in English, from the rule sets (a key
    such as ``high`` means the same box in every one of them)."""
    from tinnhiem.rules.loader import builtin_rule_sets

    return {level.key: (level.label, level.label_en) for rules in builtin_rule_sets() for level in rules.levels}


def _totals(value: dict[str, Any], names_of: Mapping[tuple[str, int], str] | None) -> str:
    """Hand-counted totals, {person id: {level: count, "invalid": count}}, as a reader says them:
    'Name (#7): Tín nhiệm cao 30, Tín nhiệm 0, Tín nhiệm thấp 1, không hợp lệ 1; …'."""
    english = (translation.get_language() or "vi").startswith("en")
    levels = _level_names()
    rows = []
    for pk, counts in value.items():
        who = f"#{pk}"
        if names_of and ("person", small_int(str(pk))) in names_of:
            who = f"{names_of[('person', small_int(str(pk)))]} (#{pk})"
        if not isinstance(counts, dict):
            rows.append(f"{who}: {_text(counts)}")
            continue
        parts = []
        for key, count in counts.items():
            if key == "invalid":
                parts.append(f"{FIELDS['invalid']} {count}")
            elif key in levels:
                parts.append(f"{levels[key][1 if english else 0]} {count}")
            else:
                parts.append(f"{key} {count}")
        rows.append(f"{who}: {', '.join(parts)}")
    return "; ".join(rows)


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def people(events: Iterable[Any]) -> dict[tuple[str, int], str]:
    """The names behind the ids of voters, rated persons and committee members in ``events``,
    looked up once for a page of the log: (kind, id) → full name."""
    from tinnhiem.conferences.models import CommitteeMember, RatedPerson, Voter

    wanted: dict[str, set[int]] = {"voter": set(), "person": set(), "member": set()}
    for event in events:
        data = event.data or {}
        for key, kind in PEOPLE.items():
            wanted[kind].update(_ids(data.get(key)))
        if isinstance(data.get("totals"), dict):  # hand-counted totals are keyed by rated person
            wanted["person"].update(pk for k in data["totals"] if (pk := small_int(str(k))) is not None)
    found = {
        "voter": Voter.objects.filter(pk__in=wanted["voter"]).values_list("pk", "full_name"),
        "person": RatedPerson.objects.filter(pk__in=wanted["person"]).values_list("pk", "full_name"),
        "member": CommitteeMember.objects.filter(pk__in=wanted["member"]).values_list("pk", "voter__full_name"),
    }
    return {(kind, pk): name for kind, rows in found.items() for pk, name in rows}


def details(
    data: dict[str, Any], names_of: Mapping[tuple[str, int], str] | None = None, *, vote: bool = False
) -> list[Detail]:
    """``names_of``: from :func:`people`; an id whose name is known is shown as the name (its id
    beside it), one removed since is shown as its id. ``vote``: the event is of a confidence vote's
    conference, whose agenda names its steps as the vote does."""
    from tinnhiem.conferences.models import Conference

    choices, names = _choices(), _field_names()
    out = []
    for key, value in data.items():
        if value is None or value == "" or value == []:
            continue
        label = str(FIELDS.get(key) or names.get(key, key))
        if key in PEOPLE and names_of and _ids(value):
            kind = PEOPLE[key]
            shown = [f"{names_of[(kind, i)]} (#{i})" if (kind, i) in names_of else f"#{i}" for i in _ids(value)]
            more = f", … ({len(shown)})" if len(shown) > LIST_SHOWN else ""
            out.append(Detail(label, ", ".join(shown[:LIST_SHOWN]) + more))
        elif key in choices and isinstance(value, str):
            out.append(Detail(label, str(choices[key].get(value, value))))
        elif key == "step" and isinstance(value, str):
            out.append(Detail(label, str(dict(Conference.agenda_steps(vote)).get(value, value))))
        elif key == "roles" and isinstance(value, list):
            from tinnhiem.accounts.roles import roles_text

            out.append(Detail(label, roles_text(value)))
        elif key == "fields" and isinstance(value, list):
            out.append(Detail(label, ", ".join(str(names.get(v, v)) for v in value)))
        elif key == "totals" and isinstance(value, dict):
            out.append(Detail(label, _totals(value, names_of)))
        elif key.endswith("sha256") and isinstance(value, str) and len(value) > 16:
            out.append(Detail(label, value[:16] + "…", full=value))
        else:
            out.append(Detail(label, _text(value)))
    return out


def describe(event: Any, names_of: Mapping[tuple[str, int], str] | None = None, *, vote: bool = False) -> Described:
    return Described(
        action_label(event.action), actor_label(event.actor), details(event.data or {}, names_of, vote=vote)
    )
