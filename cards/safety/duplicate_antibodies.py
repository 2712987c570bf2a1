"""Double trastuzumab or pertuzumab: two products delivering the same antibody at once.

Phesgo is pertuzumab + trastuzumab, and Herceptin Hylecta is trastuzumab: drafted next to
IV trastuzumab (or Phesgo next to IV pertuzumab) the patient would receive the antibody
twice. C9 does not see this, because these products are all "trastuzumab" for the
do-not-substitute check; here the question is which antibodies each product delivers
(the regimen table's `provides`, read through its loader so the list lives in one place).

Two different products drafted together, or one drafted while the other is active, is
critical: a doubled dose is never intended. The same product drafted twice (a loading and
a maintenance order) and a product continued as it is are not duplicates; T-DM1 and T-DXd
deliver their own conjugates and are C9's concern.

Which product is current is the mapping's one definition (`fhir_mappings.exposure`). A
product drafted while the other is current and mid-cycle is critical; while the other's orders
are still open but its next dose is due (or overdue), it is a switch of product at the next
cycle, and a warning asks to close the previous orders (`cards.safety.switching`); with the
old orders stopped or completed, or only doses on file and the next one due, no card.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from cards.catalog import catalog
from cards.drafts import order_drug
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names
from cards.safety.drugs import HER2_DIRECTED, drug_name, drug_names, safety_drug
from cards.safety.lapsed import Placed, Standing, place_all
from cards.safety.suggested_orders import remove_orders_suggestion
from cards.safety.switching import switch_finding
from cards.safety.triggers import exposure_evidence, order_evidence
from cards.sources import cite
from fhir_mappings import DraftOrder, DrugExposure

RULE = "duplicate-her2-antibody"
TOPIC = "Duplicate trastuzumab or pertuzumab"


def delivered(drug_id: str) -> frozenset[str]:
    """The antibodies a product delivers (Phesgo: pertuzumab and trastuzumab)."""
    return catalog().provides(drug_id)


def _shared(drug_ids: Iterable[str]) -> tuple[str, ...]:
    """The antibodies delivered by more than one of `drug_ids`, in a stable order."""
    counts: dict[str, int] = {}
    for drug_id in dict.fromkeys(drug_ids):
        for moiety in delivered(drug_id):
            counts[moiety] = counts.get(moiety, 0) + 1
    return tuple(sorted((m for m, n in counts.items() if n > 1), key=_moiety_order))


def _moiety_order(moiety: str) -> tuple[int, str]:
    return (0 if moiety == "trastuzumab" else 1, moiety)


def _doubled(moieties: Sequence[str]) -> str:
    names = drug_names(moieties)
    return f"both contain {names}" if len(moieties) == 1 else f"double {names}"


def _sources(drug_ids: Iterable[str]) -> tuple[str, ...]:
    """The page stating each product's content and dose."""
    return tuple(
        dict.fromkeys(d.dosing_source for d in map(safety_drug, drug_ids) if d is not None)
    )


