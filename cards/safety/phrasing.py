"""How the safety cards write numbers, dates and intervals, the same way on every card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from cards.detail import format_date


def percent(value: float) -> str:
    """LVEF as the mapping writes it: '58 %', '44.5 %'."""
    return f"{value:g} %"


def points(value: float) -> str:
    return f"{value:g} point{'' if value == 1 else 's'}"


def whole(value: float) -> int:
    """A cumulative dose as a pharmacist writes it: whole mg/m², halves rounded up (899.5 is
    900). Cards compare the rounded figure with a limit, so what they show is what they judged."""
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def mg_m2(value: float) -> str:
    return f"{whole(value)} mg/m²"


def date(when: datetime | None) -> str:
    return format_date(when)


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole days from `earlier` to `later` (a measurement taken 264.6 days ago is 264)."""
    return (later - earlier).days


def interval(days: float) -> str:
    """A monitoring interval as labels say it: '4 weeks', '12 weeks', '3 months', else days."""
    whole = round(days)
    if whole % 7 == 0 and whole <= 12 * 7:
        return f"{whole // 7} week{'' if whole == 7 else 's'}"
    months = round(whole / 30.44)
    if months >= 1 and abs(whole - months * 30.44) <= 2.5:
        return f"{months} month{'' if months == 1 else 's'}"
    return f"{whole} days"


def capitalized(text: str) -> str:
    """'trastuzumab and pertuzumab' at the start of a sentence; 'T-DXd' unchanged."""
    return text[:1].upper() + text[1:]


SUMMARY_LIMIT = 139  # CDS Hooks: a summary is shorter than 140 characters


BREVITY_LEVELS = (0, 1, 2)  # full drug names, short names, first name and a count


def fit(summary: Callable[[int], str]) -> str:
    """The summary with full drug names, else short ones ('T-DXd'), else the first drug and a
    count of the others, whichever fits first: the renderer never has to cut a sentence."""
    text = ""
    for brevity in BREVITY_LEVELS:
        text = summary(brevity)
        if len(text) <= SUMMARY_LIMIT:
            return text
    return text
