"""Whether a drug is current, with the drug's own window: the cards' side of the one
definition in `fhir_mappings.exposure`.

The mapping reads the record (open orders, the order or statement that ended the drug, the last
dose) and decides; the window it needs for doses alone is knowledge the cards hold: the drug's
longest interval in the regimen table (21 days for a drug the table lacks) plus the trastuzumab
re-load grace (`trastuzumab_reload_late_days`, the institution's value when its thresholds file
overrides it), past which a dose is no longer late but the schedule broken. Every rule, safety
and regimen alike, asks `state` and nothing else, always with its `CardsConfig`: the parameter
is required so that an overridden grace reaches both families alike.
"""

from __future__ import annotations

from datetime import datetime

from cards.catalog import catalog
from cards.knowledge import CardsConfig
from fhir_mappings import DrugExposure, ExposureState, PatientFacts, TherapySetting, exposure_state

GRACE = "trastuzumab_reload_late_days"
DEFAULT_INTERVAL_DAYS = 21.0  # the 3-weekly cycle, for a drug the regimen catalog lacks


def cycle_days(drug_id: str) -> float:
    """The drug's longest label interval in the regimen table."""
    drug = catalog().drug(drug_id)
    intervals = [s.interval_days for s in drug.schedules] if drug else []
    return max(intervals, default=DEFAULT_INTERVAL_DAYS)


def state(exposure: DrugExposure, as_of: datetime, config: CardsConfig) -> ExposureState:
    """Whether the drug is current (the mapping's definition) with this drug's window, the
    grace being the institution's (`config`): required, so that no rule asks with the default
    while another asks with the override and the two disagree about the same drug."""
    grace = config.threshold(GRACE)
    cycle = cycle_days(exposure.drug)
    return exposure_state(
        exposure,
        as_of,
        window_days=cycle + grace,
        window_text=f"its {cycle:g}-day cycle plus {grace:g} days' grace",
    )


def current_in_class(
    facts: PatientFacts,
    *classes: str,
    config: CardsConfig,
    setting: TherapySetting | None = None,
) -> tuple[DrugExposure, ...]:
    """The drugs the patient is on now (`state`, with the rule's `config`), of any of `classes`
    (every drug when none is given) and, when `setting` is given, in that setting: the one query
    both rule families ask of the history, as `HookInput.drafted` is of the drafts."""
    return tuple(
        e
        for e in facts.therapy.exposures
        if (setting is None or e.setting is setting)
        and (not classes or not e.classes.isdisjoint(classes))
        and state(e, facts.as_of, config).current
    )
