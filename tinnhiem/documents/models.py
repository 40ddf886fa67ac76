"""The geometry of every ballot layout that was printed, kept for the scanner (issue: scanning)."""

from __future__ import annotations

from django.db import models

from tinnhiem.conferences.models import BallotForm


class PrintedLayout(models.Model):
    form = models.ForeignKey(BallotForm, on_delete=models.CASCADE, related_name="printed_layouts")
    version = models.CharField(max_length=16)
    geometry = models.JSONField()
    people = models.JSONField(help_text="ids of the rated persons, in the order printed")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "version"], name="printed_layout_once")]
