"""An order still marked active whose schedule has in fact lapsed.

EHR orders are often left "active" after the drug stopped: the patient progressed on
trastuzumab + pertuzumab, nobody closed the orders, and T-DXd is drafted for the second line.
A do-not-substitute or double-antibody card must not call that a substitution: the active
order is a paperwork leftover, and the patient is not receiving it. The card then asks for the
old orders to be closed instead (CDS Hooks can only `update` a resource the service holds, and
it holds none of them, so it says so in words).

"Lapsed" is the regimen rules' notion of a stopped HER2 antibody (cards/regimens/maintenance.py):
the last administration is further back than the drug's longest label interval plus the
trastuzumab re-load grace (`trastuzumab_reload_late_days`), i.e. past the point where the next
dose is merely late and the schedule is broken. It reads the same interval (the regimen
catalog's schedules), the same last-dose date (`cards.regimens.loading.last_dose_date`) and
the same configurable threshold, without the regimen rule's "no active order" condition.
An active order with no administration on file is not lapsed: nothing shows it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cards.knowledge import CardsConfig
from cards.regimens.catalog import catalog
from cards.regimens.loading import last_dose_date
from fhir_mappings import DrugExposure

FULL_DAY = 86400.0
GRACE = "trastuzumab_reload_late_days"
DEFAULT_INTERVAL_DAYS = 21.0  # the 3-weekly cycle, for a drug the regimen catalog lacks


def _longest_interval(drug_id: str) -> float:
    drug = catalog().drug(drug_id)
    intervals = [s.interval_days for s in drug.schedules] if drug else []
    return max(intervals, default=DEFAULT_INTERVAL_DAYS)


def lapsed_since(exposure: DrugExposure, as_of: datetime, config: CardsConfig) -> datetime | None:
    """The last dose of an exposure whose schedule has lapsed; None while it is current."""
    last = last_dose_date(exposure)
    if last is None:
        return None
    days = (as_of - last).total_seconds() / FULL_DAY
    return last if days > _longest_interval(exposure.drug) + config.threshold(GRACE) else None


def given_on_schedule(exposure: DrugExposure, as_of: datetime, grace_days: float) -> bool:
    """Administrations show the drug still being given: the last dose is within the drug's
    longest interval plus the grace. Records often close every cycle's order, so a patient
    in the middle of her course may have no active order at all."""
    if exposure.last_dose is None:
        return False
    days = (as_of - exposure.last_dose).total_seconds() / FULL_DAY
    return 0 <= days <= _longest_interval(exposure.drug) + grace_days


def split_current(
    exposures: Sequence[DrugExposure], as_of: datetime, config: CardsConfig
) -> tuple[list[DrugExposure], list[tuple[DrugExposure, datetime]]]:
    """The exposures still on schedule, and the lapsed ones with their last dose."""
    current: list[DrugExposure] = []
    lapsed: list[tuple[DrugExposure, datetime]] = []
    for exposure in exposures:
        since = lapsed_since(exposure, as_of, config)
        if since is None:
            current.append(exposure)
        else:
            lapsed.append((exposure, since))
    return current, lapsed
