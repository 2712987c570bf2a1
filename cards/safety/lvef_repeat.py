"""The repeat LVEF a label row asks for, dated from the latest reading: the C2 card says when
("Next LVEF due by 2026-12-14: in 4 weeks per the Herceptin US label") and its echocardiogram
suggestion carries that date, instead of "now" for an LVEF measured days ago."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cards.findings import Suggestion
from cards.hook_input import HookInput
from cards.phrasing import format_date as date
from cards.phrasing import interval, percent
from cards.safety.suggested_orders import echo_suggestion
from cards.sources import resolve
from fhir_mappings import LvefMeasurement

if TYPE_CHECKING:
    from cards.safety.lvef_verdict import DrugVerdict, Readings


def _reading(m: LvefMeasurement) -> str:
    return f"{percent(m.percent)} on {date(m.when)}"


@dataclass(frozen=True)
class _Repeat:
    due: datetime
    words: str  # "in 3 weeks per the Kadcyla US label"


def _repeat(group: Sequence[DrugVerdict], readings: Readings) -> _Repeat | None:
    """The soonest repeat a label row asks for, dated from the latest LVEF."""
    timed = [v for v in group if v.criterion is not None and v.carried_by is None]
    when = readings.latest.when
    if not timed or when is None:
        return None
    soonest = min(timed, key=lambda v: v.criterion.repeat_days if v.criterion else 0)
    assert soonest.criterion is not None
    days = soonest.criterion.repeat_days
    label = resolve(soonest.table.source).short
    return _Repeat(when + timedelta(days=days), f"in {interval(days)} per the {label}")


def repeat_paragraph(group: Sequence[DrugVerdict], readings: Readings) -> tuple[str, ...]:
    repeat = _repeat(group, readings)
    if repeat is None:
        return ()
    return (
        f"Next LVEF due by {date(repeat.due)}: {repeat.words}, counted from the latest "
        f"LVEF ({_reading(readings.latest)}), not at the routine monitoring interval.",
    )


def repeat_echo(
    hook_input: HookInput, group: Sequence[DrugVerdict], readings: Readings
) -> Suggestion:
    """The repeat the label asks for, dated ('repeat in 3 weeks per the Kadcyla US label');
    now when that date has passed or no row gives one."""
    repeat = _repeat(group, readings)
    if repeat is None:
        return echo_suggestion(hook_input.patient_id, "Repeat LVEF per the label table")
    reason = f"Repeat LVEF {repeat.words} (latest {_reading(readings.latest)})"
    due = repeat.due if repeat.due > hook_input.facts.as_of else None
    return echo_suggestion(hook_input.patient_id, reason, due=due)
