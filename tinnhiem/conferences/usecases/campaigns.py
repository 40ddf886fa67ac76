"""Bodies, campaigns (đợt) and conferences (hội nghị)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import changed, record, values_of
from tinnhiem.once import save_once, submission_key
from tinnhiem.rules import BUILTIN_IDS
from tinnhiem.text import clean_block, clean_line, vietnamese_order

from ..models import Body, Campaign, Conference


@transaction.atomic
def create_body(
    actor: Any,
    *,
    name: str,
    level: str,
    parent: Body | None = None,
    locality: str = "",
    system: str = Body.System.STATE,
    symbol: str = "",
    governing_body: str = "",
    drafting_unit: str = "",
    reports_to: str = "",
    submission: str = "",
) -> Body:
    """A body; ``system`` decides the header of its documents (national or Party), ``symbol`` the
    end of their numbers, ``governing_body`` the line above its name. Its managing authority, the
    body its reports go to: ``parent``, or the one named ``reports_to``, found or made
    (``_managing_authority``). ``submission``: the form's one-time id; the same form sent twice
    makes one body. ``drafting_unit``: after “Lưu: VT, ” in its documents."""
    require(actor, PREPARE)
    fields = {
        "name": name,
        "level": level,
        "parent": parent,
        "locality": locality,
        "system": system,
        "symbol": symbol,
        "governing_body": clean_line(governing_body),
        "drafting_unit": drafting_unit.strip(),
    }
    reports_to = clean_line(reports_to)
    key = submission_key(
        submission, "body", {**fields, "parent": parent.pk if parent else None, "reports_to": reports_to}
    )

    def make_once() -> Body:
        body = Body(submission=key, **fields)
        body.full_clean(validate_constraints=False)  # the one constraint is the key's, settled by save_once
        body.save()
        if parent is None and reports_to:
            body.parent = _managing_authority(actor, body, reports_to)
            body.save(update_fields=["parent"])
        data = {"body": body.pk, "name": body.name, "level": level}
        if body.parent:
            data["reports_to"] = body.parent.name
        record(actor, "body.created", data=data)
        return body

    return save_once(Body.objects.all(), key, make_once)[0]


@transaction.atomic
def set_body_symbol(actor: Any, body: Body, symbol: str) -> Body:
    """The symbol that ends the numbers of the body's documents (UBND in “Số: …/BC-UBND”): printed
    from now on, whatever the campaign; documents printed before keep theirs."""
    require(actor, PREPARE)
    body = Body.objects.select_for_update().get(pk=body.pk)
    if fields_changed := _save_changes(body, {"symbol": symbol}):
        record(actor, "body.updated", data={"body": body.pk, "fields": fields_changed, "symbol": body.symbol})
    return body


def _save_changes(obj: Any, fields: dict[str, Any]) -> list[str]:
    """``fields`` set on ``obj`` (locked by the caller), checked, and those that changed saved: their
    names, sorted, for the log; none when nothing changed, which is not logged."""
    before = values_of(obj, fields)
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.full_clean(validate_constraints=False)
    if fields_changed := changed(obj, before):
        obj.save(update_fields=fields_changed)
    return fields_changed


# the level of the body a new managing authority is made at: the tier above (communes report to the
# province since the district level ended on 01/7/2025)
LEVEL_ABOVE = {
    Body.Level.COMMUNE: Body.Level.PROVINCE,
    Body.Level.DISTRICT: Body.Level.PROVINCE,
    Body.Level.PROVINCE: Body.Level.CENTRAL,
    Body.Level.CENTRAL: Body.Level.CENTRAL,
}


def held_under_its_name(body: Body) -> Conference | None:
    """A conference of the body that has started (its minutes, its record and its papers carry the
    body's name and kind), or None: until then the body's details may be mended."""
    return (
        Conference.objects.filter(campaign__body=body)
        .exclude(status__in=[Conference.Status.PREPARING, Conference.Status.CANCELLED])
        .order_by("date", "pk")
        .first()
    )


def bodies_named(name: str, besides: Body | None = None) -> list[Body]:
    """The bodies of ``name`` (the same letters, whatever their case), oldest first, but ``besides``.
    Compared in Python: SQLite's ``iexact`` folds ASCII letters only, and a site has tens of bodies."""
    name = clean_line(name).casefold()
    others = Body.objects.exclude(pk=besides.pk) if besides else Body.objects.all()
    return [b for b in others.order_by("pk") if b.name.casefold() == name]


def _still_known(body: Body) -> Body:
    """``body``, locked while a campaign or a body is hung on it, so that it is not removed
    meanwhile (``remove_body`` takes the same lock and then sees what was hung on it); refused if it
    was removed since the form was shown (another office's page, on PostgreSQL: the removal had the
    lock first) rather than failing on the foreign key at the end."""
    locked = Body.objects.select_for_update().filter(pk=body.pk).first()
    if locked is None:
        raise ValidationError(
            _("The body “%(name)s” has just been removed from the bodies known: choose or type it again.")
            % {"name": body.name}
        )
    return locked


def _managing_authority(actor: Any, body: Body, name: str) -> Body | None:
    """The body the reports go to, found by its name (``bodies_named``) and locked
    (``_still_known``), or made at the tier above; None for none."""
    if not name:
        return None
    if name.casefold() == body.name.casefold():
        raise ValidationError(_("A body does not report to itself: give the name of the body above it."))
    found = bodies_named(name, besides=body)
    above = LEVEL_ABOVE[Body.Level(body.level)]
    chosen = next((b for b in found if b.level == above), found[0] if found else None)
    if chosen is not None:
        chosen = _still_known(chosen)
    else:
        chosen = Body(name=name, level=above)
        chosen.full_clean(validate_constraints=False)
        chosen.save()
        record(actor, "body.created", data={"body": chosen.pk, "name": chosen.name, "level": chosen.level})
    ancestor = chosen
    while ancestor is not None:  # a body cannot report, even through others, to itself
        if ancestor.pk == body.pk:
            raise ValidationError(
                _("“%(name)s” reports to this body: it cannot be its managing authority.") % {"name": chosen.name}
            )
        ancestor = ancestor.parent
    return chosen


@transaction.atomic
def update_body(
    actor: Any,
    body: Body,
    *,
    name: str,
    level: str,
    system: str,
    locality: str = "",
    governing_body: str = "",
    symbol: str = "",
    drafting_unit: str = "",
    reports_to: str = "",
) -> Body:
    """Mend the body's details: its name, level, kind, place name and governing body (the line above
    its name at the head of its documents), until one of its conferences has started (what was held
    and signed carries them; a body renamed by a merger is a new body); its symbol and its managing
    authority (``reports_to``: the name the report's “Kính gửi” prints, found or made,
    ``_managing_authority``) and the unit that drafts its documents (“Lưu: VT, NV.”), at any time, as
    the report goes up after the count. Each change is logged, with what changed."""
    require(actor, PREPARE)
    body = Body.objects.select_for_update().get(pk=body.pk)  # not joined to its parent: PostgreSQL locks no outer join
    details = {
        "name": clean_line(name),
        "level": level,
        "system": system,
        "locality": clean_line(locality),
        "governing_body": clean_line(governing_body),
    }
    held = held_under_its_name(body)
    if held is not None and any(getattr(body, k) != v for k, v in details.items()):
        raise ValidationError(
            _(
                "“%(conference)s” was held under this name, level, kind and header, which its minutes and record "
                "carry: they can no longer be changed. A body renamed or merged is a new body: choose “— a new body —” "
                "for its next campaign."
            )
            % {"conference": held.title}
        )
    fields = {
        **details,
        "symbol": symbol,
        "drafting_unit": drafting_unit.strip(),
        "parent": _managing_authority(actor, body, clean_line(reports_to)),
    }
    if fields_changed := _save_changes(body, fields):
        data = {k: fields[k] for k in fields_changed if k != "parent"}
        if "parent" in fields_changed:
            data["reports_to"] = body.parent.name if body.parent else ""
        record(actor, "body.updated", data={"body": body.pk, "fields": fields_changed, **data})
    return body


def _check_campaign(rule_set: str, rating_year: int) -> None:
    if rule_set not in BUILTIN_IDS:
        raise ValidationError(_("Unknown rule set “%(id)s”.") % {"id": rule_set})
    if not 2000 <= rating_year <= 2100:
        raise ValidationError(_("The rating year must be between 2000 and 2100."))


@transaction.atomic
def create_campaign(
    actor: Any,
    *,
    body: Body | None = None,
    new_body: dict[str, Any] | None = None,
    name: str,
    legal_basis: str,
    term: str,
    rule_set: str,
    rating_year: int,
    submission: str = "",
) -> Campaign:
    """A campaign of ``body``, or of the body ``new_body`` describes (the arguments of
    ``create_body``), made with it. ``submission``: the form's one-time id; the same form sent
    twice makes one campaign (and one new body)."""
    require(actor, PREPARE)
    if (body is None) == (new_body is None):
        raise ValueError("a campaign needs either a body or a new body")
    _check_campaign(rule_set, rating_year)
    fields = {"name": name, "legal_basis": legal_basis, "term": term, "rule_set": rule_set, "rating_year": rating_year}
    key = submission_key(submission, "campaign", {**fields, "body": body.pk if body else None, "new_body": new_body})

    def make_once() -> Campaign:
        of = _still_known(body) if body else create_body(actor, **(new_body or {}), submission=submission)
        campaign = Campaign(body=of, submission=key, **fields)
        campaign.full_clean(validate_constraints=False)  # the one constraint is the key's, settled by save_once
        campaign.save()
        record(actor, "campaign.created", data={"campaign": campaign.pk, "name": campaign.name, "rule_set": rule_set})
        return campaign

    return save_once(Campaign.objects.all(), key, make_once)[0]


@transaction.atomic
def update_campaign(actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    require(actor, PREPARE)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    started = campaign.conferences.exclude(status=Conference.Status.PREPARING).exists()
    if "rule_set" in fields and fields["rule_set"] != campaign.rule_set and started:
        raise ValidationError(_("The rule set cannot change once a conference of the campaign has started."))
    # the body heads the minutes and its level sets the counting committee's minimum
    if "body" in fields and fields["body"].pk != campaign.body_id and started:
        raise ValidationError(_("The body cannot change once a conference of the campaign has started."))
    before = values_of(campaign, fields)
    for key, value in fields.items():
        setattr(campaign, key, value)
    _check_campaign(campaign.rule_set, campaign.rating_year)
    campaign.full_clean()
    if fields_changed := changed(campaign, before):
        campaign.save()
        record(actor, "campaign.updated", data={"campaign": campaign.pk, "fields": fields_changed})
    return campaign


def _check_conference_date(day: date, today: date | None) -> None:
    today = today or timezone.localdate()
    if day < today:
        raise ValidationError(_("The conference date %(date)s is in the past.") % {"date": day.strftime("%d/%m/%Y")})


def check_not_cancelled(conference: Conference) -> None:
    """A cancelled conference changes no more: said before any other refusal, which would name
    another cause (the conference "has started")."""
    if conference.status == Conference.Status.CANCELLED:
        raise ValidationError(
            _("The conference was cancelled (%(reason)s); nothing of it changes any more.")
            % {"reason": conference.cancel_reason}
        )


def check_editable(conference: Conference) -> None:
    """The conference's details change while it is being prepared."""
    check_not_cancelled(conference)
    if conference.status != Conference.Status.PREPARING:
        raise ValidationError(_("The conference has started; its details can no longer be changed."))


def check_new_date(conference: Conference, day: date, today: date | None = None) -> None:
    """A conference moved to ``day``: not in the past, and not before a rated person took office
    (as when the person is added: the rule set's grounds count from it)."""
    _check_conference_date(day, today)
    later = conference.rated_persons.filter(took_office_on__gt=day).order_by("order").first()
    if later is not None:
        raise ValidationError(
            _("%(name)s was elected or appointed on %(day)s, after this date of the conference.")
            % {"name": later.full_name, "day": later.took_office_on.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def create_conference(
    actor: Any,
    *,
    campaign: Campaign,
    title: str,
    date: date,
    place: str,
    convening_body: str,
    chair_name: str = "",
    start_time: time | None = None,
    today: date | None = None,
    submission: str = "",
) -> Conference:
    """A conference of ``campaign``. ``submission``: the form's one-time id; the same form sent
    twice makes one conference."""
    require(actor, PREPARE)
    fields = {
        "title": title,
        "date": date,
        "start_time": start_time,
        "place": place,
        "chair_name": chair_name,
        "convening_body": convening_body,
    }
    key = submission_key(submission, "conference", {**fields, "campaign": campaign.pk})

    def make_once() -> Conference:
        _check_conference_date(date, today)  # for a new one: a form sent again after its day finds it
        conference = Conference(campaign=campaign, submission=key, **fields)
        conference.full_clean(validate_constraints=False)  # the one constraint is the key's, settled by save_once
        conference.save()
        record(
            actor,
            "conference.created",
            conference=conference,
            data={"title": conference.title, "date": date.isoformat()},
        )
        return conference

    return save_once(Conference.objects.all(), key, make_once)[0]


@transaction.atomic
def update_conference(actor: Any, conference: Conference, *, today: date | None = None, **fields: Any) -> Conference:
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    check_editable(conference)
    if "date" in fields and fields["date"] != conference.date:
        check_new_date(conference, fields["date"], today)
    before = values_of(conference, fields)
    for key, value in fields.items():
        setattr(conference, key, value)
    conference.full_clean()
    if fields_changed := changed(conference, before):
        conference.save()
        data = {k: (fields[k].isoformat() if hasattr(fields[k], "isoformat") else fields[k]) for k in fields_changed}
        record(actor, "conference.updated", conference=conference, data=data)
    return conference


def is_deputy(post: str) -> bool:
    """“Phó Chủ tịch”, “PHÓ BÍ THƯ”: a deputy's post, as the law's own word begins it."""
    return post.casefold().startswith("phó ")


@transaction.atomic
def set_signer(
    actor: Any,
    conference: Conference,
    *,
    name: str = "",
    post: str = "",
    signing_for: str = "",
    invitations: bool = False,
) -> Conference:
    """Who signs the body's documents of this conference (the invitations, the report, the notices):
    ``name`` (blank: the chair's), ``post`` printed under “TM.”, and ``signing_for``, the head's
    post, when a deputy signs for the head of a State body, “TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH /
    PHÓ CHỦ TỊCH”, or the head of one of its offices signs by the head's order, “TL. CHỦ TỊCH /
    CHÁNH VĂN PHÒNG” (Nghị định 30/2020/NĐ-CP, Điều 13 khoản 2 and 4). A Party body's documents are
    signed “T/M” by the secretary or a deputy alike, without “K/T” (Hướng dẫn 36-HD/VPTW, 1.7.1).
    ``invitations``: the invitations' own signer, when they are signed otherwise than the report
    and the notices (all three blank: as those). Set at any time before or after the count, as the
    report is printed after it; logged."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().select_related("campaign__body").get(pk=conference.pk)
    check_not_cancelled(conference)
    name, post, signing_for = clean_line(name), clean_line(post), clean_line(signing_for)
    party = conference.campaign.body.system == Body.System.PARTY
    if signing_for and party:
        raise ValidationError(
            _(
                "A Party body's documents are signed “T/M” by its secretary or a deputy alike, without "
                "“K/T” (Hướng dẫn 36-HD/VPTW, 1.7.1): leave “signing for” empty."
            )
        )
    if signing_for and not post:
        raise ValidationError(_("Give the post of the person who signs for the %(head)s.") % {"head": signing_for})
    if signing_for and signing_for.casefold() == post.casefold():
        raise ValidationError(
            _("“Signing for” is the post of the head signed for, not the signer's own post (%(post)s).")
            % {"post": post}
        )
    if is_deputy(post) and not signing_for and not party:
        raise ValidationError(
            _(
                "A deputy signs for the head of the body: give the head's post in “signing for”, as "
                "“%(head)s” (KT. %(head)s), Nghị định 30/2020/NĐ-CP, Điều 13 khoản 2."
            )
            % {"head": post[4:].strip()}
        )
    prefix = "invitation_" if invitations else ""
    fields = {f"{prefix}signer_name": name, f"{prefix}signer_post": post, f"{prefix}signer_for": signing_for}
    if fields_changed := _save_changes(conference, fields):
        record(actor, "conference.signer_set", conference=conference, data={k: fields[k] for k in fields_changed})
    return conference


@transaction.atomic
def cancel_conference(actor: Any, conference: Conference, *, reason: str) -> Conference:
    """The conference will not be held (the person to be put to the vote resigned, the plan
    changed): recorded with its reason while it is being prepared (a session opened is adjourned
    first). Unlike removal, everything it holds is kept, to be seen: the lists, dossiers, opinions
    and explanations. Its links and code cards stop working and nothing of it changes any more.
    Sending it twice records it once."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    reason = clean_block(reason)
    if conference.status == Conference.Status.CANCELLED and conference.cancel_reason == reason:
        return conference
    check_not_cancelled(conference)
    if conference.status != Conference.Status.PREPARING:
        raise ValidationError(
            _("Only a conference being prepared is cancelled; a session that has opened is adjourned first.")
        )
    if not reason:
        raise ValidationError(_("Give the reason for the cancellation."))
    from tinnhiem.voting.models import CodeCard  # voting builds on conferences

    voided = CodeCard.objects.filter(form__conference=conference, state=CodeCard.State.UNUSED).update(
        state=CodeCard.State.VOID
    )
    conference.status, conference.cancel_reason = Conference.Status.CANCELLED, reason
    conference.save(update_fields=["status", "cancel_reason"])
    record(actor, "conference.cancelled", conference=conference, data={"reason": reason, "voided": voided or None})
    return conference


@transaction.atomic
def restore_conference(actor: Any, conference: Conference, *, reason: str) -> Conference:
    """A conference cancelled by mistake, or whose cause went away, is prepared again: back to
    being prepared, with what it held; its links open again. The code cards voided at the
    cancellation stay void (they may have been thrown away): new ones are made. The cancellation
    and its reason stay in the log, with the reason for restoring it. Sending it twice records it
    once."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    reason = clean_block(reason)
    if conference.status == Conference.Status.PREPARING and _last_restored(conference) == reason:
        return conference
    if conference.status != Conference.Status.CANCELLED:
        raise ValidationError(_("Only a cancelled conference is restored."))
    if not reason:
        raise ValidationError(_("Give the reason for restoring the conference."))
    cancelled_for = conference.cancel_reason
    conference.status, conference.cancel_reason = Conference.Status.PREPARING, ""
    conference.save(update_fields=["status", "cancel_reason"])
    record(actor, "conference.restored", conference=conference, data={"reason": reason, "cancelled": cancelled_for})
    return conference


def _last_restored(conference: Conference) -> str | None:
    from tinnhiem.audit.models import Event

    last = (
        Event.objects.filter(conference_id=conference.pk, action__in=("conference.cancelled", "conference.restored"))
        .order_by("-seq")
        .first()
    )
    return last.data["reason"] if last is not None and last.action == "conference.restored" else None


def removal_blockers(conference: Conference) -> list[str]:
    """What a conference already holds that removing it would lose or leave dangling outside the
    office: what went out to, or came from, the voters and the rated persons, and the day's records."""
    from tinnhiem.voting.models import CodeCard

    from ..models import Dossier, Explanation, Voter

    checks = [
        (Dossier.objects.filter(rated_person__conference=conference), _("reports and dossiers")),
        (conference.opinions.all(), _("opinions")),
        (Explanation.objects.filter(rated_person__conference=conference), _("explanations")),
        (CodeCard.objects.filter(form__conference=conference), _("code cards")),
        (conference.voters.exclude(attendance=Voter.Attendance.UNKNOWN), _("attendance")),
        (conference.committee.all(), _("a counting committee")),
        (conference.adjournments.all(), _("an adjourned session")),
    ]
    return [str(label) for queryset, label in checks if queryset.exists()]


@transaction.atomic
def remove_conference(actor: Any, conference: Conference) -> str:
    """Remove a conference made by mistake, with its lists (rated persons, voter roll, ballot
    forms), while it is being prepared and nothing has gone out or come in: no dossier, opinion,
    explanation, code card, attendance, committee or adjourned session. Returns its title. The
    audit log keeps the removal, with what the conference held."""
    require(actor, PREPARE)
    conference = Conference.objects.select_for_update().filter(pk=conference.pk).first()
    if conference is None:  # removed already (a double click, a page sent again)
        return ""
    if conference.status != Conference.Status.PREPARING:
        raise ValidationError(_("The conference has started; it can no longer be removed."))
    if blockers := removal_blockers(conference):
        raise ValidationError(
            _("The conference already has %(what)s: it can no longer be removed, as they would be lost.")
            % {"what": ", ".join(blockers)}
        )
    data = {
        "title": conference.title,
        "date": conference.date.isoformat(),
        "campaign": conference.campaign_id,
        "listed_count": conference.rated_persons.count(),
        "roll_count": conference.voters.count(),
    }
    title = conference.title
    record(actor, "conference.removed", conference=conference, data=data)
    conference.delete()
    return title


@transaction.atomic
def remove_campaign(actor: Any, campaign: Campaign) -> str:
    """Remove a campaign made by mistake, while it has no conference. Returns its name."""
    require(actor, PREPARE)
    campaign = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if campaign is None:  # removed already (a double click, a page sent again)
        return ""
    if held := campaign.conferences.count():
        raise ValidationError(
            ngettext(
                "The campaign has %(n)s conference: it can no longer be removed.",
                "The campaign has %(n)s conferences: it can no longer be removed.",
                held,
            )
            % {"n": held}
        )
    name = campaign.name
    record(actor, "campaign.removed", data={"campaign": campaign.pk, "name": name, "rule_set": campaign.rule_set})
    campaign.delete()
    return name


def body_removal_refused(body: Body) -> str:
    """Why ``body`` cannot be removed, in words; "" when it can: a body with a campaign keeps it
    (its conferences carry its name), and a body other bodies report to is printed in their
    reports' “Kính gửi” until they are given another."""
    reasons = []
    if held := body.campaigns.count():
        reasons.append(
            ngettext(
                "It has %(n)s campaign; a body's campaigns and conferences keep it.",
                "It has %(n)s campaigns; a body's campaigns and conferences keep it.",
                held,
            )
            % {"n": held}
        )
    if below := sorted(Body.objects.filter(parent=body).values_list("name", flat=True), key=vietnamese_order):
        reasons.append(
            _("Its reports are sent up by %(names)s: give them another managing authority first.")
            % {"names": ", ".join(below)}
        )
    return " ".join([_("The body cannot be removed."), *reasons]) if reasons else ""


@transaction.atomic
def remove_body(actor: Any, body: Body) -> str:
    """Remove a body known by mistake: an authority made from a name typed wrongly, a body that
    ran nothing. Refused while it has a campaign or bodies report to it (``body_removal_refused``).
    Returns its name; "" if it was gone already. The audit log keeps the removal."""
    require(actor, PREPARE)
    body = Body.objects.select_for_update().filter(pk=body.pk).first()
    if body is None:  # removed already (a double click, a page sent again)
        return ""
    if refused := body_removal_refused(body):
        raise ValidationError(refused)
    name = body.name
    record(actor, "body.removed", data={"body": body.pk, "name": name, "level": body.level})
    try:
        body.delete()
    except ProtectedError as protected:  # a campaign or a body made on it since: nothing removed
        raise ValidationError(_("The body cannot be removed.")) from protected
    return name
