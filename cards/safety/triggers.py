"""Which orders and exposures a safety rule looks at.

On order-select and order-sign a rule fires for the orders being selected or signed
(`DraftOrder.selected`); the other drafts and the active exposures are the context it
checks them against. On patient-view there are no orders: the cardiac rules look at the
HER2 agents the patient is on now. Which drafts are of a class is `HookInput.drafted`
(`cards.drafts`) and which drugs are current `cards.current.current_in_class`: the readings
the regimen rules share.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cards.current import current_in_class
from cards.drafts import order_drug
from cards.hook_input import DataGap, Hook, HookInput
from cards.knowledge import CardsConfig
from fhir_mappings import DraftOrder, DrugExposure, Evidence

# The prefetch keys of the medication history: any of them missing leaves it incomplete.
MEDICATION_GAPS = ("medicationRequests", "medicationStatements", "medicationAdministrations")


def medication_gap(hook_input: HookInput) -> DataGap | None:
    """The first medication-history source the service could not obtain, if any."""
    return next((g for g in map(hook_input.gap, MEDICATION_GAPS) if g is not None), None)


def drug_ids(orders: Iterable[DraftOrder]) -> tuple[str, ...]:
    """The drug ids of `orders`, each once, in order."""
    return tuple(dict.fromkeys(d for d in (order_drug(o) for o in orders) if d))


def order_evidence(orders: Iterable[DraftOrder]) -> tuple[Evidence, ...]:
    return tuple(o.evidence for o in orders if o.evidence is not None)


def exposure_evidence(exposures: Iterable[DrugExposure], limit: int = 2) -> tuple[Evidence, ...]:
    """The newest few records of each exposure: enough to show where a fact came from."""
    out: list[Evidence] = []
    for exposure in exposures:
        out.extend(exposure.evidence[:limit])
    return tuple(out)


def last_given(exposure: DrugExposure) -> datetime | None:
    """The last dose, else the end of the exposure: when the drug was last in the patient."""
    return exposure.last_dose or exposure.end


def drugs_in_play(
    hook_input: HookInput, config: CardsConfig, drug_class: str
) -> tuple[tuple[str, ...], tuple[Evidence, ...]]:
    """The drugs of `drug_class` this call is about, and the records that show them: the
    selected drafts on order hooks, the current exposures on patient-view."""
    if hook_input.hook is Hook.PATIENT_VIEW:
        active = current_in_class(hook_input.facts, drug_class, config=config)
        return tuple(dict.fromkeys(e.drug for e in active)), exposure_evidence(active)
    orders = hook_input.drafted.selected_in_class(drug_class)
    return drug_ids(orders), order_evidence(orders)
