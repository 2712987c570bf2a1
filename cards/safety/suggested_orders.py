"""The actions safety cards offer: order a test (validated R4B ServiceRequest) or remove
the draft that is the problem (a CDS Hooks `delete` action naming the draft's id)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cards.drafts import order_drug
from cards.findings import Action, Suggestion
from cards.hook_input import HookInput
from cards.phrasing import format_date
from cards.safety.codes import orderable
from cards.safety.drugs import drug_name
from cards.suggestions import create, delete_order, service_request
from fhir_mappings import DraftOrder


def test_suggestion(
    patient_id: str,
    code_name: str,
    *,
    label: str,
    reason: str,
    recommended: bool = True,
    occurrence: str | None = None,
) -> Suggestion:
    code = orderable(code_name)
    resource = service_request(
        patient_id=patient_id,
        code_system=code.system,
        code=code.code,
        display=code.display,
        reason=reason,
        occurrence=occurrence,
    )
    return Suggestion(
        label=label,
        actions=(create(resource, f"Order {code.display}"),),
        is_recommended=recommended,
    )


def echo_suggestion(patient_id: str, reason: str, *, due: datetime | None = None) -> Suggestion:
    """An echocardiogram now, or dated (`due`) when a recent LVEF sets the repeat: the order
    carries the date as its occurrence, so it is not done again at once."""
    if due is None:
        return test_suggestion(
            patient_id, "echocardiogram", label="Order an echocardiogram (LVEF)", reason=reason
        )
    return test_suggestion(
        patient_id,
        "echocardiogram",
        label=f"Order an echocardiogram (LVEF) for {format_date(due)}",
        reason=reason,
        occurrence=due.date().isoformat(),
    )


def remove_orders_suggestion(orders: Iterable[DraftOrder], label: str) -> Suggestion | None:
    """One suggestion deleting `orders`; None when none of them has an id to name."""
    actions: list[Action] = []
    for order in orders:
        action = delete_order(order, f"Remove the draft {drug_name(order_drug(order) or '')} order")
        if action is not None:
            actions.append(action)
    return Suggestion(label=label, actions=tuple(actions)) if actions else None


def remove_drafts_suggestions(
    hook_input: HookInput, drug_ids: Iterable[str], *, selected_only: bool = True
) -> tuple[Suggestion, ...]:
    """'Remove the trastuzumab order' for each drug whose selected drafts are the problem
    (or every draft of it, when a companion not selected goes with it)."""
    out: list[Suggestion] = []
    drafts = hook_input.selected_orders if selected_only else hook_input.orders
    for drug in dict.fromkeys(drug_ids):
        orders = [o for o in drafts if order_drug(o) == drug]
        suggestion = remove_orders_suggestion(orders, f"Remove the {drug_name(drug)} order")
        if suggestion is not None:
            out.append(suggestion)
    return tuple(out)
