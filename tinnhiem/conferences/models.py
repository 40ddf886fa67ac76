"""Preparation of a confidence vote: body, campaign, conference, rated persons, voter roll,
dossiers, opinions and explanations. Words as in docs/glossary.md."""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from functools import cached_property

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tinnhiem.i18n import rule_words
from tinnhiem.rules import BUILTIN_IDS, RuleSet, builtin_rule_set, builtin_rule_sets
from tinnhiem.site.fields import NFCCharField, NFCTextField
from tinnhiem.text import fold


def new_nonce() -> str:
    """Part of a personal link; changing it revokes the link (see links.py)."""
    return secrets.token_hex(8)


DRAFTING_UNIT = RegexValidator(
    r"^[^\s,.;]+$",
    _("Write the drafting unit's abbreviation as one word, without spaces or punctuation, as in NV or TCCB."),
)
SYMBOL = RegexValidator(
    r"^[^\s/]+$",
    _("Write the symbol as one word, without spaces or “/”, as in UBND, HĐND or TU."),
)


class Body(models.Model):
    """Cơ quan, tổ chức: the body whose leaders are rated."""

    class Level(models.TextChoices):
        # the law's own words for the tiers: "cấp tỉnh" covers the provinces and the centrally-run
        # cities, "cấp xã" the communes, wards and special zones (and, before 01/7/2025, the towns)
        CENTRAL = "central", _("Central")
        PROVINCE = "province", _("Province level")
        DISTRICT = "district", _("District level (until 30/6/2025)")
        COMMUNE = "commune", _("Commune level")

    name = NFCCharField(_("name"), max_length=255)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent body"), null=True, blank=True, on_delete=models.PROTECT)

    class System(models.TextChoices):
        STATE = "state", _("State body (national header)")
        PARTY = "party", _("Party body (Party header)")

    system = models.CharField(_("kind of body"), max_length=8, choices=System.choices, default=System.STATE)
    locality = NFCCharField(
        _("place name in documents"), max_length=100, blank=True, help_text=_("e.g. Móng Cái, as in “Móng Cái, ngày …”")
    )
    # Nghị định 30/2020/NĐ-CP (Điều 8, Điều 15) and, for the Party, Hướng dẫn 36-HD/VPTW: a document's
    # number and symbol; the number is the clerk's, written in when the signed document is registered
    symbol = NFCCharField(
        _("symbol in document numbers"),
        max_length=20,
        blank=True,
        validators=[SYMBOL],
        help_text=_("The body's abbreviation in its documents' numbers: UBND in “Số: …/BC-UBND”, TU in “Số …-BC/TU”."),
    )
    # "Tên cơ quan, tổ chức chủ quản trực tiếp (nếu có)" (Nghị định 30/2020/NĐ-CP, Phụ lục I): the line
    # above the body's name at the head of its documents, as UBND TỈNH QUẢNG NINH above SỞ NỘI VỤ, or
    # a Party body's đảng bộ above it; a People's Committee or Council prints none. Not the managing
    # authority its reports go to (``parent``, the report's “Kính gửi”)
    governing_body = NFCCharField(_("governing body, above the name in documents"), max_length=255, blank=True)
    # Nghị định 30/2020/NĐ-CP, Phụ lục I: “Lưu: VT, ” then the abbreviation of the unit that drafted
    # the document (NV for the Phòng Nội vụ that prepares a rating); blank, “Lưu: VT.” alone
    drafting_unit = NFCCharField(
        _("drafting unit in “Lưu: VT, …”"), max_length=20, blank=True, validators=[DRAFTING_UNIT]
    )
    submission = models.CharField(max_length=64, blank=True, editable=False)  # tinnhiem.once: a form sent twice

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"], condition=~models.Q(submission=""), name="body_submission_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def level_notice(self, day: date) -> str:
        """A sentence when this body's level no longer existed on ``day``, else "". The district
        level ended on 01/7/2025 (NQ 203/2025/QH15): tinnhiem keeps it to replay and check the
        votes held before, and says so for a conference on or after that day."""
        if self.level != self.Level.DISTRICT or day < DISTRICT_LEVEL_ENDED:
            return ""
        return gettext(
            "District-level units ended on 01/7/2025 (%(citation)s): local government has two tiers, "
            "province and commune. This body is at district level, but the conference is on %(date)s. "
            "Check the body and its level: rules written for the district level, such as the counting "
            "committee's minimum for a district People's Council, no longer have a body to apply to."
        ) % {"citation": DISTRICT_LEVEL_CITATION, "date": day.strftime("%d/%m/%Y")}


