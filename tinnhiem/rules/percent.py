"""Percentages for display: exact fraction → 2 decimals, rounded half up. Never used to decide."""

from __future__ import annotations

from fractions import Fraction


def hundredths(count: int, base: int) -> int:
    """``count/base`` in hundredths of a percent, rounded half up from the exact fraction.

    >>> hundredths(448, 481)  # 93.139...%
    9314
    >>> hundredths(1, 8)  # 12.5% exactly
    1250
    >>> hundredths(1, 16)  # 6.25% exactly, stays 6.25
    625
    """
    if base <= 0:
        raise ValueError("base must be positive")
    if count < 0:
        raise ValueError("count must not be negative")
    # round(count·10000/base) with halves up, on integers: floor((2·count·10000 + base) / (2·base))
    return (2 * count * 10000 + base) // (2 * base)


def exact(count: int, base: int) -> Fraction:
    """The exact percentage as a fraction."""
    return Fraction(100 * count, base)


def format_hundredths(value: int, decimal: str = ",") -> str:
    """``9314`` → ``"93,14"`` (Vietnamese) or ``"93.14"`` with ``decimal="."``."""
    return f"{value // 100}{decimal}{value % 100:02d}"


def format_percent(count: int, base: int, decimal: str = ",") -> str:
    return format_hundredths(hundredths(count, base), decimal)
