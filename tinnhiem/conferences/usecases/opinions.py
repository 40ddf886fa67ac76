"""Opinions and requests for explanation before the vote, and the rated persons' explanations.

QĐ 96 Điều 9 bước 1: questions go to the rated person 10 days before; explanations are due 3
days before and are then distributed to the voters.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import actor_name, record, record_many
from tinnhiem.audit.models import Event
from tinnhiem.files import files_removed_on_failure, save_file
from tinnhiem.i18n import grouped
from tinnhiem.once import save_once, short_key
from tinnhiem.text import clean_line, fold, person_key, strip_marks

from ..models import Conference, Explanation, Opinion, RatedPerson, Voter
from ..opinion_file import OpinionRow, read_opinions
from ..roster_file import RosterError
from .campaigns import check_not_cancelled
from .dossiers import check_link_room, document_pdf
from .rated import current_person, locked_person
from .roster import file_refused

MAX_OPINION_CHARS = 10_000


def _check_text(text: str) -> None:
    if not text.strip():
        raise ValidationError(_("Write the opinion before sending."))
    if len(text) > MAX_OPINION_CHARS:
        raise ValidationError(_("The text is longer than %(max)s characters.") % {"max": grouped(MAX_OPINION_CHARS)})


def _save_once(opinion: Opinion) -> tuple[Opinion, bool]:
    """Save a new opinion unless the same form (its one-time id) was saved already, by a double
    click or a page sent again, or by a concurrent request: (the opinion kept, whether it is new).
    The form brought back (the browser's Back) and changed is a new opinion, not dropped unseen."""
    content = {
        "person": opinion.rated_person_id,
        "text": opinion.text,
        "source": opinion.source,
        "signed_by": opinion.signed_by,
        "received_on": opinion.received_on,
    }
    opinion.submission = short_key(opinion.submission, "opinion", content)
    opinion.full_clean(validate_constraints=False)  # the one constraint is the id's, settled by save_once

    def make_once() -> Opinion:
        opinion.save()
        return opinion

    return save_once(Opinion.objects.filter(conference=opinion.conference), opinion.submission, make_once)


def check_open(conference: Conference) -> None:
    """Opinions, requests for explanation and explanations prepare the vote (QĐ 96 Điều 9 bước 1);
    once the conference is finished they are kept as they were, like its other records."""
    check_not_cancelled(conference)
    if conference.status == Conference.Status.FINISHED:
        raise ValidationError(
            _("The conference is finished: its opinions and explanations are kept as they were, and no longer change.")
        )


def _check_person(conference: Conference, person: RatedPerson | None) -> None:
    """``person``, whom an opinion is about, is rated at ``conference``, as now recorded (locked:
    ``rated.locked_person``)."""
    if person is not None:
        person = locked_person(person)
    if person is not None and (person.conference_id != conference.pk or not person.on_ballot):
        raise ValidationError(_("This person is not rated at this conference."))


@transaction.atomic
def submit_opinion(
    voter: Voter, *, rated_person: RatedPerson | None, text: str, sign: bool, submission: str = ""
) -> Opinion:
    """A voter sends an opinion through their invitation link.

    Unsigned, it keeps no link to the voter and only the day it was received, and its audit event
    names no voter. ``submission``: the form's one-time id; the same form sent twice is one opinion.
    """
    try:  # locked: the office's removal of this voter waits for the opinion, or comes first
        voter = Voter.objects.select_for_update(of=("self",)).select_related("conference__campaign").get(pk=voter.pk)
    except Voter.DoesNotExist:  # removed by the office since the link's page was shown
        raise ValidationError(
            _("This invitation link no longer works: your name was taken off the list of voters. Ask the office.")
        ) from None
    conference = voter.conference
    if conference.status == Conference.Status.CANCELLED:
        raise ValidationError(_("The conference was cancelled; this link can no longer be used."))
    if not conference.links_open:
        raise ValidationError(_("The conference is over; this link can no longer be used."))
    _check_person(conference, rated_person)
    _check_text(text)
    opinion, new = _save_once(
        Opinion(
            conference=conference,
            rated_person=rated_person,
            text=text,
            source=Opinion.Source.LINK,
            signed_by=voter.full_name if sign else "",
            voter=voter if sign else None,
            received_on=timezone.localdate(),
            submission=submission,
        )
    )
    if not new:
        return opinion
    record("invitation-link", "opinion.received", conference=conference, data={"source": "link", "signed": sign})
    return opinion


@transaction.atomic
def enter_paper_opinion(
    actor: Any,
    conference: Conference,
    *,
    rated_person: RatedPerson | None,
    text: str,
    signed_by: str = "",
    received_on: date | None = None,
    submission: str = "",
) -> Opinion:
    """An opinion received on paper, typed in by the office. ``submission``: the form's one-time
    id; the same form sent twice is one opinion."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_open(conference)
    _check_person(conference, rated_person)
    _check_text(text)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError(_("The date received cannot be in the future."))
    opinion, new = _save_once(
        Opinion(
            conference=conference,
            rated_person=rated_person,
            text=text,
            source=Opinion.Source.PAPER,
            signed_by=signed_by,
            received_on=received_on,
            submission=submission,
        )
    )
    if not new:
        return opinion
    record(actor, "opinion.entered", conference=conference, data={"opinion": str(opinion.pk), "source": "paper"})
    return opinion


REPEATS_LABEL = gettext_lazy("Import also the rows that repeat an opinion already recorded")


def _rows_named(rows: list[OpinionRow], most: int = 10) -> str:
    """The rows' numbers (with their sheet, in a workbook of several), the first ``most`` of them."""
    named = [f"{row.row} ({row.sheet})" if row.sheet else str(row.row) for row in rows[:most]]
    return ", ".join(named) + (" …" if len(rows) > most else "")


def _refused_at(row: OpinionRow, problem: str) -> ValidationError:
    """A table of opinions refused for ``problem`` in ``row``, which is named with its sheet."""
    return file_refused(RosterError(problem, row=row.row, sheet=row.sheet).describe())


# "Về người" as offices write it: "Đồng chí Trần Minh Đức", "Trần Minh Đức - Phó Chủ tịch UBND",
# "Trần Minh Đức (PCT)": the name, then maybe its post
_ADDRESSED = re.compile(r"^(?:đồng chí|đ\s*/\s*c|ông|bà)\s*[.:]?\s+", re.IGNORECASE)
_WITH_POST = re.compile(
    r"^(?P<name>.+?)\s*(?:\((?P<inside>[^()]+)\)\s*[.]?|\s[-–—]\s*(?P<after>.+)|,\s*(?P<comma>.+))$"
)


def _person_written(about: str, named: dict[str, list[RatedPerson]]) -> list[RatedPerson]:
    """The persons on the ballot whom ``about`` names (``named``: by ``person_key``): by their full
    name, or by it with a form of address before it (taken off only if the rest is a name on the
    ballot: "Đồng" is also a family name) or a post after it, which tells apart two persons of the
    same name: the one whose post has it, or else the only one whose post begins with it. Several
    when the name is that of several and no post tells them apart; none when it is no name on the
    ballot."""
    written = [(about, "")]
    if split := _WITH_POST.match(about):
        written.append((split["name"], split["inside"] or split["after"] or split["comma"]))
    for name, post in written:
        bare = _ADDRESSED.sub("", name, count=1)
        if found := named.get(person_key(name)) or named.get(person_key(bare)):
            said = fold(post)
            if len(found) > 1 and said:  # the post tells them apart
                folded = [(p, fold(p.post)) for p in found]
                told = [(p, its) for p, its in folded if said in its or its in said]
                # "Chủ tịch" is in "Phó Chủ tịch HĐND" too, but a vice-chair's post does not begin so
                leading = [p for p, its in told if its.startswith(said) or said.startswith(its)]
                return (leading if len(leading) == 1 else [p for p, _its in told]) or found
            return found
    return []


# A sheet's name is 31 characters at most, and takes no "/": offices shorten it to the given name,
# after a form of address or a post abbreviated ("Đ.c Đức", "Đc Đức", "PCT Nhung", "Đồng chí Hồng Nhung")
_SHEET_BEFORE = re.compile(r"^(?:(?i:đồng\s+chí|đ\s*[./]?\s*c|ông|bà)(?:\s*[.:]\s*|\s+)|[A-ZĐ]{2,5}(?:\.\s*|\s+))+")


def _person_of_sheet(sheet: str, named: dict[str, list[RatedPerson]]) -> list[RatedPerson]:
    """The persons on the ballot a sheet's name names: as ``_person_written`` reads a name, or
    else by the last words of their name, the given name at least ("Đức", "Đ.c Hồng Nhung"). Several
    when those words end several names; none for "chung" or words that end no name."""
    if found := _person_written(sheet, named):
        return found
    name = split["name"] if (split := _WITH_POST.match(clean_line(sheet))) else clean_line(sheet)
    said = fold(_SHEET_BEFORE.sub("", name, count=1))
    if not said or said == "chung":
        return []
    return [p for key, found in named.items() if key == said or key.endswith(" " + said) for p in found]


def _person_above(lines: tuple[str, ...], named: dict[str, list[RatedPerson]]) -> tuple[str, list[RatedPerson]]:
    """The persons on the ballot that the nearest of ``lines`` naming any names (a Word table's
    lines above it, nearest first: "2. Ý kiến đối với đồng chí Lê Thị Hồng Nhung, Phó Chủ tịch
    UBND thành phố"), with that line: by their full name, as whole words. Two persons of the same
    name are told apart by the words after it, as ``_person_written`` does by a post. Several when
    the line names several; ("", []) when no line names anyone (a title, "Ý kiến chung")."""
    def spaced(text: str) -> str:  # its words between spaces, without punctuation ("Đức," is "đức")
        return " " + " ".join(re.sub(r"\W+", " ", fold(text)).split()) + " "

    names = {key: spaced(key) for key in named}
    for line in lines:
        words = spaced(line)
        keys = [key for key, name in names.items() if name in words]
        keys = [key for key in keys if not any(key != other and names[key] in names[other] for other in keys)]
        if len(keys) == 1 and len(named[keys[0]]) > 1:  # namesakes: the words after the name
            after = words.split(names[keys[0]], 1)[1].strip()
            return line, _person_written(f"{named[keys[0]][0].full_name} - {after}", named) if after else named[keys[0]]
        if keys:
            return line, [p for key in keys for p in named[key]]
    return "", []


@transaction.atomic
def import_opinions(
    actor: Any, conference: Conference, *, filename: str, data: bytes, repeats: bool = False
) -> list[Opinion]:
    """The opinions of a table (Excel or CSV) the office or its units compiled from the letters
    received (``opinion_file``): all of them or none, each as an opinion received on paper
    (``enter_paper_opinion``), classified as its row says, if it says (``classify_opinion``). A
    row names a rated person of the conference by their full name, or no one ("chung", or empty);
    a row that names no one, on a sheet named after a person of the ballot (by their name, or its
    last words: ``_person_of_sheet``), is about that person (offices keep a sheet for each person),
    and so is one in a Word table under a line naming them (``_person_above``);
    its day received, if empty, is today. Refused whole, with the row, for a person not rated here,
    a day to come, an opinion too long; and a file imported already (the same bytes) is refused,
    not imported twice, unless all it made were removed as a mistake (``remove_opinions``). A row
    that repeats an opinion already recorded (the same person, words, signer and day, any day for a
    row that gives none: the table imported, then mended and imported again, on another day maybe)
    refuses the file too, unless ``repeats`` (the office says they are other letters in the same
    words). Rows of the same words within the file are all kept. Returns the opinions made. The
    file is read before the conference is locked: a large workbook takes seconds."""
    require(actor, PREPARE)
    check_open(Conference.objects.get(pk=conference.pk))  # said before the file's faults
    try:
        rows = read_opinions(filename, data, settings.TINNHIEM_MAX_ROSTER_BYTES)
    except RosterError as exc:
        raise file_refused(exc.describe()) from exc
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_open(conference)
    sha256 = hashlib.sha256(data).hexdigest()
    imported = Event.objects.filter(conference_id=conference.pk, action="opinions.imported")
    for done in imported.filter(data__sha256=sha256):
        kept = done.data.get("opinions")  # the opinions it made (not recorded before this version)
        if kept is not None and not conference.opinions.filter(pk__in=kept).exists():
            continue  # every one of them was removed as a mistake (remove_opinions): it may come in again
        raise ValidationError(
            _("This file was imported already (%(file)s, %(n)s opinions): it is not imported twice.")
            % {"file": done.data.get("file", ""), "n": done.data.get("count", 0)}
        )
    named: dict[str, list[RatedPerson]] = {}
    for person in conference.rated_persons.order_by("order", "id"):
        if person.on_ballot:
            named.setdefault(person_key(person.full_name), []).append(person)
    people = {key: found[0] for key, found in named.items()}  # a name, for the messages
    today = timezone.localdate()
    recorded = set(conference.opinions.values_list("rated_person_id", "text", "signed_by", "received_on"))
    undated = {key[:3] for key in recorded}  # a row without its day: the same whatever day it was recorded on
    made, repeated = [], []
    sheets: dict[str, list[RatedPerson]] = {}  # the persons a sheet's name names
    aboves: dict[tuple[str, ...], tuple[str, list[RatedPerson]]] = {}  # those a Word table's lines above it name
    for row in rows:
        if row.about:
            written = _person_written(row.about, named)
        elif row.general:
            written = []
        elif row.title:  # a sheet for each person, named after them, and no "Về người"
            if row.title not in sheets:
                sheets[row.title] = _person_of_sheet(row.title, named)
            written = sheets[row.title]
        elif row.above:  # a Word table for each person, under their name, and no "Về người"
            if row.above not in aboves:
                aboves[row.above] = _person_above(row.above, named)
            line, written = aboves[row.above]
            if len(written) > 1:
                raise _refused_at(
                    row,
                    _(
                        "the line above its table, “%(line)s”, names %(n)s persons on the ballot (%(names)s): put each "
                        "person's opinions in a table under a line naming them alone, or write the name, or “chung”, in a "
                        "column “Về người”."
                    )
                    % {
                        "line": line,
                        "n": len(written),
                        "names": "; ".join(f"{p.full_name} - {p.post}" for p in written),
                    },
                )
        else:
            written = []
        if len(written) > 1 and not row.about:  # the sheet's name
            raise _refused_at(
                row,
                _(
                    "the sheet's name may be that of %(n)s persons on the ballot (%(names)s): name the sheet with "
                    "the person's full name, or write it in a column “Về người”."
                )
                % {"n": len(written), "names": "; ".join(f"{p.full_name} - {p.post}" for p in written)},
            )
        if len(written) > 1:  # the name in "Về người"
            raise _refused_at(
                row,
                _(
                    "“%(name)s” is the name of %(n)s persons on the ballot (%(posts)s): write the post after the name, "
                    "as “%(example)s”."
                )
                % {
                    "name": row.about,
                    "n": len(written),
                    "posts": "; ".join(p.post for p in written),
                    "example": f"{written[0].full_name} - {written[0].post}",
                },
            )
        person = written[0] if written else None
        if row.about and person is None:
            # written without its marks (or with others): named, never taken for it ("Hùng" is not "Hưng")
            alike = [p for key, p in people.items() if strip_marks(key) == strip_marks(person_key(row.about))]
            if len(alike) == 1:
                raise _refused_at(
                    row,
                    _(
                        "“%(name)s” is not written as on the ballot: is it “%(alike)s”? Write the name with its "
                        "marks, as on the ballot."
                    )
                    % {"name": row.about, "alike": alike[0].full_name},
                )
            raise _refused_at(
                row,
                _(
                    "“%(name)s” is not on the ballot of this conference (those on it: %(names)s); write one of "
                    "these names, or “chung” for an opinion about no one in particular."
                )
                % {"name": row.about, "names": ", ".join(p.full_name for p in people.values())},
            )
        if len(row.text) > MAX_OPINION_CHARS:
            raise _refused_at(
                row, _("the text is longer than %(max)s characters.") % {"max": grouped(MAX_OPINION_CHARS)}
            )
        if row.received_on is not None and row.received_on > today:
            raise _refused_at(row, _("The date received cannot be in the future."))
        opinion = Opinion(
            conference=conference,
            rated_person=person,
            text=row.text,
            source=Opinion.Source.PAPER,
            signed_by=row.signed_by,
            received_on=row.received_on or today,
            tag=row.tag,
        )
        try:
            # its conference and person were read here: not looked up again for each row
            opinion.full_clean(exclude=["conference", "rated_person"], validate_constraints=False)
        except ValidationError as invalid:  # what the reader did not foresee, said with its row
            raise _refused_at(row, " ".join(invalid.messages)) from invalid
        key = (person.pk if person else None, opinion.text, opinion.signed_by)
        if (row.received_on is None and key in undated) or (*key, opinion.received_on) in recorded:
            repeated.append(row)
        made.append(opinion)
    if repeated and not repeats:
        raise file_refused(
            ngettext(
                "row %(rows)s repeats an opinion already recorded (the same person, words and signer, and day if "
                "the row gives one): if this table was imported before and then mended, importing it would "
                "record its opinions twice. If they are other letters in the same words, tick “%(repeats)s” and "
                "import the file again.",
                "rows %(rows)s repeat opinions already recorded (the same person, words and signer, and day if "
                "the row gives one): if this table was imported before and then mended, importing it would "
                "record its opinions twice. If they are other letters in the same words, tick “%(repeats)s” and "
                "import the file again.",
                len(repeated),
            )
            % {"rows": _rows_named(repeated), "repeats": REPEATS_LABEL}
        )
    Opinion.objects.bulk_create(made)
    events: list[tuple[str, dict[str, Any]]] = []
    for opinion in made:
        events.append(("opinion.entered", {"opinion": str(opinion.pk), "source": "paper"}))
        if opinion.tag != Opinion.Tag.NEW:  # as if classified on the page right after
            events.append(("opinion.classified", {"opinion": str(opinion.pk), "tag": opinion.tag}))
    file = clean_line(filename)[:255]
    events.append(
        (
            "opinions.imported",
            {"file": file, "sha256": sha256, "count": len(made), "opinions": [str(o.pk) for o in made]},
        )
    )
    record_many(actor, events, conference=conference)
    return made


@transaction.atomic
def classify_opinion(actor: Any, opinion: Opinion, *, tag: str) -> Opinion:
    require(actor, PREPARE)
    opinion = Opinion.objects.select_for_update().select_related("conference").get(pk=opinion.pk)
    check_open(opinion.conference)
    if tag not in Opinion.Tag.values:
        raise ValidationError(_("Unknown classification."))
    if opinion.forwarded_on is not None and tag != opinion.tag:
        raise ValidationError(
            _("This request has already been forwarded to the rated person; its classification is kept.")
        )
    opinion.tag = tag
    opinion.save(update_fields=["tag"])
    record(actor, "opinion.classified", conference=opinion.conference_id, data={"opinion": str(opinion.pk), "tag": tag})
    return opinion


@transaction.atomic
def classify_opinions(actor: Any, conference: Conference, opinions: list[Opinion], *, tag: str) -> int:
    """Classify the opinions ticked on the list at once (of 142 letters most agree: tick them,
    save once), each change logged as ``classify_opinion`` logs one. Refused whole, nothing
    changed, if one of them is a request already forwarded to the rated person whose
    classification would change (``classify_opinion``'s rule; the page offers no box for those,
    so only a page older than the forwarding sends one). Returns how many changed."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_open(conference)
    if tag not in Opinion.Tag.values:
        raise ValidationError(_("Unknown classification."))
    chosen = list(conference.opinions.select_for_update().filter(pk__in=[o.pk for o in opinions]).order_by("pk"))
    if not chosen:
        raise ValidationError(_("Tick the opinions to classify first."))
    if kept := sum(1 for o in chosen if o.forwarded_on is not None and o.tag != tag):
        raise ValidationError(
            ngettext(
                "%(n)s of the opinions ticked is a request already forwarded to the rated person, whose "
                "classification is kept: nothing was changed. Untick it, then save again.",
                "%(n)s of the opinions ticked are requests already forwarded to the rated persons, whose "
                "classification is kept: nothing was changed. Untick them, then save again.",
                kept,
            )
            % {"n": kept}
        )
    changed = [o for o in chosen if o.tag != tag]
    for opinion in changed:
        opinion.tag = tag
    Opinion.objects.bulk_update(changed, ["tag"])
    record_many(
        actor,
        [("opinion.classified", {"opinion": str(opinion.pk), "tag": tag}) for opinion in changed],
        conference=conference.pk,
    )
    return len(changed)


@transaction.atomic
def remove_opinions(actor: Any, conference: Conference, opinions: list[Opinion], *, reason: str) -> int:
    """Remove opinions the office recorded by mistake (typed twice, about the wrong person, a table
    imported twice or wrongly), with the reason; refused whole, nothing removed, for an opinion a
    voter sent through their link (the office cannot take a voter's words away) or a request
    already forwarded to the rated person. Each is logged with what it said, so that the log still
    shows what was removed. Returns how many."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_open(conference)
    reason = clean_line(reason)
    if not reason:
        raise ValidationError(_("Write why they are removed (typed twice, about the wrong person, …)."))
    wanted = {o.pk for o in opinions}
    if not wanted:
        raise ValidationError(_("Tick the opinions to remove first."))
    chosen = list(
        conference.opinions.select_for_update(of=("self",))
        .select_related("rated_person")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    if len(chosen) != len(wanted):  # removed by another desk since the page was shown
        raise ValidationError(_("An opinion ticked is no longer on the list: open the page again."))
    if sent := sum(1 for o in chosen if o.source == Opinion.Source.LINK):
        raise ValidationError(
            ngettext(
                "%(n)s of the opinions ticked was sent by a voter through their link: the office cannot remove a "
                "voter's opinion. Nothing was removed; untick it, then remove again.",
                "%(n)s of the opinions ticked were sent by voters through their links: the office cannot remove a "
                "voter's opinion. Nothing was removed; untick them, then remove again.",
                sent,
            )
            % {"n": sent}
        )
    if forwarded := sum(1 for o in chosen if o.forwarded_on is not None):
        raise ValidationError(
            ngettext(
                "%(n)s of the opinions ticked is a request already forwarded to the rated person: it stays. Nothing "
                "was removed; untick it, then remove again.",
                "%(n)s of the opinions ticked are requests already forwarded to the rated persons: they stay. "
                "Nothing was removed; untick them, then remove again.",
                forwarded,
            )
            % {"n": forwarded}
        )
    conference.opinions.filter(pk__in=wanted).delete()
    # logged in the list's order (the day, the ballot's order, the words), not the random ids' (locked in
    # those, one order for every desk)
    chosen.sort(key=lambda o: (o.received_on, o.rated_person.order if o.rated_person else -1, o.text))
    record_many(
        actor,
        [
            (
                "opinion.removed",
                {
                    "opinion": str(opinion.pk),
                    "person": opinion.rated_person_id,
                    "name": opinion.rated_person.full_name if opinion.rated_person else "",
                    "text": opinion.text,
                    "signed_by": opinion.signed_by,
                    "received_on": opinion.received_on.isoformat(),
                    "source": opinion.source,
                    "reason": reason,
                },
            )
            for opinion in chosen
        ],
        conference=conference.pk,
    )
    return len(chosen)


def removed_already(conference: Conference, ids: list[str]) -> bool:
    """Whether every one of ``ids`` is an opinion of the conference removed as a mistake
    (``remove_opinions``): its confirmation sent a second time is no error."""
    removed = Event.objects.filter(conference_id=conference.pk, action="opinion.removed", data__opinion__in=ids)
    return bool(ids) and removed.count() == len(set(ids))


@transaction.atomic
def address_request(actor: Any, opinion: Opinion, *, rated_person: RatedPerson) -> Opinion:
    """The office names the rated person a general request for explanation goes to (its writer
    named no one), before it is forwarded. The opinion keeps that the office chose the person."""
    require(actor, PREPARE)
    opinion = Opinion.objects.select_for_update().select_related("conference").get(pk=opinion.pk)
    check_open(opinion.conference)
    if opinion.tag != Opinion.Tag.REQUESTS_EXPLANATION:
        raise ValidationError(_("Only a request for explanation is sent to a rated person: classify it so first."))
    if opinion.forwarded_on is not None:
        raise ValidationError(_("This request has already been forwarded; the person it went to is kept."))
    if opinion.rated_person_id is not None and not opinion.addressed_by_office:
        raise ValidationError(_("The writer of this opinion named the person it is about; that is kept."))
    _check_person(opinion.conference, rated_person)
    opinion.rated_person = rated_person
    opinion.addressed_by_office = True
    opinion.save(update_fields=["rated_person", "addressed_by_office"])
    record(
        actor,
        "opinion.addressed",
        conference=opinion.conference_id,
        data={"opinion": str(opinion.pk), "person": rated_person.pk},
    )
    return opinion


@transaction.atomic
def forward_requests(actor: Any, conference: Conference, *, on: date | None = None) -> int:
    """Send every request for explanation not yet sent to its rated person (their explanation link shows it)."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_open(conference)
    on = on or timezone.localdate()
    pending = conference.opinions.filter(tag=Opinion.Tag.REQUESTS_EXPLANATION, forwarded_on__isnull=True)
    if pending.filter(rated_person__isnull=True).exists():
        raise ValidationError(
            _(
                "A request for explanation names no rated person: choose the person it goes to "
                "(“Send to”), or classify it otherwise, then forward."
            )
        )
    ids = [str(pk) for pk in pending.values_list("pk", flat=True)]
    if not ids:
        raise ValidationError(_("There is no request for explanation waiting to be forwarded."))
    conference.opinions.filter(pk__in=ids).update(forwarded_on=on)
    record(actor, "requests.forwarded", conference=conference, data={"opinions": sorted(ids), "on": on.isoformat()})
    return len(ids)


def _same_explanation(person: RatedPerson, text: str, answers: list[Opinion], data: bytes) -> Explanation | None:
    """An explanation of this person with the same words, answers and file, if one was recorded."""
    wanted = {o.pk for o in answers}
    for same in person.explanations.filter(text=text).prefetch_related("answers"):
        if {o.pk for o in same.answers.all()} != wanted or bool(same.file) != bool(data):
            continue
        if data:
            with same.file.open("rb") as stored:
                if stored.read() != data:
                    continue
        return same
    return None


@files_removed_on_failure
@transaction.atomic
def record_explanation(
    actor: Any,
    person: RatedPerson,
    *,
    text: str,
    answers: list[Opinion] | None = None,
    filename: str = "",
    data: bytes = b"",
    files: list[tuple[str, bytes]] | None = None,
    received_on: date | None = None,
) -> Explanation:
    """The rated person (through their link, ``actor`` = None) or the office records an
    explanation; with a file, a PDF or the photos of its pages (``files``, as ``document_pdf``
    takes them; or one file as ``filename`` and ``data``)."""
    if actor is not None:
        require(actor, PREPARE)
    check_open(current_person(person).conference)  # said before the file's faults
    if not text.strip():
        raise ValidationError(_("Write the explanation before sending."))
    if files or data:  # photos made into a PDF take seconds: before the person is locked
        _name, data = document_pdf(files or [(filename, data)])
    person = locked_person(person)
    check_open(person.conference)
    answers = list(Opinion.objects.filter(pk__in=[o.pk for o in answers or []]))  # current state, not the caller's copy
    for opinion in answers:
        if opinion.rated_person_id != person.pk or opinion.forwarded_on is None:
            raise ValidationError(_("An explanation can only answer requests forwarded to this person."))
    same = _same_explanation(person, text, answers, data)
    if same is not None:  # sent again (a double click, a page sent again): the same explanation
        return same
    if actor is None:
        check_link_room(person)
    explanation = Explanation(
        rated_person=person,
        text=text,
        received_on=received_on or timezone.localdate(),
        recorded_by=actor_name(actor) if actor is not None else person.full_name,
    )
    explanation.full_clean(exclude=["file"])
    if data:
        save_file(explanation.file, "explanation.pdf", data)
    explanation.save()
    explanation.answers.set(answers)
    record(
        actor if actor is not None else "explanation-link",
        "explanation.recorded",
        conference=person.conference,
        data={"explanation": explanation.pk, "person": person.pk, "answers": sorted(str(o.pk) for o in answers)},
    )
    return explanation


@transaction.atomic
def remove_explanation(actor: Any, explanation: Explanation, *, reason: str) -> None:
    """Remove an explanation not yet sent to the voters, with the reason: recorded by the office for
    the wrong person or with the wrong file, or sent through the person's link and not fit to send
    on (the office looks at it first, as at a dossier the person sends). The requests it answered
    wait for an answer again; the page of a person who sent it through their link says it was
    removed, when and why. The log keeps what it said."""
    require(actor, PREPARE)
    reason = clean_line(reason)
    if not reason:
        raise ValidationError(_("Write why it is removed (the wrong person, the wrong file, …)."))
    found = Explanation.objects.filter(pk=explanation.pk).first()
    if found is None:
        raise ValidationError(_("It is no longer on the list: it was removed already."))
    person = locked_person(found.rated_person)
    check_open(person.conference)
    explanation = Explanation.objects.select_for_update().get(pk=found.pk)  # after the person's lock, as others take it
    if explanation.distributed_on is not None:
        raise ValidationError(_("This explanation has already been sent to the voters and is kept on file."))
    data = {
        "explanation": explanation.pk,
        "person": person.pk,
        "name": person.full_name,
        "text": explanation.text,
        "recorded_by": explanation.recorded_by,
        "received_on": explanation.received_on.isoformat(),
        "reason": reason,
        # sent through the person's own link: their page says it was removed
        "from_person": Event.objects.filter(
            conference_id=person.conference_id,
            action="explanation.recorded",
            actor="explanation-link",
            data__explanation=explanation.pk,
        ).exists(),
    }
    storage, name = explanation.file.storage, explanation.file.name
    explanation.delete()
    record(actor, "explanation.removed", conference=person.conference, data=data)
    if name:  # the file goes once the row is gone for good (as a dossier's)
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def distribute_explanations(actor: Any, conference: Conference, *, on: date | None = None) -> int:
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_open(conference)
    on = on or timezone.localdate()
    pending = Explanation.objects.filter(rated_person__conference=conference, distributed_on__isnull=True)
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("There is no explanation waiting to be sent."))
    Explanation.objects.filter(pk__in=ids).update(distributed_on=on)
    record(actor, "explanations.distributed", conference=conference, data={"explanations": ids, "on": on.isoformat()})
    return len(ids)