# Nghị quyết 203/2025/QH15 (16/6/2025) sửa đổi, bổ sung một số điều của Hiến pháp năm 2013: Điều 1
# rewrites Điều 110 (administrative units in two tiers, the province and the units below it), and
# Điều 2 ends the district-level administrative units from 01/7/2025.
DISTRICT_LEVEL_ENDED = date(2025, 7, 1)
DISTRICT_LEVEL_CITATION = "Nghị quyết 203/2025/QH15, Điều 2"


RULE_SET_CHOICES = [(rule_id, rule_id) for rule_id in BUILTIN_IDS]


class Campaign(models.Model):
    """Đợt lấy phiếu tín nhiệm: its legal basis, term and rule set."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="campaigns")
    name = NFCCharField(_("name"), max_length=255)
    legal_basis = NFCTextField(_("legal basis"), help_text=_("Plans and decisions, e.g. Kế hoạch số 274-KH/TU ngày …"))
    term = NFCCharField(_("term"), max_length=32, help_text=_("e.g. 2020–2025"))
    rule_set = models.CharField(_("rule set"), max_length=40, choices=RULE_SET_CHOICES, default="qd96-2023")
    rating_year = models.PositiveIntegerField(_("rating year"))
    created_at = models.DateTimeField(auto_now_add=True)
    submission = models.CharField(max_length=64, blank=True, editable=False)  # tinnhiem.once: a form sent twice

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-rating_year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"], condition=~models.Q(submission=""), name="campaign_submission_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rules(self) -> RuleSet:
        return builtin_rule_set(self.rule_set)

    def held_by_notice(self) -> str:
        """A sentence when the rule set lists the bodies that hold it and this body's level is not
        among them (NQ 96/2023 Điều 2: no commune-level People's Council rates), else ""."""
        held_by = self.rules.held_by
        if held_by is None or held_by.allows(self.body.level):
            return ""
        return gettext(
            "%(rules)s lists the bodies that hold it: %(citation)s. This body is at %(level)s, which is "
            "not among them. Check the campaign's rule set and its legal basis."
        ) % {
            "rules": self.rules.short_name,
            "citation": rule_words(held_by.citation.text),
            "level": str(self.body.get_level_display()).lower(),
        }

    def kind_notice(self) -> str:
        """A sentence when a Party body has a State rule set, else "". The State's rule sets are
        resolutions of the National Assembly on votes in the Assembly and the People's Councils;
        a Party committee rates by the Party's rule (Quy định 96-QĐ/TW, a near name)."""
        if self.rules.system != "state" or self.body.system != Body.System.PARTY:
            return ""
        party = [r.short_name for r in builtin_rule_sets() if r.system == "party" and r.in_force]
        return gettext(
            "%(rules)s is the State's rule, for votes in the National Assembly and the People's Councils, "
            "but this body is a Party body (Party header). A Party body rates by %(party)s: check the "
            "campaign's rule set."
        ) % {"rules": self.rules.short_name, "party": ", ".join(party)}

    def notices(self, day: date) -> list[str]:
        """What the campaign and conference pages warn of, for a conference on ``day``: the body's
        kind and level against the rule set, and its level against the law of that day."""
        return [n for n in (self.kind_notice(), self.held_by_notice(), self.body.level_notice(day)) if n]


class Conference(models.Model):
    """Hội nghị lấy phiếu tín nhiệm."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        IN_SESSION = "in_session", _("In session")
        VOTING = "voting", _("Voting")
        COUNTING = "counting", _("Counting")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    AGENDA = (
        ("opening", _("Opening, attendance")),
        ("report", _("Report on the rated persons")),
        ("direction", _("Direction by the chair")),
        ("discussion", _("Discussion")),
        ("committee", _("Approval of the counting committee")),
        ("voting", pgettext_lazy("agenda", "Voting")),
        ("results", _("Counting and results")),
    )

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="conferences"
    )
    title = NFCCharField(_("title"), max_length=255)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    place = NFCCharField(_("place"), max_length=255)
    chair_name = NFCCharField(_("chaired by"), max_length=255, blank=True)
    convening_body = NFCCharField(_("convening body"), max_length=255)
    # who signs the body's documents (Nghị định 30/2020/NĐ-CP, Điều 13; the Party's Hướng dẫn
    # 36-HD/VPTW, 1.7): the name, blank for the chair's; the post printed under "TM."; and, when
    # someone signs for the head of a State body, the head's post: after "KT." for a deputy, after
    # "TL." for the head of one of its offices
    signer_name = NFCCharField(_("signer of the documents"), max_length=255, blank=True)
    signer_post = NFCCharField(_("post of the signer"), max_length=100, blank=True)
    signer_for = NFCCharField(_("signing for the head (KT., TL.)"), max_length=100, blank=True)
    # the invitations' own signer, when they are signed otherwise than the report and the notices
    # (a Chánh Văn phòng “TL. CHỦ TỊCH”, a deputy “KT. CHỦ TỊCH”): all three blank, the one above
    invitation_signer_name = NFCCharField(_("signer of the invitations"), max_length=255, blank=True)
    invitation_signer_post = NFCCharField(_("post of the invitations' signer"), max_length=100, blank=True)
    invitation_signer_for = NFCCharField(_("invitations: signing for the head"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREPARING)
    agenda_step = models.PositiveSmallIntegerField(default=0)
    quorum_override_reason = NFCTextField(blank=True)
    # cancelled before it was held (the person to be put to the vote resigned, the plan changed)
    cancel_reason = NFCTextField(_("reason for the cancellation"), blank=True)
    committee_votes_for = models.PositiveIntegerField(null=True, blank=True)
    committee_votes_against = models.PositiveIntegerField(null=True, blank=True)
    committee_votes_abstaining = models.PositiveIntegerField(null=True, blank=True)
    committee_approved = models.BooleanField(default=False)
    results_published = models.BooleanField(default=False)
    # the sealed ballots (and the scan images, kept with them) after the count: held while a
    # complaint or denunciation about the results is open; destroyed by decision after the retention
    ballots_hold_reason = NFCTextField(_("complaint or denunciation being handled"), blank=True)
    ballots_destroyed_on = models.DateField(_("ballots destroyed on"), null=True, blank=True)
    ballots_destruction_decision = NFCCharField(_("decision to destroy the ballots"), max_length=255, blank=True)
    # a confidence vote (bỏ phiếu tín nhiệm) prepared from the results of this earlier rating
    follows = models.ForeignKey(
        "self",
        verbose_name=_("confidence vote after the rating of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    code_key_nonce = models.CharField(
        max_length=16, default=new_nonce, editable=False
    )  # the per-conference key of code cards
    created_at = models.DateTimeField(auto_now_add=True)
    submission = models.CharField(max_length=64, blank=True, editable=False)  # tinnhiem.once: a form sent twice

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"], condition=~models.Q(submission=""), name="conference_submission_once"
            )
        ]
        permissions = [
            ("observe_conference", _("Can view conferences")),
            ("prepare_conference", _("Can prepare conferences (staff office)")),
            ("chair_conference", _("Can chair conferences")),
            ("count_ballots", _("Can count ballots (counting committee)")),
        ]

    def __str__(self) -> str:
        return self.title

    @cached_property
    def rules(self) -> RuleSet:
        return self.campaign.rules

    @property
    def chair_person(self) -> str:
        """The chair's name, without the post that may follow it (“Đặng Quốc Khánh — Chủ tịch UBND
        thành phố”): the name the body's documents are signed with when no other signer is set."""
        return self.chair_name.split(" — ")[0]

    @property
    def is_confidence_vote(self) -> bool:
        """A bỏ phiếu tín nhiệm (tín nhiệm / không tín nhiệm), not a lấy phiếu tín nhiệm."""
        return self.rules.procedure == "vote"

    @cached_property
    def rated_words(self) -> dict[str, str]:
        """What the pages call the persons on the ballot: at a confidence vote the law's "người được đưa ra bỏ
        phiếu tín nhiệm" (NQ 96/2023/QH15 Điều 15), at a rating "người được lấy phiếu tín nhiệm"."""
        if self.is_confidence_vote:
            return {
                "tab": _("Put to the vote"),
                "many": _("Persons put to the confidence vote"),
                "one": _("Person put to the confidence vote"),
                "count": _("persons put to the confidence vote"),
                "badge": _("put to the vote"),
                "none": _("No person put to the confidence vote yet."),
                "add": _("Add a person put to the confidence vote"),
            }
        return {
            "tab": _("Rated persons"),
            "many": _("Rated persons"),
            "one": _("Rated person"),
            "count": _("rated persons"),
            "badge": _("rated person"),
            "none": _("No rated person yet."),
            "add": _("Add a rated person"),
        }

    @property
    def is_closed(self) -> bool:
        """Finished, or cancelled before it was held: nothing of it changes any more."""
        return self.status in (self.Status.FINISHED, self.Status.CANCELLED)

    @property
    def links_open(self) -> bool:
        """Invitation links work until the conference is finished or cancelled, or its day has passed."""
        return not self.is_closed and date.today() <= self.date

    @property
    def date_passed_unopened(self) -> bool:
        """Still being prepared after its date: the meeting was moved and its date not changed, or it
        will not be held. The voters' invitation links have closed (``links_open``)."""
        return self.status == self.Status.PREPARING and self.date < date.today()

    # At a confidence vote the persons put to the vote speak (NQ 96/2023/QH15 Điều 16: "trình bày ý kiến").
    VOTE_AGENDA = {"report": _("Statements of the persons put to the vote")}

    @classmethod
    def agenda_steps(cls, vote: bool) -> list[tuple[str, str]]:
        """The steps of a conference, as a rating (``vote`` false) or a confidence vote names them."""
        return [(key, cls.VOTE_AGENDA.get(key, label) if vote else label) for key, label in cls.AGENDA]

    @property
    def agenda(self) -> list[tuple[str, str]]:
        return self.agenda_steps(self.is_confidence_vote)

    @property
    def agenda_label(self) -> str:
        return str(self.agenda[min(self.agenda_step, len(self.AGENDA) - 1)][1])