def _finding(
    hook_input: HookInput,
    drafts: Sequence[DraftOrder],
    active: Sequence[DrugExposure],
    moieties: Sequence[str],
) -> Finding:
    draft_ids = list(dict.fromkeys(order_drug(o) or "" for o in drafts))
    active_ids = [d for d in dict.fromkeys(e.drug for e in active) if d not in draft_ids]
    drafted = drug_names(draft_ids)
    doubled = _doubled(moieties)

    def summary(short: int) -> str:
        names = drug_names(draft_ids, short=short)
        if active_ids:
            verb = "is" if len(active_ids) == 1 else "are"
            on = drug_names(active_ids, short=short)
            return f"{capitalized(names)} drafted while {on} {verb} active: {doubled}; stop one"
        return f"{capitalized(names)} drafted together: {doubled}; keep one product"

    contents = "; ".join(
        f"{drug_name(d)}: {drug_names(sorted(delivered(d), key=_moiety_order))}"
        for d in [*draft_ids, *active_ids]
    )
    reasoning = [
        f"These products deliver the same antibody ({contents}). Given together, the patient "
        f"would receive {drug_names(moieties)} twice.",
    ]
    if active_ids:
        reasoning.append(
            f"{capitalized(drug_names(active_ids))} "
            f"{'is' if len(active_ids) == 1 else 'are'} active. If this is a switch to "
            f"{drafted}, stop the active {drug_names(active_ids)} order(s) so that only one "
            "product is given; otherwise remove the draft."
        )
    else:
        reasoning.append("Keep the product intended for this regimen and remove the other order.")
    suggestions: list[Suggestion] = []
    for drug_id in draft_ids:
        orders = [o for o in drafts if order_drug(o) == drug_id]
        suggestion = remove_orders_suggestion(orders, f"Remove the {drug_name(drug_id)} order")
        if suggestion is not None:
            suggestions.append(suggestion)
    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=fit_names(summary),
        reasoning=tuple(reasoning),
        citations=tuple(cite(s, RULE, TOPIC) for s in _sources([*draft_ids, *active_ids])),
        data_used=(*order_evidence(drafts), *exposure_evidence(active)),
        suggestions=tuple(suggestions),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{RULE}:{'/'.join(sorted({*draft_ids, *active_ids}))}",
        # one of the drafted products must go: no dose or re-load advice for any of them
        withholds=frozenset(draft_ids),
    )


def _by_drug(orders: Iterable[DraftOrder]) -> Mapping[str, list[DraftOrder]]:
    grouped: dict[str, list[DraftOrder]] = {}
    for order in orders:
        drug = order_drug(order)
        if drug is not None:
            grouped.setdefault(drug, []).append(order)
    return grouped


def duplicate_antibody_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    drafts = _by_drug(hook_input.drafted.in_class(HER2_DIRECTED))
    selected = {order_drug(o) for o in hook_input.selected_orders}
    if not selected & set(drafts):
        return ()
    together = _shared(drafts)
    if together:
        involved = [d for d in drafts if delivered(d) & set(together)]
        if selected & set(involved):
            orders = [o for d in involved for o in drafts[d]]
            return (_finding(hook_input, orders, (), together),)
    drafted_moieties = frozenset().union(*map(delivered, drafts))
    others = [
        e
        for e in hook_input.facts.therapy.of_class(HER2_DIRECTED)
        if e.drug not in drafts and delivered(e.drug) & drafted_moieties
    ]
    placed = place_all(others, hook_input.facts.as_of, config)
    current = [*placed[Standing.MID_CYCLE], *placed[Standing.DUE_ORDERS_OPEN]]
    if not current:
        return ()  # closed, lapsed or due with no order open: a switch at the next cycle
    moieties = _shared([*drafts, *(p.exposure.drug for p in current)])
    involved = [d for d in drafts if d in selected and delivered(d) & set(moieties)]
    if not involved:
        return ()
    orders = [o for d in involved for o in drafts[d]]
    if not placed[Standing.MID_CYCLE]:
        return (
            _switch(
                hook_input, orders, involved, placed[Standing.DUE_ORDERS_OPEN], moieties, config
            ),
        )
    return (
        _finding(hook_input, orders, [p.exposure for p in placed[Standing.MID_CYCLE]], moieties),
    )


def _switch(
    hook_input: HookInput,
    orders: Sequence[DraftOrder],
    involved: Sequence[str],
    open_old: Sequence[Placed],
    moieties: Sequence[str],
    config: CardsConfig,
) -> Finding:
    old = [p.exposure.drug for p in open_old]
    return switch_finding(
        hook_input,
        rule=RULE,
        drafted_ids=involved,
        drafts=orders,
        open_old=open_old,
        caution=(
            f"If {drug_names(old)} is still meant to be given, stop one product: together "
            f"the patient would receive {drug_names(moieties)} twice."
        ),
        citations=tuple(cite(s, RULE, TOPIC) for s in _sources([*involved, *old])),
        companion_class=HER2_DIRECTED,
        config=config,
    )
