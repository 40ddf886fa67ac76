"""Vietnamese typed in the fonts of before Unicode (TCVN 6909:2001, required in state bodies by
Quyết định 72/2002/QĐ-TTg), which old lists in an office's Excel files still use.

- **TCVN3 (ABC)**, fonts named ``.VnTime``, ``.VnArial`` and so on: each Vietnamese letter is one
  byte of TCVN 5712 (VN3), which Excel stores as the Windows-1252 character of that byte, so that
  "Nguyễn Văn Thành" is kept as "NguyÔn V¨n Thµnh". The capitals with a tone mark are not in VN3:
  they are the same bytes in the font of the same name ending in ``H`` (``.VnTimeH``), drawn as
  capitals. Such a cell is converted: the font is known, and the table is TCVN 5712's.
- **VNI**, fonts named ``VNI-Times`` and so on: a letter and its marks are several characters
  ("Nguyeãn"). Such a cell is not converted here; the reader says how to convert the file.

Text with characters that Vietnamese in Unicode never uses (``µ``, ``¨``, ``ª``…) is such a
font's, whatever its cell says (a list pasted into a sheet, or a CSV file): ``looks_legacy``.
"""

from __future__ import annotations

import unicodedata

# TCVN 5712 VN3, as Windows-1252 characters, and the Unicode letters they stand for.
_TCVN3 = (
    "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢§£¤¥¦",
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ",
)
TCVN3 = dict(zip(*_TCVN3, strict=True))

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
    """A cell in a legacy font that cannot be converted here (VNI, or a byte TCVN3 does not use)."""

    def __init__(self, font: str, text: str) -> None:
        super().__init__(font, text)
        self.font, self.text = font, text


def font_kind(name: str | None) -> str:
    """``tcvn3``, ``tcvn3-upper`` (an ``H`` font: drawn in capitals), ``vni``, or ``""``."""
    name = (name or "").strip()
    low = name.lower()
    if low.startswith(".vn"):
        return "tcvn3-upper" if name.endswith("H") else "tcvn3"
    if low.startswith("vni"):
        return "vni"
    return ""


def from_font(text: str, font_name: str | None) -> tuple[str, bool]:
    """The text of a cell as its font draws it, in Unicode, and whether it was converted.
    Raise ``LegacyFontError`` for a legacy font this cannot convert."""
    kind = font_kind(font_name)
    if not kind:
        return text, False
    if kind == "vni":
        if any(ord(c) > 127 for c in text):
            raise LegacyFontError(font_name or "", text)
        return text, False  # plain ASCII (a number, an abbreviation) reads the same in any font
    if any(c in _UNICODE_ONLY for c in text):
        if looks_legacy(text):
            raise LegacyFontError(font_name or "", text)  # both at once: which is meant cannot be told
        return unicodedata.normalize("NFC", text), False
    out = []
    for c in text:
        if c in TCVN3:
            out.append(TCVN3[c])
        elif 0x80 <= ord(c) <= 0xFF and c != "\u00a0":
            raise LegacyFontError(font_name or "", text)  # a byte VN3 does not give a letter
        else:
            out.append(c)
    converted = "".join(out)
    if kind == "tcvn3-upper":
        converted = converted.upper()
    return unicodedata.normalize("NFC", converted), converted != text


def looks_legacy(text: str) -> bool:
    """Whether ``text`` holds characters only a legacy font's text holds."""
    return any(c in SUSPECT for c in text)
