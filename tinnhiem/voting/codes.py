"""Card codes and tracking codes: random, typable, checked in constant time, stored only as HMACs.

Alphabet: Crockford's base 32 (no I, L, O, U), so that a code read aloud or typed from a card is
unambiguous; typing O for 0 or I/L for 1 is forgiven. A code is shown in groups, a card code
``K7QM-2XRD-9FTB-4NPA`` (16 characters), a tracking code ``XXXXX-XXXXX`` (10).

New codes are drawn from the 27 of those characters a Vietnamese keyboard leaves as typed: no vowel
(A, E, Y), no D and no W. Telex puts a tone on a vowel for S, F, R, X or J, makes "AA" Â, "DD" Đ and
"W" Ư; VNI puts one for a digit after a vowel and makes "D9" Đ. Nearly three card codes in four of
the whole alphabet held such a sequence (two in five a W). A card code so drawn has 76 bits, a
tracking code 47. Codes of the whole alphabet, on cards printed before, are read as before; a code
a keyboard changed all the same (a letter O typed for the digit 0) is told so
(``tinnhiem.text.typed_with_accents``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DRAWN = "".join(ch for ch in ALPHABET if ch not in "AEYDW")  # what a Vietnamese keyboard leaves alone
CODE_LENGTH = 16
TRACKING_LENGTH = 10
_FORGIVE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _random(length: int) -> str:
    return "".join(secrets.choice(DRAWN) for _ in range(length))


def group(text: str, size: int) -> str:
    return "-".join(text[i : i + size] for i in range(0, len(text), size))


def new_code() -> str:
    return _random(CODE_LENGTH)


def new_tracking_code() -> str:
    return _random(TRACKING_LENGTH)


def normalize(text: str, length: int = CODE_LENGTH) -> str | None:
    """The canonical code typed in any case, with spaces or dashes; None if it cannot be a code."""
    canonical = "".join(text.split()).replace("-", "").upper().translate(_FORGIVE)
    if len(canonical) != length or any(ch not in ALPHABET for ch in canonical):
        return None
    return canonical


def one_off(canonical: str) -> list[str]:
    """The codes one slip of the hand away from ``canonical``: one character read or typed as
    another (8 for B, 5 for S), or two neighbours swapped. A code mistyped so is a voter's, not a
    guess (tinnhiem.voting.usecases.evote.find_card)."""
    out = [
        canonical[:i] + ch + canonical[i + 1 :] for i in range(len(canonical)) for ch in ALPHABET if ch != canonical[i]
    ]
    swapped = (canonical[:i] + canonical[i + 1] + canonical[i] + canonical[i + 2 :] for i in range(len(canonical) - 1))
    out += [code for code in swapped if code != canonical]
    return out


def code_hmac(key: bytes, canonical: str) -> str:
    return hmac.new(key, canonical.encode("ascii"), hashlib.sha256).hexdigest()


def display(canonical: str) -> str:
    return group(canonical, 4 if len(canonical) == CODE_LENGTH else 5)
