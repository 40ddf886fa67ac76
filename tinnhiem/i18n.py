"""Translations outside Django (the command line). Message ids are English; Vietnamese is the default.

The web application uses Django's translation machinery on the same catalog (``locale/``).
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "vi"


def cli_language() -> str:
    """``TINNHIEM_LANG`` (``vi`` or ``en``), Vietnamese by default."""
    lang = os.environ.get("TINNHIEM_LANG", DEFAULT_LANGUAGE).strip().lower()[:2]
    return lang if lang in ("vi", "en") else DEFAULT_LANGUAGE


@cache
def translation(language: str) -> _gettext.NullTranslations:
    return _gettext.translation("django", localedir=str(LOCALE_DIR), languages=[language], fallback=True)


def gettext(message: str, language: str | None = None) -> str:
    return translation(language or cli_language()).gettext(message)


def grouped(number: int) -> str:
    """A whole number as the active language writes it, grouped by thousands: "10.000" in
    Vietnamese (``tinnhiem.site.formats``), "10,000" in English. For a limit a message states."""
    from django.utils.formats import number_format

    return number_format(number, force_grouping=True)


# a percentage as the tally writes it, with the Vietnamese decimal comma: "79,66%", "0,00"
_PERCENT = re.compile(r"(\d+),(\d\d)(%?)")


def percent_in_language(text: str) -> str:
    """A percentage the tally wrote with the Vietnamese decimal comma ("79,66%"), with the active
    language's decimal separator: "79.66%" on a page in English. For what a page shows; the
    minutes, the report and the files sent up keep the comma (``official_language``). Any other
    text is returned as it is."""
    from django.utils.formats import get_format

    found = _PERCENT.fullmatch(text)
    return f"{found[1]}{get_format('DECIMAL_SEPARATOR')}{found[2]}{found[3]}" if found else text


def official_language():
    """Django's gettext in Vietnamese, whatever the language of the page, for an official document
    (ballots, cards, minutes, reports, the signed record) and for a text a use case builds from the
    catalog and stores to be printed on one: a ruling in the minutes, a ballot form's name, a
    person's reason for not being rated. The page's reader chose English for themselves; the
    minutes the committee signs are in Vietnamese."""
    from django.utils import translation

    return translation.override(DEFAULT_LANGUAGE)


def rule_words(text: str) -> str:
    """A rule set's own words (a level, a consequence, a rule set's name, a reason that voids a
    ballot) in the language active: their English on a page or in a table made in English
    (``tinnhiem.rules.english``); otherwise, and for any text no rule set says, the text itself."""
    from django.utils.translation import get_language

    from tinnhiem.rules.english import in_language

    return in_language(text, get_language())


def install_argparse_translation(language: str | None = None) -> None:
    """argparse's own words — "usage:", "options", its error messages — from the same catalog.

    argparse looks its words up through the module globals ``_`` and ``ngettext`` (the standard
    library's gettext, which finds no Vietnamese catalog), at the time it uses them: pointing
    them at ours translates every parser of the process, ours and Django's. The message ids are
    listed in ``tinnhiem/argparse_words.py`` so that they are extracted into the catalog."""
    import argparse

    chosen = translation(language or cli_language())
    argparse._ = chosen.gettext  # type: ignore[attr-defined]
    argparse.ngettext = chosen.ngettext  # type: ignore[attr-defined]
