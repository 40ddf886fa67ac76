"""Vietnamese typed in the fonts of before Unicode (TCVN 6909:2001, required in state bodies by
Quyết định 72/2002/QĐ-TTg), which old lists in an office's Excel files still use.

- **TCVN3 (ABC)**, fonts named ``.VnTime``, ``.VnArial`` and so on: each Vietnamese letter is one
  byte of TCVN 5712 (VN3), which Excel stores as the Windows-1252 character of that byte, so that
  "Nguyễn Văn Thành" is kept as "NguyÔn V¨n Thµnh". The capitals with a tone mark are not in VN3:
  they are the same bytes in the font of the same name ending in ``H`` (``.VnTimeH``), drawn as
  capitals. Such a cell is converted: the font is known, and the table is TCVN 5712's.
- **VNI** (VNI-Windows), fonts named ``VNI-Times`` and so on: a vowel is followed by the
  characters of its marks, so that "Nguyễn Văn Thành" is kept as "Nguyeãn Vaên Thaønh"; ơ, ư, đ
  and i with a tone are one character each ("ô", "ö", "ñ", "í"…). Such a cell is converted: the
  font is known, and so is the scheme (``VNI``). A character the scheme leaves unexplained (a
  mark after no vowel) refuses the cell.

Text with characters that Vietnamese in Unicode never uses (``µ``, ``¨``, ``ª``…) is such a
font's, whatever its cell says (a list pasted into a sheet, or a CSV file): ``looks_legacy``.
"""

from __future__ import annotations

import unicodedata
from itertools import product

# TCVN 5712 VN3, as Windows-1252 characters, and the Unicode letters they stand for.
_TCVN3 = (
    "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢§£¤¥¦",
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ",
)
TCVN3 = dict(zip(*_TCVN3, strict=True))

# VNI-Windows: after a vowel, the character of its tone; after a, e, o the circumflex with its
# tone; after a the breve with its tone (the case of the mark may differ from the vowel's: "Aùnh").
_VNI_TONE = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRCUMFLEX = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
# letters that are one character: ơ, ư (which take a tone after them, as a vowel), đ, i with a
# tone, ỵ
_VNI_ONE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_table() -> tuple[dict[str, str], dict[str, str]]:
    """(two characters → letter, one character → letter), capitals included."""
    pairs: dict[str, str] = {}
    for base, marks, added in (
        ("aeouyôö", _VNI_TONE, ""),
        ("aeo", _VNI_CIRCUMFLEX, "\u0302"),
        ("a", _VNI_BREVE, "\u0306"),
    ):
        for vowel in base:
            letter = _VNI_ONE.get(vowel, vowel)
            for mark, tone in marks.items():
                made = unicodedata.normalize("NFC", letter + added + tone)
                for v, m in product((vowel, vowel.upper()), (mark, mark.upper())):
                    pairs[v + m] = made.upper() if v.isupper() else made
    ones = _VNI_ONE | {k.upper(): v.upper() for k, v in _VNI_ONE.items()}
    return pairs, ones


VNI_PAIRS, VNI_ONE = _vni_table()


def from_vni(text: str) -> str:
    """VNI-Windows text, as Excel keeps it (Windows-1252 characters), in Unicode (NFC). Raise
    ``ValueError`` for a character the scheme does not explain."""
    out, i = [], 0
    while i < len(text):
        if text[i : i + 2] in VNI_PAIRS:
            out.append(VNI_PAIRS[text[i : i + 2]])
            i += 2
            continue
        c = text[i]
        if c in VNI_ONE:
            out.append(VNI_ONE[c])
        elif 0x80 <= ord(c) <= 0xFF and c != "\u00a0":
            raise ValueError(c)
        else:
            out.append(c)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


# Characters of Latin-1 that no Vietnamese word in Unicode holds, but TCVN3 and VNI text does
# (à, á, â, ã, è, é, ê, ì, í, ò, ó, ô, õ, ù, ú, ý and their capitals are Vietnamese letters; « »,
# × and the soft hyphen may stray into Unicode text, and are not taken as a sign).
SUSPECT = frozenset("µ¸¶¹¨¾¼½Æ©ÇËÎÏÑªÖØÜÞßäåæçëîïñö÷øûüþ¬")


# Vietnamese letters that are not in Latin-1: a cell holding one was typed in Unicode, whatever
# its font (a sheet made from an old template, typed in again with Unikey set to Unicode).
_UNICODE_ONLY = frozenset(
    c
    for v in "aăâeêioôơuưy"
    for m in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    for c in {unicodedata.normalize("NFC", v + m), unicodedata.normalize("NFC", v + m).upper()}
    if ord(c) > 0xFF
) | {"đ", "Đ"}


