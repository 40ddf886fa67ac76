"""Counting paper ballots: double entry ballot by ballot, or totals by hand; rulings; results.

Secrecy: an entry row has a position in the physical stack, which follows nothing about the
voters once the ballot box has been emptied and mixed; no row has a time, a device or a person
other than the committee member who typed it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinnhiem.conferences.models import BallotForm, CommitteeMember, RatedPerson
from tinnhiem.site.fields import NFCCharField, NFCTextField

NO_MARK = "0"
SEVERAL_MARKS = "9"
INVALID_KEY = "x"


class EntrySession(models.Model):
    """One committee member's pass over the whole stack of one ballot form (A or B)."""

    form = models.ForeignKey(BallotForm, on_delete=models.CASCADE, related_name="entry_sessions")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="entry_sessions")
    pass_label = models.CharField(max_length=1)  # "A" or "B"
    device_key_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "pass_label"], name="entry_pass_once"),
            models.UniqueConstraint(fields=["form", "member"], name="entry_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.form} / {self.pass_label}"

    @property
    def completed(self) -> bool:
        """Every ballot collected is typed in this pass. Worked out from the rows each time, never
        stored: a stored flag went stale when a member corrected a ballot after typing the last one
        (the form could then never be finalised) or when the number collected was raised. The
        number collected is read from the database, not from a copy of the form held by the caller."""
        collected = BallotForm.objects.filter(pk=self.form_id).values_list("collected", flat=True).first() or 0
        return collected > 0 and self.rows.filter(position__lte=collected).count() == collected


class EntryRow(models.Model):
    """One ballot as typed: ``marks`` has one key per person (1/2/3 levels, 0 no mark, 9 several);
    a whole-ballot invalid ballot has ``invalid_reason`` and no marks."""

    session = models.ForeignKey(EntrySession, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    marks = models.TextField(blank=True)
    invalid_reason = NFCCharField(max_length=255, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["session", "position"], name="entry_row_once")]

    @property
    def reading(self) -> tuple[str, str]:
        return (self.marks, self.invalid_reason)


class Resolution(models.Model):
    """The committee's reading of a ballot where the two entries differ."""

    form = models.ForeignKey(BallotForm, on_delete=models.CASCADE, related_name="resolutions")
    position = models.PositiveIntegerField()
    marks = models.TextField(blank=True)
    invalid_reason = NFCCharField(max_length=255, blank=True)
    reason = NFCTextField()
    decided_by = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["form", "position"], name="resolution_once")]


class Ruling(models.Model):
    """Kết luận của Ban kiểm phiếu on a disputed ballot or a complaint; printed in the minutes."""

    form = models.ForeignKey(BallotForm, on_delete=models.CASCADE, related_name="rulings")
    position = models.PositiveIntegerField(null=True, blank=True)
    subject = NFCTextField(_("what was disputed"))
    decision = NFCTextField(_("ruling"))
    is_complaint = models.BooleanField(_("complaint"), default=False)
    decided_by = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT)
    submission = models.CharField(max_length=32, blank=True, editable=False)  # the page's one-time id

    class Meta:
        ordering = ["form", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "submission"], condition=~models.Q(submission=""), name="ruling_submission_once"
            )
        ]


class HandTotal(models.Model):
    """Per-person totals counted by hand (small conferences)."""

    form = models.ForeignKey(BallotForm, on_delete=models.CASCADE, related_name="hand_totals")
    person = models.ForeignKey(RatedPerson, on_delete=models.PROTECT)
    counts = models.JSONField(default=dict)
    row_invalid = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "person"], name="hand_total_once")]


class FormResult(models.Model):
    """The frozen result of a ballot form. A correction adds a new version; none is ever edited."""

    form = models.ForeignKey(BallotForm, on_delete=models.PROTECT, related_name="results")
    version = models.PositiveSmallIntegerField(default=1)
    data = models.JSONField()
    whole_invalid = models.PositiveIntegerField(default=0)
    finalised_at = models.DateTimeField(auto_now_add=True)
    finalised_by = NFCCharField(max_length=150)
    correction_reason = NFCTextField(blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["form", "version"]
        constraints = [models.UniqueConstraint(fields=["form", "version"], name="result_version_once")]


# --- electronic voting --------------------------------------------------------------------------
#
# Secrecy: a code card is handed out at random like a paper ballot, so no record links a card to a
# person. The server keeps only an HMAC of each code. An electronic ballot has a random id and no
# time, sequence, address, agent, code or voter; a receipt (the voter's tracking code) is stored
# apart with no link to the ballot. Closing the vote rewrites both tables in random order, so that
# not even the storage order follows the order of voting (docs/secrecy.md).


class CodeCard(models.Model):
    class State(models.TextChoices):
        UNUSED = "unused", _("Unused")
        USED = "used", _("Used")
        VOID = "void", _("Void")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(BallotForm, on_delete=models.CASCADE, related_name="code_cards")
    code_hmac = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.UNUSED)


class ElectronicBallot(models.Model):
    """One electronic ballot: the keys of each row (level digit, 0 left blank, 9 marked invalid)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(BallotForm, on_delete=models.PROTECT, related_name="electronic_ballots")
    marks = models.TextField()


class Receipt(models.Model):
    """A voter's tracking code, published after the close so that each voter can find theirs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(BallotForm, on_delete=models.PROTECT, related_name="receipts")
    tracking_code = models.CharField(max_length=16, unique=True)
