"""How every card writes its summary, numbers, dates and intervals: the one home of each.

Summaries are shorter than 140 characters (CDS Hooks): `fit` picks the first candidate that
fits, `fit_names` the first brevity of the drug names that does. Day counts: one month length
(`DAYS_PER_MONTH`, UCUM's 30.4375 days, whose home is `fhir_mappings`) for date arithmetic and
for wording intervals in months. Intervals: `interval` words a monitoring interval ("3 months"),
`interval_text` a dosing interval ("every 3 weeks"), `interval_words` a span ("3 weeks").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from fhir_mappings import DAYS_PER_MONTH

SUMMARY_LIMIT = 139  # CDS Hooks: a summary is shorter than 140 characters
BREVITY_LEVELS = (0, 1, 2)  # full drug names, short names, first name and a count


def fit(*candidates: str) -> str:
    """The first candidate summary that fits the CDS Hooks limit (< 140 characters), as a
    sentence (a drug name may start it: "Trastuzumab in the third line ...")."""
    chosen = next((c for c in candidates if len(c) <= SUMMARY_LIMIT), None)
    if chosen is None:
        chosen = candidates[-1][: SUMMARY_LIMIT - 1].rstrip() + "…"
    return chosen[:1].upper() + chosen[1:]


def fit_names(summary: Callable[[int], str]) -> str:
    """The summary with full drug names, else short ones ('T-DXd'), else the first drug and a
    count of the others, whichever fits first: the renderer never has to cut a sentence."""
    text = ""
    for brevity in BREVITY_LEVELS:
        text = summary(brevity)
        if len(text) <= SUMMARY_LIMIT:
            return text
    return text


def format_date(when: datetime | None) -> str:
    """ISO date for cards; an undated fact says so rather than looking recent."""
    return when.date().isoformat() if when else "undated"


def percent(value: float) -> str:
    """LVEF as the mapping writes it: '58 %', '44.5 %'."""
    return f"{value:g} %"


def percent_beyond(value: float, limit: float, *, digits: int = 0) -> str:
    """A difference of `value` % that lies beyond a `limit` %, never written as the limit or
    below it: "10" for 10.4 % reads as within a ±10 % tolerance, so it becomes "10.4" (and
    5.03 % beside a 5 % threshold "5.03"). Trailing zeros dropped."""
    for places in range(digits, 3):
        shown = f"{value:.{places}f}"
        if places:
            shown = shown.rstrip("0").rstrip(".")
        if value <= limit or float(shown) > limit:
            return shown
    return f"{value:.2f}"


def points(value: float) -> str:
    return f"{value:g} point{'' if value == 1 else 's'}"


def whole(value: float) -> int:
    """A cumulative dose as a pharmacist writes it: whole mg/m², halves rounded up (899.5 is
    900). Cards compare the rounded figure with a limit, so what they show is what they judged."""
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def mg_m2(value: float) -> str:
    return f"{whole(value)} mg/m²"


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole days from `earlier` to `later` (a measurement taken 264.6 days ago is 264)."""
    return (later - earlier).days


def interval(days: float) -> str:
    """A monitoring interval as labels say it (safety cards): '4 weeks', '12 weeks',
    '3 months', else days."""
    whole = round(days)
    if whole % 7 == 0 and whole <= 12 * 7:
        return f"{whole // 7} week{'' if whole == 7 else 's'}"
    months = round(whole / DAYS_PER_MONTH)
    if months >= 1 and abs(whole - months * DAYS_PER_MONTH) <= 2.5:
        return f"{months} month{'' if months == 1 else 's'}"
    return f"{whole} days"


def capitalized(text: str) -> str:
    """'trastuzumab and pertuzumab' at the start of a sentence; 'T-DXd' unchanged."""
    return text[:1].upper() + text[1:]


def interval_text(days: float) -> str:
    """Days between doses, in words: 21 -> "every 3 weeks", 7 -> "weekly", 0.5 -> "twice
    daily"."""
    per_day = 1 / days
    if days < 1 and abs(per_day - round(per_day)) < 0.05:
        return {2: "twice daily", 3: "three times daily"}.get(
            round(per_day), f"{round(per_day)} times daily"
        )
    if days == 1:
        return "once daily"
    if days == 7:
        return "weekly"
    if days % 7 == 0:
        return f"every {int(days // 7)} weeks"
    if days != int(days):
        return f"every {round(days * 24)} hours"
    return f"every {days:g} days"


def interval_words(days: float) -> str:
    """A span of days in words: 21 -> "3 weeks", 7 -> "1 week", 1 -> "1 day"."""
    if days >= 7 and days % 7 == 0:
        weeks = int(days // 7)
        return f"{weeks} week" + ("s" if weeks > 1 else "")
    return f"{days:g} day" + ("s" if days != 1 else "")
