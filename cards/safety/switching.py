"""The card for a switch of line or product while the old orders were left open.

C9 (do not substitute), the duplicate-antibody rule and C3 (anthracycline then HER2 therapy)
share it: when the other drug is current only because its order is still open and its next
dose is due or overdue (`cards.safety.lapsed`), the new draft is a switch at the next cycle,
not a substitution, a double dose or an overlap. The harm left is the open order itself (it
can be dispensed again by mistake), so the card is one warning asking to close the previous
orders. Its delete actions name those old orders (the EHR closes them); never the new draft.
Other drugs of the old regimen whose orders are open and due (pertuzumab next to trastuzumab)
are closed with them, unless they are drafted again.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.findings import Action, Citation, Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names
from cards.phrasing import format_date as date
from cards.safety.drugs import drug_name, drug_names
from cards.safety.lapsed import Placed, Standing, place
from cards.safety.triggers import drug_ids, exposure_evidence, order_evidence
from fhir_mappings import DraftOrder, Evidence

ORDER = "MedicationRequest"


def companions(
    hook_input: HookInput, drug_class: str, placed: Sequence[Placed], config: CardsConfig
) -> list[Placed]:
    """The other drugs of `drug_class` whose orders are open and due, not drafted again."""
    skip = {*drug_ids(hook_input.orders), *(p.exposure.drug for p in placed)}
    found = (
        place(e, hook_input.facts.as_of, config)
        for e in hook_input.facts.therapy.of_class(drug_class)
        if e.drug not in skip
    )
    return [p for p in found if p.standing is Standing.DUE_ORDERS_OPEN]


def _close_actions(old: Sequence[Placed]) -> tuple[Action, ...]:
    actions: list[Action] = []
    for placed in old:
        for order in placed.exposure.open_orders:
            if order.resource_type == ORDER and order.resource_id:
                actions.append(
                    Action(
                        type="delete",
                        description=(
                            f"Close the previous {drug_name(placed.exposure.drug)} order "
                            f"of {date(order.when)}"
                        ),
                        resource_id=f"{ORDER}/{order.resource_id}",
                    )
                )
    unique = {a.resource_id: a for a in actions}
    return tuple(unique.values())


def _evidence(drafts: Sequence[DraftOrder], old: Sequence[Placed]) -> tuple[Evidence, ...]:
    """The new drafts, the old open orders, then the old drug's last doses."""
    evidence: list[Evidence] = [*order_evidence(drafts)]
    for placed in old:
        evidence.extend(placed.exposure.open_orders[:2] or placed.state.evidence)
    evidence.extend(exposure_evidence(p.exposure for p in old))
    return tuple(dict.fromkeys(evidence))


def _last_given(old: Sequence[Placed]) -> str:
    dated = [p.exposure.last_dose for p in old if p.exposure.last_dose is not None]
    return date(max(dated)) if dated else "no dose on file"


def switch_finding(
    hook_input: HookInput,
    *,
    rule: str,
    drafted_ids: Sequence[str],
    drafts: Sequence[DraftOrder],
    open_old: Sequence[Placed],
    caution: str,
    citations: tuple[Citation, ...],
    companion_class: str | None = None,
    config: CardsConfig,
) -> Finding:
    """'Switching to T-DXd: close the previous trastuzumab and pertuzumab orders (last given …)'.

    `caution` is the rule's own sentence for the case where the old drug is still meant to be
    given (C9: different drugs, do not substitute; duplicates: the antibody would be doubled).
    """
    extra = companions(hook_input, companion_class, open_old, config) if companion_class else []
    old = [*open_old, *extra]
    old_ids = list(dict.fromkeys(p.exposure.drug for p in old))
    when = _last_given(old)

    def summary(short: int) -> str:
        new = drug_names(drafted_ids, short=max(short, 1))
        names = drug_names(old_ids, short=short)
        return f"Switching to {new}: close the previous {names} orders (last given {when})"

    each = "; ".join(f"{drug_name(p.exposure.drug)}: {p.state.why}" for p in old)
    verb = "is" if len(old_ids) == 1 else "are"
    reasoning = (
        f"{capitalized(drug_names(drafted_ids))} is being ordered while "
        f"{drug_names(old_ids)} {verb} still ordered as active, but the next dose was due "
        f"when this order was written ({each}): this looks like a change of line or product "
        "at the next cycle.",
        f"Close (discontinue) the previous {drug_names(old_ids)} order(s), so that the old "
        f"drug is not dispensed again. {caution}",
    )
    actions = _close_actions(old)
    label = f"Close the previous {drug_names(old_ids)} orders"
    suggestions = (Suggestion(label, actions, is_recommended=True),) if actions else ()
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING,
        summary=fit_names(summary),
        reasoning=reasoning,
        citations=citations,
        data_used=_evidence(drafts, old),
        suggestions=suggestions,
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"switch:{'/'.join(sorted(old_ids))}",
    )
