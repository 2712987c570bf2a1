"""Where a drug the patient is on stands when a different one is drafted: mid-cycle, or due.

Whether a drug is *current* is decided once, in `fhir_mappings.exposure` (an open order, or,
where no order or statement says otherwise, a last dose within the cycle plus the grace); this
module supplies the window it needs and places a current drug in its cycle:

- **mid-cycle**: the next dose is not due yet (or an order is open and no dose is on file,
  nothing shows it stopped). A different drug drafted now is a mix-up: critical.
- **due, orders open**: an order is still open, but the last dose was at least a cycle ago
  (less `switch_cycle_early_days`): the switch comes at the next scheduled cycle, or later,
  and the old orders were left open. The harm left is the open order (it can be dispensed
  again), so the card is a warning asking to close it (`cards.safety.switching`).
- **due**: current by its last dose only (no order on file), the next dose due now: a change
  at the next cycle, nothing to close, no card.

The window of "current" is `cards.current`'s (the drug's longest interval plus the re-load
grace); "due" is read on the patient's own cycle (the days between her last two doses, when
shorter than the table's interval: dose-dense AC, weekly trastuzumab).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cards.current import cycle_days, state
from cards.knowledge import CardsConfig
from fhir_mappings import CurrentBasis, DrugExposure, ExposureState

FULL_DAY = 86400.0
EARLY = "switch_cycle_early_days"
LINE_WINDOW = "line_current_days"


def patient_cycle_days(exposure: DrugExposure) -> float:
    """The patient's own cycle: the days between her last two doses (dose-dense AC every 14,
    weekly trastuzumab every 7), when shorter than the table's longest interval."""
    given = sorted(
        {
            e.when.date()
            for e in exposure.doses
            if e.when is not None and e.evidence.resource_type == "MedicationAdministration"
        },
        reverse=True,
    )
    longest = cycle_days(exposure.drug)
    if len(given) < 2:
        return longest
    return min(longest, float((given[0] - given[1]).days))


class Standing(StrEnum):
    MID_CYCLE = "mid-cycle"
    DUE_ORDERS_OPEN = "due-orders-open"
    DUE = "due"
    NOT_CURRENT = "not-current"


@dataclass(frozen=True)
class Placed:
    exposure: DrugExposure
    state: ExposureState
    standing: Standing


def place(exposure: DrugExposure, as_of: datetime, config: CardsConfig) -> Placed:
    now = state(exposure, as_of, config)
    if not now.current:
        return Placed(exposure, now, Standing.NOT_CURRENT)
    last = exposure.last_dose
    due_after = patient_cycle_days(exposure) - config.threshold(EARLY)
    due = last is not None and (as_of - last).total_seconds() / FULL_DAY >= due_after
    if not due:
        return Placed(exposure, now, Standing.MID_CYCLE)
    if now.basis is CurrentBasis.OPEN_ORDER:
        return Placed(exposure, now, Standing.DUE_ORDERS_OPEN)
    return Placed(exposure, now, Standing.DUE)


def recently_given(exposure: DrugExposure, as_of: datetime, config: CardsConfig) -> bool:
    """Given within the current-line window (`line_current_days`): the drug a prescriber
    switching lines was just using, whose dose a mix-up would copy."""
    last = exposure.last_dose or exposure.end
    if last is None:
        return state(exposure, as_of, config).current
    return 0 <= (as_of - last).total_seconds() / FULL_DAY <= config.threshold(LINE_WINDOW)


def place_all(
    exposures: Sequence[DrugExposure], as_of: datetime, config: CardsConfig
) -> dict[Standing, list[Placed]]:
    """The exposures by standing (every standing present, possibly empty)."""
    out: dict[Standing, list[Placed]] = {s: [] for s in Standing}
    for exposure in exposures:
        placed = place(exposure, as_of, config)
        out[placed.standing].append(placed)
    return out
