"""Text normalisation. Every stored string is NFC: Vietnamese pasted from Word is often NFD,
which breaks equality, search, duplicate checks and some PDF engines."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_SPACES = re.compile(r"\s+")
# control characters other than tab and line endings: never typed, but pasted (a NUL from a
# damaged file, Word's line break, which is a vertical tab). PostgreSQL refuses NUL in text, and
# XML (the Word documents) refuses them all.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})  # Word's line break and page break
# characters that show nothing, pasted with a name from a web page, a chat or a PDF: a zero-width
# space, joiner or word joiner, a byte order mark, a soft hyphen, the marks and embeddings of text
# direction. Kept, "Nguyễn Văn\u200b An" looked like "Nguyễn Văn An" on the screen and on the
# ballot, and was another person to the duplicate check.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def without_controls(text: str) -> str:
    """Word's line and page breaks as line endings; any other control character but tabs and
    line endings removed, and the characters that show nothing (``INVISIBLE``)."""
    return INVISIBLE.sub("", CONTROLS.sub("", text.translate(_BREAKS)))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _cleaned(text: str) -> str:
    """NFC, without controls and characters that show nothing (taken out first: one between a
    letter and its tone mark kept them apart), and Ð, ð (the Icelandic eth, as some web pages
    wrote Vietnamese: "Ðặng") as Đ, đ: the same letter on the screen and the ballot, and another
    person to the duplicate check. (str.replace, not a translate table: half the cost.)"""
    return nfc(without_controls(text)).replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")


def clean_line(text: str) -> str:
    """One line of text (``_cleaned``), trimmed, inner white space collapsed to one space."""
    return _SPACES.sub(" ", _cleaned(text)).strip()


def clean_block(text: str) -> str:
    """Multi-line text (``_cleaned``, tabs and line endings kept), line endings unified, trailing
    space trimmed."""
    lines = _cleaned(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def full_stop(text: str) -> str:
    """A sentence of a document that ends in the user's own words (a reason typed without a
    final stop): ended with one, unless it already ends a sentence."""
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def typed_with_accents(text: str) -> bool:
    """Whether a text holds a letter with accents (or an accent alone): what a Vietnamese keyboard
    left on makes of a code or a password typed in it. Telex makes "DD" Đ, "AA" Â, "AS" Á and "W" Ư;
    VNI makes "D9" Đ and "A1" Á. Which keys were pressed cannot be told back (a tone can land on an
    earlier letter), so the person is asked to type again with Vietnamese typing off."""
    return any(ord(ch) > 127 and unicodedata.category(ch)[0] in "LM" for ch in text)


def within_sentence(title: str) -> str:
    """A title as it reads inside a sentence ("… tổ chức hội nghị lấy phiếu tín nhiệm"): its first
    letter in lower case, unless its first word is written in capitals, an abbreviation such as
    "HĐND tỉnh …" or "UBND …" (which read "hĐND", "uBND"), or a title typed all in capitals."""
    first = title.split(maxsplit=1)[0] if title.strip() else ""
    letters = [ch for ch in first if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return title
    return title[:1].lower() + title[1:]


# A form of address written before a name in a list ("Đ/c Nguyễn Văn An", "Đồng chí Lê Thị Cúc"):
# never part of a name, and the documents write "đồng chí" before a name themselves (an invitation
# read "Kính gửi đồng chí Đ/c Nguyễn Văn An"). "Đồng chí" only with "chí" in small letters: "Đồng
# Chí …" may be a name (the family name Đồng, the middle name Chí).
_ADDRESS = re.compile(r"^(?:[Đđ]\s*/\s*[Cc]\.?|[Đđ]ồng chí)(?:\s*[:.])?\s+(?=\w)")
# Words before a name that are a form of address in a list, or may be a family name (Ông Ích
# Khiêm): the office is asked, nothing is taken out.
_ADDRESS_OR_NAME = re.compile(r"^(?:Ông|Bà|ÔNG|BÀ|ĐỒNG CHÍ)\s+\w+\s+\w")


def without_address(name: str) -> str:
    """``name`` (a clean line) without a form of address written before it (``_ADDRESS``)."""
    return _ADDRESS.sub("", name, count=1)


def may_be_addressed(name: str) -> bool:
    """Whether ``name`` begins with words that are a form of address or a family name (Ông, Bà,
    ĐỒNG CHÍ in a list in capitals), followed by at least two words: the office is to say which."""
    return bool(_ADDRESS_OR_NAME.match(name))


def fold(text: str) -> str:
    """A key for duplicate detection and search: NFC, collapsed spaces, case-folded."""
    return clean_line(text).casefold()


# What a list may write before a name that is not the name: a form of address, a rank of the army
# or the police ("Thượng tá Châu Văn Sáng"), a degree or a title of the state, abbreviated ("PGS.TS.
# …", "ThS …", "BS.CKII", "NGƯT." for Nhà giáo ưu tú) or written out ("Tiến sĩ …", "Bác sĩ chuyên
# khoa II …", "Thầy thuốc nhân dân …"). None is a family name (Ông and Bà may be, and are left: the
# office is asked about them on import).
_ABBREVIATED = r"(?:gs|pgs|ts|tskh|ths|bs|bsck[i12]*|ck[i12]+|ks|ls|ncs|ngưt|ngnd|ttưt|ttnd|nsưt|nsnd|ahlđ)"
_WRITTEN_OUT = (
    r"(?:phó\s+)?giáo\s+sư|(?:tiến|thạc|bác|dược)\s+s[ĩỹ](?:\s+chuyên\s+khoa\s+(?:i{1,2}|[12]))?|k[ỹĩ]\s+sư"
    r"|luật\s+sư|(?:nhà\s+giáo|thầy\s+thuốc|nghệ\s+s[ĩỹ])\s+(?:ưu\s+tú|nhân\s+dân)|anh\s+hùng\s+lao\s+động"
)
_TITLES = re.compile(
    r"^(?:đ\s*/\s*c\.?|(?:đại|thượng|trung|thiếu)\s+(?:tướng|tá|úy|uý)"
    rf"|(?:{_ABBREVIATED}\.\s*)*{_ABBREVIATED}\.?|{_WRITTEN_OUT})"
    r"(?:\s*[:.,])?\s+"
)


def person_key(name: str) -> str:
    """A key that tells the same person's name in two lists (a rated person in the voter roll, on
    other ballots of the year): ``fold``, without the titles a list writes before a name
    (``_TITLES``), as long as two words are left."""
    key = fold(name)
    while (title := _TITLES.match(key)) and len(key[title.end() :].split()) >= 2:
        key = key[title.end() :]
    return key


# The order of a Vietnamese list, word by word as a dictionary has it: a word by its letters (ă
# after a, đ after d, ư after u, …), then by its tone, none, huyền, hỏi, ngã, sắc, nặng ("ba lô"
# before "bà con"). By code point, "Đảng ủy …" came after "Ủy ban …" and every name in Z.
_LETTER_RANK = {ch: i for i, ch in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _word_order(word: str) -> tuple[tuple[int, ...], int]:
    letters, tone = [], 0
    for ch in word:
        parts = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONE_RANK))
        letters.append(_LETTER_RANK.get(letter, 100 + ord(letter[0])))
        tone = next((_TONE_RANK[p] for p in parts if p in _TONE_RANK), tone)
    return tuple(letters), tone


def vietnamese_order(text: str) -> tuple[tuple[tuple[tuple[int, ...], int], ...], str]:
    """A sort key putting ``text`` where a Vietnamese list has it (``_LETTER_RANK``)."""
    return tuple(_word_order(word) for word in fold(text).split(" ")), text


def strip_marks(text: str) -> str:
    """Without diacritics, for lenient matching of column headers ("Họ và tên" = "ho va ten")."""
    decomposed = unicodedata.normalize("NFD", fold(text)).replace("đ", "d")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _base_letters() -> dict[int, str]:
    table = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:  # Latin letters with marks (Vietnamese's among them)
        base = strip_marks(chr(code))
        if len(base) == 1 and base != chr(code):
            table[code] = base
    return table


_BASE_LETTERS = _base_letters()  # "ễ" → "e", "đ" → "d": one letter for one, so places stay


def matches(query: str, text: str) -> bool:
    """Whether ``text`` holds ``query`` as a Vietnamese office searches a list: case aside, a
    letter typed without its marks finds it with any ("nguyen van hung" finds "Nguyễn Văn Hùng",
    "dinh" finds "Đinh"), and a letter typed with them finds only itself ("Hùng" does not find
    "Hưng"). The page's search as you type does the same (``app.js``)."""
    wanted, held = fold(query), fold(text)
    letters = held.translate(_BASE_LETTERS)
    plain = wanted.translate(_BASE_LETTERS)
    start = letters.find(plain)
    while start != -1:  # where the letters agree, each letter typed with marks must be the same
        if all(ch in (held[start + i], letters[start + i]) for i, ch in enumerate(wanted)):
            return True
        start = letters.find(plain, start + 1)
    return False


# A date is typed day first, as Vietnamese write it (29/09/2023); the ISO form (2023-09-29) is also
# read. Never month first: 05/02/2024 is the 5th of February.
DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
# The years of a date typed in tinnhiem (a conference, an appointment, a letter received): a year
# typed with a key next to the right one (2923, 1923), or "0023", was taken as typed (an
# appointment in the year 23, "long ago", gave no grounds for not rating the person).
FIRST_YEAR, LAST_YEAR = 1950, 2100


def plausible_day(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def parse_day(text: str, *, any_year: bool = False) -> date | None:
    """The date written in ``text`` (day/month/year, or ISO), or None if it is not one or, unless
    ``any_year``, its year is not from ``FIRST_YEAR`` to ``LAST_YEAR``."""
    text = text.strip().replace(" ", "")
    for pattern in DAY_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if any_year or plausible_day(day) else None
    return None


def small_int(text: str | None, default: int | None = None) -> int | None:
    """A whole number typed or sent as text (an id, a count, a ballot's number), or ``default``:
    ASCII digits only ("²" is a digit to Python but not a number) and at most 9 of them, so that
    it fits a database integer whatever was sent."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else default
