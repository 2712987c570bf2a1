"""When a drug counts as *current*: the one definition every rule uses.

A drug is current when

1. an order for it is `active` or `on-hold` (and not past its validity end), or a
   MedicationStatement says it is `active`: the open order keeps it current, whatever the
   doses say (basis `OPEN_ORDER`); or an administration is `in-progress` (being given now);
   or, only where no order or statement says otherwise,
2. its last administration is within its cycle plus a grace (basis `RECENT_DOSE`): records
   often close every cycle's order, or hold administrations only.

An order or statement says otherwise, and the exposure ended at its date whatever the
administrations' window says (basis `RECORD_ENDED`), when it is the newest order or statement
of the drug's last course and

- an order is `stopped`, `completed` or `cancelled`, or a statement `stopped`, `completed` or
  `not-taken`; or
- its `dispenseRequest.validityPeriod.end` (or dosing bounds end) or
  `MedicationStatement.effectivePeriod.end` is in the past,

and no administration is dated on a later day than that end (a dose given after an order was
closed is a drug given again; its window then applies). The end is the record's end date; a
statement or a cancelled order without one speaks as of its own date (a cancelled order was never
acted on), and a stopped or completed order without one ends the exposure at its last dose and
says the date is not on file.
An order `entered-in-error` says nothing about the patient and is ignored, like a draft.

Otherwise the drug is not current: the last dose is further back than the window (`LAPSED`),
or no open order and no dose is on file (`NOT_GIVEN`).

The cycle is the rules' knowledge (the regimen table's interval and the re-load grace), so the
window is the caller's: `exposure_state(exposure, as_of, window_days=..., window_text=...)`.
What the record says (open orders, the record's end, the last dose) is read here, once, into
`DrugExposure.open_orders`, `record_end` and `last_dose`. The answer carries *why* in words and
the records it rests on, so a card can say it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from fhir_mappings.chronology import newest_first
from fhir_mappings.model import (
    CurrentBasis,
    DrugExposure,
    Evidence,
    ExposureState,
    RecordEnd,
)

_ENDING = {
    "MedicationRequest": frozenset({"stopped", "completed", "cancelled"}),
    "MedicationStatement": frozenset({"stopped", "completed", "not-taken"}),
}
_OPEN = frozenset({"active", "on-hold"})
_DAY = 86400.0


class MedicationRecordLike(Protocol):
    """What this module reads of one order, administration or statement."""

    @property
    def resource_type(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def start(self) -> datetime | None: ...
    @property
    def end(self) -> datetime | None: ...
    @property
    def administered(self) -> datetime | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def evidence(self) -> Evidence: ...


def open_orders(records: Iterable[MedicationRecordLike]) -> tuple[Evidence, ...]:
    """The active/on-hold orders and active statements (not past their end), newest first."""
    open_ = [
        r for r in records if r.active and r.resource_type in _ENDING and (r.status or "") in _OPEN
    ]
    return tuple(r.evidence for r in newest_first(open_, lambda r: r.start or r.end))


def _ending(record: MedicationRecordLike, now: datetime) -> RecordEnd | None:
    """The end this order or statement gives the exposure, if it gives one."""
    kind = "order" if record.resource_type == "MedicationRequest" else "statement"
    status = record.status or ""
    if status in _ENDING.get(record.resource_type, frozenset()):
        when = min(record.end, now) if record.end is not None else None
        if when is None and (kind == "statement" or status == "cancelled"):
            # a statement speaks as of its date; a cancelled order was never acted on, so it
            # says "not to be given" from when it was written (a dose after that is not undone)
            when = record.start
        return RecordEnd(when, f"{kind} {status}", record.evidence)
    if record.resource_type in _ENDING and record.end is not None and record.end < now:
        return RecordEnd(record.end, f"{kind} ended (end date passed)", record.evidence)
    return None


def record_end(
    course: Sequence[MedicationRecordLike],
    enders: Iterable[MedicationRecordLike],
    now: datetime,
) -> RecordEnd | None:
    """The newest order/statement of the last course (or a not-taken statement or cancelled
    order dated within it) that ends the exposure; None when an order is open, nothing ends
    it, or a dose was given on a later day than the end."""
    if any(r.active and r.resource_type in _ENDING for r in course):
        return None
    ends = [e for e in (_ending(r, now) for r in (*course, *enders)) if e is not None]
    if not ends:
        return None
    dated = [e for e in ends if e.when is not None]
    end = max(dated, key=lambda e: e.when or now) if dated else ends[0]
    doses = [r.administered for r in course if r.administered is not None]
    if end.when is not None and any(d.date() > end.when.date() for d in doses):
        return None  # given again after the order closed: the doses' window applies
    if end.when is None and doses:
        return RecordEnd(max(doses), end.reason, end.evidence, dated=False)
    return end


def exposure_state(
    exposure: DrugExposure, as_of: datetime, *, window_days: float, window_text: str
) -> ExposureState:
    """Whether `exposure` is current at `as_of`, why, and the records that show it.

    `window_days` is the drug's cycle plus the grace; `window_text` says it in words
    ("its 21-day cycle plus 7 days' grace") for the reason a card shows.
    """
    last = exposure.last_dose
    given = f"last given {_day(last)}" if last is not None else "no dose on file"
    if exposure.open_orders:
        return _open(exposure, given)
    if exposure.active:  # no order open, but a record still running: a dose being given now
        return ExposureState(
            True,
            CurrentBasis.RECENT_DOSE,
            last,
            last,
            f"being given now; {given}",
            exposure.evidence[:1],
        )
    end = exposure.record_end
    if end is not None:
        dated = f" {_day(end.when)}" if end.dated and end.when else " (date not on file)"
        why = f"{end.reason}{dated}; {given}"
        return ExposureState(False, CurrentBasis.RECORD_ENDED, end.when, last, why, (end.evidence,))
    newest = exposure.evidence[:1]
    if last is None:
        return ExposureState(
            False, CurrentBasis.NOT_GIVEN, None, None, "no open order and no dose on file", newest
        )
    days = (as_of - last).total_seconds() / _DAY
    if days < 0:
        return ExposureState(
            False, CurrentBasis.NOT_GIVEN, last, last, f"dose dated in the future ({_day(last)})"
        )
    if days <= window_days:
        return ExposureState(
            True,
            CurrentBasis.RECENT_DOSE,
            last,
            last,
            f"{given}, within {window_text}; no order on file says it stopped",
            newest,
        )
    return ExposureState(
        False,
        CurrentBasis.LAPSED,
        last,
        last,
        f"{given}, longer ago than {window_text}; no open order",
        newest,
    )


def _open(exposure: DrugExposure, given: str) -> ExposureState:
    order = exposure.open_orders[0]
    what = "statement" if order.resource_type == "MedicationStatement" else "order"
    return ExposureState(
        True,
        CurrentBasis.OPEN_ORDER,
        order.when,
        exposure.last_dose,
        f"{what} still open (dated {_day(order.when)}); {given}",
        exposure.open_orders,
    )


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when is not None else "undated"