class RatedPerson(models.Model):
    """Người được lấy phiếu tín nhiệm."""

    class Decision(models.TextChoices):
        RATED = "rated", _("Rated")
        EXCLUDED = "excluded", _("Not rated (excluded)")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="rated_persons")
    order = models.PositiveIntegerField(_("order"), default=0)
    full_name = NFCCharField(_("full name"), max_length=255)
    post = NFCCharField(_("post"), max_length=255)
    group = NFCCharField(_("group"), max_length=255, blank=True, help_text=_("Ballot group, e.g. Phó Chủ tịch UBND"))
    retirement_notified = models.BooleanField(_("notified of retirement"), default=False)
    took_office_on = models.DateField(_("elected or appointed on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.RATED)
    decision_note = NFCTextField(_("reason for the decision"), blank=True)
    # the office's own note, as its list has it (the "Ghi chú" column); it decides nothing
    note = NFCCharField(_("note"), max_length=255, blank=True)
    ballot_form = models.ForeignKey(
        "BallotForm",
        verbose_name=_("ballot form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    link_nonce = models.CharField(max_length=16, default=new_nonce, editable=False)

    class Meta:
        verbose_name = _("rated person")
        verbose_name_plural = _("rated persons")
        ordering = ["order", "id"]

    # At a confidence vote the same two decisions read as the vote's (NQ 96/2023 Điều 15).
    VOTE_DECISIONS = {
        Decision.RATED: pgettext_lazy("decision", "Put to the vote"),
        Decision.EXCLUDED: pgettext_lazy("decision", "Not put to the vote (excluded)"),
    }

    @classmethod
    def decision_choices(cls, vote: bool) -> list[tuple[str, str]]:
        return (
            [(value, cls.VOTE_DECISIONS[value]) for value, _label in cls.Decision.choices]
            if vote
            else cls.Decision.choices
        )

    @property
    def decision_label(self) -> str:
        return dict(self.decision_choices(self.conference.is_confidence_vote))[self.decision]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.post}"

    @property
    def on_ballot(self) -> bool:
        return self.decision == self.Decision.RATED


class Voter(models.Model):
    """Người ghi phiếu: one line of the voter roll (thành phần tham gia) of a conference."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="voters")
    order = models.PositiveIntegerField(_("No."), default=0)
    full_name = NFCCharField(_("full name"), max_length=255)
    post = NFCCharField(_("post"), max_length=255)
    unit = NFCCharField(_("unit"), max_length=255, blank=True)
    phone = NFCCharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    note = NFCCharField(_("note"), max_length=255, blank=True)
    identity_key = models.CharField(max_length=520, editable=False)
    rated_person = models.ForeignKey(
        RatedPerson,
        verbose_name=_("is also the rated person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="as_voter",
    )
    rated_match_dismissed = models.BooleanField(default=False, editable=False)

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not yet checked")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")

    # Who received a ballot is recorded; which ballot, never. No time is kept, only whether the
    # voter arrived after the vote had opened.
    attendance = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices, default="", blank=True)
    absence_reason = NFCCharField(_("reason for absence"), max_length=255, blank=True)
    arrived_late = models.BooleanField(default=False)
    link_nonce = models.CharField(max_length=16, default=new_nonce, editable=False)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voter roll")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "identity_key"], name="voter_unique_per_conference"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @staticmethod
    def make_identity_key(full_name: str, post: str) -> str:
        """Two lines are the same person when name and post match (NFC, case-folded)."""
        return f"{fold(full_name)}|{fold(post)}"

    def save(self, *args, **kwargs):
        self.identity_key = self.make_identity_key(self.full_name, self.post)
        super().save(*args, **kwargs)


def dossier_path(instance: Dossier, filename: str) -> str:
    # never the uploaded name: a random name under the conference
    return f"dossiers/{instance.rated_person.conference_id}/{uuid.uuid4().hex}.pdf"


class Dossier(models.Model):
    """Báo cáo, hồ sơ of a rated person (PDF), distributed to the voters before the vote."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Self-assessment report")
        DOSSIER = "dossier", _("Dossier")
        OTHER = "other", _("Other document")

    rated_person = models.ForeignKey(RatedPerson, on_delete=models.PROTECT, related_name="dossiers")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REPORT)
    title = NFCCharField(_("title"), max_length=255)
    file = models.FileField(upload_to=dossier_path, max_length=255)
    original_name = NFCCharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    distributed_on = models.DateField(_("distributed on"), null=True, blank=True)
    # sent by the rated person through their own link, not uploaded by the office: the office
    # looks at it before sending it to the voters
    from_person = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["rated_person__order", "id"]

    def __str__(self) -> str:
        return self.title


class Opinion(models.Model):
    """Ý kiến about a rated person, from a voter's link or entered from paper by the office.

    An unsigned opinion keeps no link to the voter, only the day it was received; its id is random
    so that neither id nor order tells who sent it.
    """

    class Source(models.TextChoices):
        LINK = "link", _("Invitation link")
        PAPER = "paper", _("Paper")

    class Tag(models.TextChoices):
        NEW = "new", _("Not yet classified")
        AGREES = "agrees", _("Agrees")
        REQUESTS_EXPLANATION = "requests_explanation", _("Requests an explanation")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="opinions")
    rated_person = models.ForeignKey(
        RatedPerson, verbose_name=_("about"), null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    text = NFCTextField(_("opinion"))
    source = models.CharField(max_length=8, choices=Source.choices)
    signed_by = NFCCharField(_("signed by"), max_length=255, blank=True)
    voter = models.ForeignKey(Voter, null=True, blank=True, on_delete=models.SET_NULL, related_name="signed_opinions")
    received_on = models.DateField(_("received on"))
    tag = models.CharField(_("classification"), max_length=24, choices=Tag.choices, default=Tag.NEW)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    # the writer named no one: the office chose the rated person this request goes to (address_request)
    addressed_by_office = models.BooleanField(_("person chosen by the office"), default=False)
    # the form's one-time id, random per page shown (it names no one): a form sent twice is one opinion
    submission = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["received_on", "rated_person__order", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "submission"], condition=~models.Q(submission=""), name="opinion_submission_once"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def signed(self) -> bool:
        return bool(self.signed_by)


def explanation_path(instance: Explanation, filename: str) -> str:
    return f"explanations/{instance.rated_person.conference_id}/{uuid.uuid4().hex}.pdf"


class Explanation(models.Model):
    """Báo cáo giải trình of a rated person, answering forwarded requests."""

    rated_person = models.ForeignKey(RatedPerson, on_delete=models.PROTECT, related_name="explanations")
    answers = models.ManyToManyField(Opinion, related_name="explanations", blank=True)
    text = NFCTextField(_("explanation"))
    file = models.FileField(upload_to=explanation_path, max_length=255, blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = NFCCharField(max_length=150)
    distributed_on = models.DateField(_("distributed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        ordering = ["rated_person__order", "received_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Adjournment(models.Model):
    """Hoãn hội nghị: a session opened and adjourned before the vote (QĐ 96: the conference is held
    only with at least 2/3 of those convened present), to be held again on a later day. The
    conference goes back to preparation; what the session did (attendance, the counting committee)
    is done again at the next one, and the audit log keeps it."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="adjournments")
    session_date = models.DateField(_("session of"))
    new_date = models.DateField(_("postponed to"))
    reason = NFCTextField(_("reason"))
    present = models.PositiveIntegerField(_("present"))
    convened = models.PositiveIntegerField(_("convened"))
    required = models.PositiveIntegerField(_("required"))

    class Meta:
        verbose_name = _("adjournment")
        verbose_name_plural = _("adjournments")
        ordering = ["conference", "id"]

    def __str__(self) -> str:
        return f"{self.session_date:%d/%m/%Y} → {self.new_date:%d/%m/%Y}"


class CommitteeMember(models.Model):
    """A member of the counting committee (Ban kiểm phiếu): chosen from the voters present, never a
    rated person, acting in the counting pages with their own login."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head (Trưởng ban)")
        SECRETARY = "secretary", _("Secretary (Thư ký)")
        MEMBER = "member", _("Member (Ủy viên)")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="committee")
    voter = models.ForeignKey(Voter, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="committee_roles")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    user = models.ForeignKey(
        "auth.User",
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_seats",
    )

    class Meta:
        verbose_name = _("counting committee member")
        verbose_name_plural = _("counting committee")
        ordering = ["conference", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "voter"], name="committee_voter_once"),
            models.UniqueConstraint(fields=["conference", "user"], name="committee_user_once"),
        ]

    def __str__(self) -> str:
        return f"{self.voter.full_name} ({self.get_role_display()})"


