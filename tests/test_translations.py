"""The Vietnamese catalog is complete and the compiled .mo matches the .po."""

import ast
import gettext
from pathlib import Path

import pytest

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


def test_every_message_the_code_asks_for_is_in_the_catalog():
    """Each literal the code passes to gettext is in the Vietnamese catalog. makemessages skips
    some calls without a word (inside an f-string, for one), and the user then reads English: the
    counting minutes said "Ngày …, at 08:00, tại …"."""
    entries, _fuzzy = parse_po(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    plain = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
    context = {"pgettext", "pgettext_lazy"}
    missing = []
    for path in sorted((LOCALE.parent).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
            if node.func.id in plain and args and args[0] is not None:
                key = args[0]
            elif node.func.id in context and len(args) > 1 and None not in args[:2]:
                key = f"{args[0]}\x04{args[1]}"
            else:
                continue
            if key not in entries:
                missing.append(f"{path.relative_to(LOCALE.parent.parent)}:{node.lineno}: {key!r}")
    assert not missing, "\n".join(missing)


def test_a_limit_is_grouped_by_thousands_as_each_language_writes_it_and_nothing_else_is():
    """``i18n.grouped`` writes "10.000" in Vietnamese (Django's Vietnamese formats set no grouping:
    it wrote "10000") and "10,000" in English; a number a page shows is not grouped by it."""
    from django.template import Context, Template
    from django.utils import translation

    from tinnhiem.i18n import grouped

    with translation.override("vi"):
        assert [grouped(n) for n in (999, 1000, 10_000, 1_234_567)] == ["999", "1.000", "10.000", "1.234.567"]
        assert Template("{{ n }} {{ x|floatformat:1 }}").render(Context({"n": 12345, "x": 1234.5})) == "12345 1234,5"
    with translation.override("en"):
        assert grouped(10_000) == "10,000"


def test_a_percentage_shown_on_a_page_takes_the_page_s_decimal_separator():
    """The tally writes "79,66%" (the minutes and the files sent up keep it); a page in English
    shows "79.66%". Only a percentage is touched: a name or a count with a comma is not."""
    from django.template import Context, Template
    from django.utils import translation

    from tinnhiem.i18n import percent_in_language

    shown = Template("{{ a|percent }} {{ b|percent }} {{ c|percent }} {{ d|percent }}")
    values = Context({"a": "79,66%", "b": "100,00%", "c": "2,90", "d": "Hà Nội, 2026"})
    with translation.override("vi"):
        assert shown.render(values) == "79,66% 100,00% 2,90 Hà Nội, 2026"
    with translation.override("en"):
        assert shown.render(values) == "79.66% 100.00% 2.90 Hà Nội, 2026"
        assert [percent_in_language(t) for t in ("1,234", "12,5%", "", "0,00%")] == ["1,234", "12,5%", "", "0.00%"]


def test_django_s_own_messages_its_catalog_lacks_come_out_in_vietnamese(db, office, conference, person):
    """Django 5.2's Vietnamese catalog has no words for a few of its validation messages that a
    page can show (``tinnhiem.site.django_words``): they are Django's own texts, word for word, and
    tinnhiem's catalog gives them in Vietnamese. The one a page met: an opinion about a rated
    person removed meanwhile, as a model's validation says it."""
    from django import forms
    from django.core import validators
    from django.core.exceptions import ValidationError
    from django.db import models
    from django.utils import translation

    from tinnhiem.conferences.models import Opinion, RatedPerson
    from tinnhiem.site.django_words import MESSAGES

    django_own = [
        models.ForeignKey.default_error_messages["invalid"],
        models.UUIDField.default_error_messages["invalid"],
        forms.UUIDField.default_error_messages["invalid"],
        validators.ProhibitNullCharactersValidator.message,
        models.IntegerField.default_error_messages["invalid"],
        models.BooleanField.default_error_messages["invalid"],
        models.DateField.default_error_messages["invalid"],
        models.DateField.default_error_messages["invalid_date"],
    ]
    with translation.override("en"):
        assert [str(m) for m in django_own] == list(MESSAGES)  # reworded by a later Django: name the new words
    with translation.override("vi"):
        vietnamese = [str(m) for m in django_own]
    assert all(v not in MESSAGES for v in vietnamese), vietnamese
    assert "Hãy nhập một mã định danh hợp lệ." in vietnamese

    gone = RatedPerson.objects.get(pk=person.pk)
    RatedPerson.objects.filter(pk=person.pk).delete()
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        Opinion(conference=conference, rated_person=gone, text="Đồng tình", source="paper").full_clean()
    assert info.value.message_dict["rated_person"] == [
        f"Không còn người được lấy phiếu có id {gone.pk}: hãy mở lại trang."
    ]
