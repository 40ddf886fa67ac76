"""Errors of the counting core.

The core does no I/O and knows no language: an error carries an English gettext message id and
its parameters, and the edge (command line, web page) translates it with its own catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a message for extraction (``makemessages`` knows this name); translated at the edge."""
    return message


class Words(str):
    """A parameter of an error that is itself words to translate (e.g. "the top of the file"),
    not a value from the user's data."""


class RulesError(ValueError):
    """A problem the user must fix; ``code`` is stable for programs, ``message`` for people."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code = code
        self.message = message
        self.params: Mapping[str, Any] = params
        super().__init__(message % params if params else message)

    def translated(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.message)
        if not self.params:
            return text
        return text % {k: gettext(v) if isinstance(v, Words) else v for k, v in self.params.items()}


class RuleSetError(RulesError):
    """A rule-set file that does not describe a usable rule set."""


class TallyError(RulesError):
    """Counts that cannot be tallied as given (inconsistent, missing or unknown)."""
