"""How much (neo)adjuvant HER2 therapy a course has given: the count behind adjuvant-duration.

The labels bound the course by therapy, not by the calendar: trastuzumab 52 weeks [L1], H+P
"1 year (up to 18 cycles)" including the neoadjuvant part [L2]. A course with a neoadjuvant
part has a surgery gap in it (TCHP x6, surgery, adjuvant H+P), and held doses lengthen any
course, so counting calendar weeks fires on correct courses. The count is therefore of the
administrations on file, whether or not they carry a dose amount, one per day across the
trastuzumab products, in three-weekly cycles: a weekly dose (the 12 or 18 weeks with a taxane,
§2.1) is a third of a cycle. A dose is weekly when another one is within
`weekly_dose_gap_max_days` of it, so a missed week does not turn a weekly dose into a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fhir_mappings import DrugExposure

ADMINISTRATION = "MedicationAdministration"
WEEKS_PER_CYCLE = 3


@dataclass(frozen=True)
class Course:
    start: datetime
    last: datetime
    exposures: tuple[DrugExposure, ...]
    given: tuple[date, ...] = ()  # the days with an administration in the course, oldest first

    @property
    def doses(self) -> int:
        """Administrations on file in the course (a day with two products counts once)."""
        return len(self.given)


@dataclass(frozen=True)
class Count:
    """The therapy a course gave, in three-weekly cycles."""

    weekly: int  # administrations another one follows or precedes within a week or so
    three_weekly: int

    @property
    def cycles(self) -> float:
        return self.three_weekly + self.weekly / WEEKS_PER_CYCLE

    @property
    def weeks(self) -> int:
        return self.weekly + WEEKS_PER_CYCLE * self.three_weekly


def administered(exposure: DrugExposure) -> set[datetime]:
    """When the drug was given: administrations only (orders say what was meant, not given).
    Read from the records, not the dose events, which exist only when a dose amount does."""
    records = (ev.when for ev in exposure.evidence if ev.resource_type == ADMINISTRATION)
    events = (d.when for d in exposure.doses if d.evidence.resource_type == ADMINISTRATION)
    return {when for when in (*records, *events) if when is not None}


def _spans(exposure: DrugExposure, now: datetime) -> list[tuple[datetime, datetime]]:
    """When the drug was given: each administration, or else the order's whole period (an
    order without administrations covers its validity period, not only its first day)."""
    given = administered(exposure)
    if given:
        return [(when, when) for when in given]
    if exposure.start is None:
        return []
    end = exposure.end or exposure.last_dose or (now if exposure.active else exposure.start)
    return [(exposure.start, max(end, exposure.start))]


def current_course(
    exposures: tuple[DrugExposure, ...], now: datetime, gap: timedelta
) -> Course | None:
    """The run of trastuzumab records that reaches to now, walking back while no gap exceeds
    `gap`; None when the last record is itself older than that."""
    spans = sorted((s for e in exposures for s in _spans(e, now)), key=lambda s: s[1], reverse=True)
    if not spans or now - spans[0][1] > gap:
        return None
    start, last = spans[0]
    for span_start, span_end in spans[1:]:
        if start - span_end > gap:
            break
        start = min(start, span_start)
    days = sorted(
        {when.date() for e in exposures for when in administered(e) if start <= when <= last}
    )
    return Course(start, last, exposures, tuple(days))


def count(given: Iterable[date], weekly_gap_days: float) -> Count:
    """Weekly and three-weekly doses among the days given (oldest first).

    A dose is weekly when the next one follows within `weekly_gap_days` (so the first
    three-weekly dose, given a week after the last weekly one [L1], is a cycle); the last dose,
    and one before a missed week (next gap under two weekly gaps), go by the previous gap."""
    days = list(given)
    weekly = 0
    for i, day in enumerate(days):
        after = (days[i + 1] - day).days if i + 1 < len(days) else None
        before = (day - days[i - 1]).days if i > 0 else None
        next_weekly = after is not None and after <= weekly_gap_days
        last_weekly = before is not None and before <= weekly_gap_days
        missed_week = after is None or after < 2 * weekly_gap_days
        if next_weekly or (last_weekly and missed_week):
            weekly += 1
    return Count(weekly=weekly, three_weekly=len(days) - weekly)
