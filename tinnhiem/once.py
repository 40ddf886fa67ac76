"""Saving a form once: the same form sent twice (a second click on a slow Wi-Fi, a page sent again)
makes one object, not two.

A form carries a one-time id, new each time the empty form is shown (``OnceFormMixin``). What is
stored is a key made of that id and of what the form says: the same page sent again with the same
content finds the object it made; a page brought back (the browser's Back button) and changed
makes a new object, as the person who changed it means. A unique constraint on the key (where not
empty) settles two requests that arrive together.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

T = TypeVar("T", bound=models.Model)


def new_submission() -> str:
    """A new one-time id for a form shown (hidden field ``submission``)."""
    return secrets.token_hex(16)


def submission_key(submission: str, kind: str, content: dict[str, Any]) -> str:
    """The key stored for ``content`` sent with the one-time id ``submission``; "" without an id."""
    submission = submission.strip()[:32]
    if not submission:
        return ""
    text = json.dumps([submission, kind, content], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def short_key(submission: str, kind: str, content: dict[str, Any]) -> str:
    """:func:`submission_key` cut to 32 characters (128 bits), for the fields that hold a page's
    one-time id itself: the same page sent again finds its object, and a page brought back and
    changed is not taken for it."""
    return submission_key(submission, kind, content)[:32]


def save_once(made: models.QuerySet[T], key: str, make_once: Callable[[], T]) -> tuple[T, bool]:
    """The object of ``made`` whose ``submission`` is ``key``, or the one ``make_once`` saves with it:
    (the object, whether it is new). ``make_once`` runs in a savepoint, so what it saved is undone
    when a concurrent request with the same key won."""
    if key:
        before = made.filter(submission=key).first()
        if before is not None:
            return before, False
    try:
        with transaction.atomic():
            return make_once(), True
    except IntegrityError:
        before = made.filter(submission=key).first() if key else None
        if before is None:
            raise
        return before, False


class AlreadyDone(ValidationError):
    """What was asked is what the conference holds already: the same button pressed twice (a
    double click, a page sent again, two members at once). Nothing is changed or logged again; a
    page shows it as information, not as an error."""
