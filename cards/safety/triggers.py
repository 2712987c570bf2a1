"""Which orders and exposures a safety rule looks at.

On order-select and order-sign a rule fires for the orders being selected or signed
(`DraftOrder.selected`); the other drafts and the active exposures are the context it
checks them against. On patient-view there are no orders: the cardiac rules look at the
HER2 agents the patient is on now (`current_in_class`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cards.current import state
from cards.hook_input import DataGap, Hook, HookInput
from fhir_mappings import DraftOrder, DrugExposure, Evidence, PatientFacts

# The prefetch keys of the medication history: any of them missing leaves it incomplete.
MEDICATION_GAPS = ("medicationRequests", "medicationStatements", "medicationAdministrations")


def medication_gap(hook_input: HookInput) -> DataGap | None:
    """The first medication-history source the service could not obtain, if any."""
    return next((g for g in map(hook_input.gap, MEDICATION_GAPS) if g is not None), None)


def order_drug(order: DraftOrder) -> str | None:
    return order.medication.drug if order.medication else None


def order_classes(order: DraftOrder) -> frozenset[str]:
    return order.medication.classes if order.medication else frozenset()


def selected_in_class(hook_input: HookInput, drug_class: str) -> tuple[DraftOrder, ...]:
    """The orders being selected/signed that belong to `drug_class` and name a known drug."""
    return tuple(
        order
        for order in hook_input.selected_orders
        if order_drug(order) and drug_class in order_classes(order)
    )


def drafts_in_class(hook_input: HookInput, drug_class: str) -> tuple[DraftOrder, ...]:
    """Every draft order of `drug_class`, selected or not (the pending order set)."""
    return tuple(
        order
        for order in hook_input.orders
        if order_drug(order) and drug_class in order_classes(order)
    )


def current_in_class(facts: PatientFacts, drug_class: str) -> tuple[DrugExposure, ...]:
    """The drugs of `drug_class` the patient is on now: the mapping's one definition of
    current (`fhir_mappings.exposure`: an open order, or, where no order or statement says
    otherwise, a last dose within the drug's cycle plus the grace; see cards/safety/lapsed.py
    for the window)."""
    return tuple(e for e in facts.therapy.of_class(drug_class) if state(e, facts.as_of).current)


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
    hook_input: HookInput, drug_class: str
) -> tuple[tuple[str, ...], tuple[Evidence, ...]]:
    """The drugs of `drug_class` this call is about, and the records that show them: the
    selected drafts on order hooks, the current exposures on patient-view."""
    if hook_input.hook is Hook.PATIENT_VIEW:
        active = current_in_class(hook_input.facts, drug_class)
        return tuple(dict.fromkeys(e.drug for e in active)), exposure_evidence(active)
    orders = selected_in_class(hook_input, drug_class)
    return drug_ids(orders), order_evidence(orders)
