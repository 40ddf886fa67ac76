"""The Vietnamese catalog is complete and the compiled .mo matches the .po."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "tinnhiem" / "locale"


def parse_po(path: Path) -> dict[str, str]:
    """Minimal .po reader (msgid/msgstr with continuation lines; no plurals needed here)."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    context = None
    current = None
    fuzzy = False
    fuzzy_ids = set()

    def flush():
        if msgid:
            key = f"{context}\x04{msgid}" if context else msgid  # gettext's key for a context
            entries[key] = msgstr or ""
            if fuzzy:
                fuzzy_ids.add(key)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            flush()
            msgid, msgstr, context = None, None, ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            if msgid:
                flush()
                context = None
            msgid, msgstr, current = ast.literal_eval(line[6:]), None, "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "str"
        elif line.startswith("msgstr[0] "):
            msgstr, current = ast.literal_eval(line[10:]), "str"
        elif line.startswith("msgstr["):
            current = "other"
        elif line.startswith('"'):
            if current == "id":
                msgid += ast.literal_eval(line)
            elif current == "str":
                msgstr += ast.literal_eval(line)
        elif not line.strip():
            flush()
            msgid = msgstr = context = None
            fuzzy = False
    flush()
    return entries, fuzzy_ids


def test_every_message_is_translated_and_compiled():
    po_path = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
    entries, fuzzy = parse_po(po_path)
    text = po_path.read_text(encoding="utf-8")
    plural_ids = {m for m in entries if f'msgid "{m}"\nmsgid_plural' in text}
    assert len(entries) > 50
    untranslated = [m for m, t in entries.items() if not t]
    assert untranslated == [], "untranslated messages (run scripts/messages after translating)"
    assert not fuzzy, f"fuzzy translations: {sorted(fuzzy)[:5]}"
    catalog = gettext.GNUTranslations(open(po_path.with_suffix(".mo"), "rb"))
    stale = [m for m, t in entries.items() if m not in plural_ids and catalog.gettext(m) != t]
    stale += [m for m in plural_ids if catalog.ngettext(m, m + "s", 1) != entries[m]]
    assert stale == [], "django.mo is out of date: run scripts/messages"


def test_placeholders_survive_translation():
    import re

    entries, _ = parse_po(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    pattern = re.compile(r"%\((\w+)\)[sd]")
    for msgid, msgstr in entries.items():
        assert sorted(pattern.findall(msgid)) == sorted(pattern.findall(msgstr)), msgid
