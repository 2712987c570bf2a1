"""Suggested orders: draft MedicationRequests carrying the dose computed for this patient.

A suggestion is only made when the dose in mg is known: an order without a dose would look
complete to a busy clinician and is worse than no suggestion. Loading or maintenance follows
the dose history (`loading.due_dose`); when that history is undated the loading dose is
suggested and the card says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cards.catalog import Drug, Schedule, SlotOption
from cards.drafts import Drafted
from cards.findings import Action, Suggestion
from cards.phrasing import interval_words
from cards.regimens.data_gaps import history_gap_reason
from cards.regimens.doses import ComputedDose, Phase, compute_dose, schedule_text
from cards.regimens.drug_terms import drug_name, rxnorm_code
from cards.regimens.loading import DueAssessment, DueDose, due_dose
from cards.regimens.situation import Situation
from cards.suggestions import (
    DoseAmount,
    LoadingDose,
    create,
    delete_order,
    format_mg,
    medication_request,
)

ROUTE_WORDS = {"iv": "IV", "sc": "SC", "oral": "orally", "im": "IM"}


@dataclass(frozen=True)
class PlannedDose:
    """A dose we would suggest, with why it is loading or maintenance."""

    dose: ComputedDose
    due: DueAssessment


def due_now(sit: Situation, drug: Drug, schedule: Schedule) -> DueAssessment:
    """Loading or maintenance for this patient now, from the dose history (and the reason
    when part of that history could not be obtained)."""
    return due_dose(
        drug,
        schedule,
        sit.facts,
        sit.catalog,
        sit.config,
        history_gap=history_gap_reason(sit.hook_input),
    )


def plan_dose(sit: Situation, drug: Drug, schedule: Schedule) -> PlannedDose:
    due = due_now(sit, drug, schedule)
    phase = Phase.MAINTENANCE if due.due is DueDose.MAINTENANCE else Phase.LOADING
    return PlannedDose(compute_dose(drug, schedule, phase, sit.body), due)


def plan_option(sit: Situation, option: SlotOption) -> PlannedDose:
    drug = sit.catalog.drugs[option.drug]
    return plan_dose(sit, drug, drug.schedule(option.schedule))


def instruction(sit: Situation, dose: ComputedDose) -> str:
    """The dosage text of a suggested order: dose, route, schedule and how it was computed."""
    drug, schedule = dose.drug, dose.schedule
    route = ROUTE_WORDS.get(drug.route, drug.route)
    parts = [f"{drug.display} {dose.amount} {route}"]
    if dose.is_loading:
        maintenance = compute_dose(drug, schedule, Phase.MAINTENANCE, sit.body)
        parts.append(f"loading dose, then {maintenance.amount} {schedule_text(schedule)}")
    else:
        parts.append(schedule_text(schedule))
    text = ", ".join(parts)
    if dose.calculation:
        text += f" ({dose.calculation}; {sit.body.describe(drug.basis)})"
    return text


def _amount(dose: ComputedDose) -> DoseAmount | None:
    """What the order's dose quantity says: mg, or mL for a fixed-volume product whose mg
    would name only one of its antibodies (Phesgo)."""
    if dose.drug.dose_component:
        return DoseAmount(dose.volume_ml, "mL") if dose.volume_ml else None
    return DoseAmount(dose.mg) if dose.mg is not None else None


def _calculation(sit: Situation, dose: ComputedDose) -> str:
    if not dose.calculation:
        return ""
    return f" ({dose.calculation}; {sit.body.describe(dose.drug.basis)})"


def _maintenance_text(sit: Situation, dose: ComputedDose) -> str:
    """The repeating part of a schedule that starts with a loading dose."""
    drug, schedule = dose.drug, dose.schedule
    route = ROUTE_WORDS.get(drug.route, drug.route)
    after = interval_words(schedule.interval_days)
    return (
        f"then {drug.display} {dose.amount} {route}, {schedule_text(schedule)}, the first "
        f"{after} after the loading dose{_calculation(sit, dose)}"
    )


def _loading_text(sit: Situation, dose: ComputedDose) -> str:
    route = ROUTE_WORDS.get(dose.drug.route, dose.drug.route)
    return f"{dose.drug.display} {dose.amount} {route}, loading dose, once{_calculation(sit, dose)}"


def order_resource(sit: Situation, dose: ComputedDose) -> dict[str, Any] | None:
    """The suggested MedicationRequest: a loading dose as its own dosage instruction given once,
    then the maintenance dose on its interval (and, for capecitabine, on days 1-14 only)."""
    amount = _amount(dose)
    if amount is None:
        return None
    schedule = dose.schedule
    loading: LoadingDose | None = None
    maintenance, text = dose, instruction(sit, dose)
    if dose.is_loading:
        maintenance = compute_dose(dose.drug, schedule, Phase.MAINTENANCE, sit.body)
        maintenance_amount = _amount(maintenance)
        if maintenance_amount is None:
            return None
        loading = LoadingDose(amount, _loading_text(sit, dose))
        amount, text = maintenance_amount, _maintenance_text(sit, maintenance)
    return medication_request(
        patient_id=sit.hook_input.patient_id,
        rxnorm_code=rxnorm_code(dose.drug.id),
        drug_display=dose.drug.display,
        dose_mg=maintenance.mg,
        dose=amount,
        interval_days=schedule.interval_days * schedule.times_per_day,
        frequency=schedule.times_per_day,
        route=dose.drug.route,
        instruction=text,
        loading=loading,
        course_days=schedule.days_on,
    )


def short_phrase(dose: ComputedDose) -> str:
    """For labels: "pertuzumab 840 mg", "paclitaxel 143 mg weekly"."""
    amount = f"{format_mg(dose.mg)} mg" if dose.mg is not None else dose.amount
    suffix = " weekly" if dose.schedule.interval_days == 7 else ""
    if dose.schedule.times_per_day == 2:
        suffix = " twice daily"
    return f"{dose.drug.short} {amount}{suffix}"


def _created(sit: Situation, doses: Sequence[ComputedDose], verb: str) -> tuple[Action, ...] | None:
    """One create action per dose ("Add ..." or "Order ..."); None if a dose is not computable."""
    actions: list[Action] = []
    for dose in doses:
        resource = order_resource(sit, dose)
        if resource is None:
            return None
        actions.append(create(resource, f"{verb} {instruction(sit, dose)}"))
    return tuple(actions)


def add_suggestion(
    sit: Situation, doses: Sequence[ComputedDose], *, recommended: bool = False
) -> Suggestion | None:
    """ "Add pertuzumab 840 mg + docetaxel 134 mg"; None if a dose is not computable."""
    created = _created(sit, doses, "Add")
    if not created:
        return None
    label = "Add " + " + ".join(short_phrase(d) for d in doses) + _by_hand(doses)
    return Suggestion(label=label, actions=created, is_recommended=recommended)


def replace_suggestion(
    sit: Situation,
    replaced: Iterable[Drafted],
    doses: Sequence[ComputedDose],
    *,
    recommended: bool = False,
) -> Suggestion | None:
    """Delete drafted orders and create the computed ones; None if an order cannot be named
    (no id to delete) or a dose is not computable, since half a replacement is a double order.
    """
    drafts = list(replaced)
    if any(not d.order.reference for d in drafts):
        return None
    created = _created(sit, doses, "Order")
    if not created:
        return None
    # Each draft paired with a new dose is updated in place (same id, new medication and
    # dosage): a client holding one draft applies it whole, where a delete and a create may
    # leave it with the delete only. Drafts or doses left over are deleted or created.
    actions: list[Action] = []
    for drafted, action in zip(drafts, created, strict=False):
        assert action.resource is not None
        kind, _, draft_id = drafted.order.reference.partition("/")
        if kind != action.resource["resourceType"] or not draft_id:
            return None
        # `id` right after `resourceType`, where the R4B models write it
        resource_type, *rest = action.resource.items()
        resource = dict([resource_type, ("id", draft_id), *rest])
        actions.append(Action("update", action.description, resource=resource))
    for drafted in drafts[len(created) :]:
        name = drug_name(drafted.drug, sit.catalog)
        removed = delete_order(drafted.order, f"Remove the drafted {name} order")
        if removed is None:
            return None
        actions.append(removed)
    actions.extend(created[len(drafts) :])
    label = "Replace with " + " + ".join(short_phrase(d) for d in doses) + _by_hand(doses)
    return Suggestion(label=label, actions=tuple(actions), is_recommended=recommended)


def _by_hand(doses: Sequence[ComputedDose]) -> str:
    """A suggested order without an RxNorm code (no verified T-DXd ingredient code) cannot be
    applied whole by the EHR: the label says the product is chosen by hand."""
    uncoded = [d.drug.short for d in doses if rxnorm_code(d.drug.id) is None]
    return f" (choose the {' and '.join(uncoded)} product by hand)" if uncoded else ""


def single_recommended(suggestions: Sequence[Suggestion | None]) -> tuple[Suggestion, ...]:
    """Drop the impossible ones; mark the only remaining one as recommended."""
    kept = [s for s in suggestions if s is not None]
    if len(kept) == 1:
        only = kept[0]
        return (Suggestion(only.label, only.actions, is_recommended=True),)
    return tuple(Suggestion(s.label, s.actions, is_recommended=False) for s in kept)