class LegacyFontError(ValueError):
    """A cell in a legacy font that cannot be converted here (a character VNI does not explain,
    or a byte TCVN3 does not use)."""

    def __init__(self, font: str, text: str) -> None:
        super().__init__(font, text)
        self.font, self.text = font, text


class AmbiguousFont(LegacyFontError):
    """A cell in an old font whose text is Vietnamese in Unicode too, in a list that shows
    nowhere that it is typed in an old font: typed so, or typed again in Unicode over an old
    template?"""


def legacy_evidence(text: str, font_name: str | None) -> bool:
    """Whether a cell in an old font shows that its text is typed in it: a character no
    Vietnamese in Unicode holds ("µ", "¨" in TCVN3; "ø", "ö", "ñ" in VNI). A list typed in an old
    font shows it in some cell; one typed again in Unicode over an old template never does."""
    return bool(font_kind(font_name)) and looks_legacy(text)


def font_kind(name: str | None) -> str:
    """``tcvn3``, ``tcvn3-upper`` (an ``H`` font: drawn in capitals), ``vni``, or ``""``."""
    name = (name or "").strip()
    low = name.lower()
    if low.startswith(".vn"):
        return "tcvn3-upper" if name.endswith("H") else "tcvn3"
    if low.startswith("vni"):
        return "vni"
    return ""


def from_font(text: str, font_name: str | None, *, legacy_evident: bool = False) -> tuple[str, bool]:
    """The text of a cell as its font draws it, in Unicode, and whether it was converted.
    Raise ``LegacyFontError`` for a legacy font this cannot convert.

    A cell in an old font whose text is Vietnamese in Unicode too ("Phó phòng": TCVN3 would read
    "Phú phũng", VNI "Phĩ phịng"; "Sôn": VNI "Sơn") is converted only when the list shows
    elsewhere that it is typed in an old font (``legacy_evident``: :func:`legacy_evidence` of
    some cell); otherwise which is meant cannot be told, and it is refused (``AmbiguousFont``)."""
    kind = font_kind(font_name)
    if not kind:
        return text, False
    if kind == "vni":
        if not any(ord(c) > 127 for c in text):
            return text, False  # plain ASCII (a number, an abbreviation) reads the same in any font
        if any(c in _UNICODE_ONLY for c in text):
            if looks_legacy(text):
                raise LegacyFontError(font_name or "", text)  # both at once: which is meant cannot be told
            return unicodedata.normalize("NFC", text), False  # typed again in Unicode, over the old font
        try:
            converted = from_vni(text)
        except ValueError:
            raise _unexplained(text, font_name, legacy_evident) from None
        return _unless_ambiguous(text, converted, font_name, legacy_evident)
    if any(c in _UNICODE_ONLY for c in text):
        if looks_legacy(text):
            raise LegacyFontError(font_name or "", text)  # both at once: which is meant cannot be told
        return unicodedata.normalize("NFC", text), False
    out = []
    for c in text:
        if c in TCVN3:
            out.append(TCVN3[c])
        elif 0x80 <= ord(c) <= 0xFF and c != "\u00a0":
            raise _unexplained(text, font_name, legacy_evident)  # a byte VN3 does not give a letter
        else:
            out.append(c)
    converted = "".join(out)
    if kind == "tcvn3-upper":
        converted = converted.upper()
    return _unless_ambiguous(text, unicodedata.normalize("NFC", converted), font_name, legacy_evident)


def _unexplained(text: str, font_name: str | None, evident: bool) -> LegacyFontError:
    """A cell the old font cannot explain ("Hà" in VNI): in a list that shows nowhere that it is
    typed in an old font, most likely Unicode over an old template (``AmbiguousFont``)."""
    kind = LegacyFontError if evident or looks_legacy(text) else AmbiguousFont
    return kind(font_name or "", text)


def _unless_ambiguous(text: str, converted: str, font_name: str | None, evident: bool) -> tuple[str, bool]:
    if converted == text:
        return text, False  # "Kính" in VNI: the same read either way
    if not (evident or looks_legacy(text)):
        raise AmbiguousFont(font_name or "", text)
    return converted, True


def looks_legacy(text: str) -> bool:
    """Whether ``text`` holds characters only a legacy font's text holds."""
    return any(c in SUSPECT for c in text)