class BallotForm(models.Model):
    """Mẫu phiếu: a group of rated persons printed on one ballot; every count is per form."""

    class Mode(models.TextChoices):
        DOUBLE_ENTRY = "double_entry", _("Double entry, ballot by ballot")
        TOTALS = "totals", _("Totals counted by hand")
        SCAN = "scan", _("Scanned ballots")

    class State(models.TextChoices):
        OPEN = "open", _("Not yet counted")
        COUNTING = "counting", _("Counting")
        FINALISED = "finalised", _("Finalised")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="ballot_forms")
    order = models.PositiveSmallIntegerField(default=1)
    name = NFCCharField(_("name"), max_length=255)
    color = models.CharField(
        _("paper colour"), max_length=7, blank=True, help_text=_("e.g. #ffe9a8; printed also in greyscale")
    )
    mode = models.CharField(_("counting mode"), max_length=16, choices=Mode.choices, default=Mode.DOUBLE_ENTRY)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    spoilt = models.PositiveIntegerField(_("spoilt ballots exchanged"), default=0)
    collected = models.PositiveIntegerField(_("ballots collected"), null=True, blank=True)
    reconciliation_note = NFCTextField(_("explanation of the difference"), blank=True)
    # counted by totals: the whole ballots invalid as the committee recorded them with its totals
    # (never worked out from the number collected, which may change after the totals were saved)
    whole_invalid_by_hand = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class EVote(models.TextChoices):
        NOT_USED = "", _("Paper only")
        READY = "ready", _("Electronic voting ready")
        OPEN = "open", _("Electronic voting open")
        CLOSED = "closed", _("Electronic voting closed")

    evote = models.CharField(_("electronic voting"), max_length=8, choices=EVote.choices, default="", blank=True)
    cards_issued = models.PositiveIntegerField(_("code cards issued"), default=0)
    # the key (tinnhiem.once) of the cards page and count that made the last cards: the same page
    # sent again (a second click while the PDF was being made) makes no more cards, whose codes
    # nobody would have
    cards_submission = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("ballot form")
        verbose_name_plural = _("ballot forms")
        ordering = ["conference", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def people_on_ballot(self):
        return self.people.filter(decision=RatedPerson.Decision.RATED).order_by("order", "id")
