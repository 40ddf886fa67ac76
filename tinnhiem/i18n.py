"""Translations outside Django (the command line). Message ids are English; Vietnamese is the default.

The web application uses Django's translation machinery on the same catalog (``locale/``).
"""

from __future__ import annotations

import gettext as _gettext
import os
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
