"""Vietnamese dates as official documents write them."""

from __future__ import annotations

from datetime import date


def place_date(place: str, day: date) -> str:
    """``Móng Cái, ngày 29 tháng 9 năm 2023``.

    Nghị định 30/2020/NĐ-CP (thể thức văn bản): days below 10 and the months 1 and 2 take a
    leading zero (``ngày 05 tháng 02 năm 2024``).
    """
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month in (1, 2) else str(day.month)
    prefix = f"{place}, " if place else ""
    return f"{prefix}ngày {day_text} tháng {month_text} năm {day.year}"


def short_date(day: date | str) -> str:
    """``07/12/2026``: a day (or its ISO text, as records keep it) as tables and lists write it."""
    return (date.fromisoformat(day) if isinstance(day, str) else day).strftime("%d/%m/%Y")
