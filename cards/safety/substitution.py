"""C9: trastuzumab, T-DM1 and T-DXd are different drugs: do not substitute.

The labels say so explicitly, and the names invite the error ("ado-trastuzumab emtansine"
and "fam-trastuzumab deruxtecan" both contain "trastuzumab"); giving one for another
means a wrong dose of a different drug. The reference's alert table (§3.9 C9) makes this
critical: when one of them is ordered while a product of another family is active or
drafted, and when an order's words name a different product than its code (the mapping's
`also_named`). Each card cites the ordered drug's own "do not substitute" statement first.
Phesgo and Herceptin Hylecta are trastuzumab (same family), and pertuzumab is not in the
family, so THP, Phesgo and T-DXd + pertuzumab are not substitutions; nor is a new line
after the previous one ended.

Nor is a new line while the previous one's orders were left open: when every active product
of another family has lapsed (no dose for longer than its interval plus the re-load grace,
`cards.safety.lapsed`) and none is drafted, the card is a warning asking to close the open
orders (`cards.safety.switching`), not a critical "remove the new drug". Drafted together, or
with the other product still given on schedule, it stays critical.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from cards.findings import Citation, Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.safety.drugs import (
    HER2_DIRECTED,
    TRASTUZUMAB_CLASS,
    drug_name,
    safety_drug,
    substitution_families,
)
from cards.safety.lapsed import split_current
from cards.safety.phrasing import capitalized
from cards.safety.suggested_orders import remove_orders_suggestion
from cards.safety.switching import switch_finding
from cards.safety.triggers import (
    active_in_class,
    drafts_in_class,
    drug_ids,
    exposure_evidence,
    order_drug,
    order_evidence,
    selected_in_class,
)
from cards.sources import cite
from fhir_mappings import DraftOrder, DrugExposure

RULE = "C9"
TOPIC = "Do not substitute trastuzumab products"


def family(drug_id: str | None) -> str | None:
    drug = safety_drug(drug_id)
    return drug.substitution_family if drug else None


def family_words(family_id: str) -> str:
    return substitution_families()[family_id].words


def _citations(families: Sequence[str]) -> tuple[Citation, ...]:
    """The 'do not substitute' statement of each family's label, the ordered drug's first."""
    sources = dict.fromkeys(substitution_families()[f].source for f in families)
    return tuple(cite(source, RULE, TOPIC) for source in sources)


def _partners(
    hook_input: HookInput, order: DraftOrder
) -> tuple[list[DraftOrder], list[DrugExposure]]:
    mine = family(order_drug(order))
    drafts = [
        o
        for o in drafts_in_class(hook_input, TRASTUZUMAB_CLASS)
        if o is not order and family(order_drug(o)) not in (None, mine)
    ]
    active = [
        e
        for e in active_in_class(hook_input.facts, TRASTUZUMAB_CLASS)
        if family(e.drug) not in (None, mine)
    ]
    return drafts, active


def _substitution(
    hook_input: HookInput,
    order: DraftOrder,
    drafts: Sequence[DraftOrder],
    active: Sequence[DrugExposure],
) -> Finding:
    this = drug_name(order_drug(order) or "")
    partner_ids = list(
        dict.fromkeys([*(order_drug(o) or "" for o in drafts), *(e.drug for e in active)])
    )
    partner = " and ".join(drug_name(d) for d in partner_ids)
    this_family = family(order_drug(order)) or ""
    partner_families = [f for f in map(family, partner_ids) if f]
    short_this = family_words(this_family) if this_family else this
    short_partner = " and ".join(dict.fromkeys(family_words(f) for f in partner_families))
    state = " and ".join(s for s, present in (("active", active), ("drafted", drafts)) if present)
    suggestions: list[Suggestion] = []
    for orders, name in (([order], this), (list(drafts), partner)):
        suggestion = remove_orders_suggestion(orders, f"Remove the {name} order")
        if suggestion is not None:
            suggestions.append(suggestion)
    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=(
            f"{capitalized(short_this)} ordered while {short_partner} is {state}: "
            "different drugs, do not substitute"
        ),
        reasoning=(
            "Trastuzumab, ado-trastuzumab emtansine (T-DM1) and fam-trastuzumab deruxtecan "
            "(T-DXd) are different drugs with different doses and toxicities; the labels say "
            "not to substitute one for another.",
            f"{this} is being ordered while {partner} is {state}. If this is a change of line, "
            f"stop the {partner} order; if not, check which product was intended.",
        ),
        citations=_citations([this_family, *partner_families]),
        data_used=(*order_evidence([order, *drafts]), *exposure_evidence(active)),
        suggestions=tuple(suggestions),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{RULE}:{'/'.join(sorted({this_family, *partner_families}))}",
    )


def _switch(
    hook_input: HookInput,
    order: DraftOrder,
    lapsed: Sequence[tuple[DrugExposure, datetime]],
    config: CardsConfig,
) -> Finding:
    """A new line while the old one's orders are open: close them (pertuzumab's too, when it
    lapsed with them and is not drafted again)."""
    drug = order_drug(order) or ""
    drafted = set(drug_ids(hook_input.orders))
    seen = list(dict.fromkeys(e.drug for e, _ in lapsed))
    companions = [
        e
        for e in active_in_class(hook_input.facts, HER2_DIRECTED)
        if e.drug not in {*seen, *drafted, drug}
    ]
    _, companions_lapsed = split_current(companions, hook_input.facts.as_of, config)
    old = " and ".join(drug_name(d) for d in seen)
    families = list(dict.fromkeys([family(drug) or "", *(family(d) or "" for d in seen)]))
    return switch_finding(
        rule=RULE,
        drafts=[order],
        drafted_ids=[drug],
        lapsed=[*lapsed, *companions_lapsed],
        caution=(
            f"If {old} is still meant to be given, {drug_name(drug)} is a different drug with "
            "a different dose: do not substitute one for the other."
        ),
        citations=_citations([f for f in families if f]),
        alternative=remove_orders_suggestion(
            [order], f"Remove the {drug_name(drug)} order (if it was not intended)"
        ),
        dedup_key=f"{RULE}:{'/'.join(sorted(f for f in families if f))}",
    )


def _named_families(order: DraftOrder) -> tuple[str, ...]:
    """The trastuzumab families the order's words name besides its coded drug (the mapping
    reports them in `also_named`: coded trastuzumab written "Kadcyla", or a text naming
    several drugs)."""
    medication = order.medication
    if medication is None:
        return ()
    named = (family(d) for d in medication.also_named)
    return tuple(dict.fromkeys(f for f in named if f is not None))


def _text_mismatch(order: DraftOrder) -> Finding | None:
    medication = order.medication
    if medication is None:
        return None
    mine = family(medication.drug)
    others = [f for f in _named_families(order) if f != mine]
    if not others or (mine is None and len(others) < 2):
        return None
    other = " and ".join(family_words(f) for f in sorted(others))
    if mine is None:
        summary = f"Order text names {other}: check which trastuzumab product is meant"
        this = "this order"
    else:
        this = drug_name(medication.drug or "")
        summary = f"Order for {family_words(mine)} also names {other}: check which product is meant"
    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=summary,
        reasoning=(
            f"The medication of {this} also names {other}. Trastuzumab, ado-trastuzumab "
            "emtansine (T-DM1) and fam-trastuzumab deruxtecan (T-DXd) are different drugs "
            "with different doses; the labels say not to substitute one for another. The "
            "order's text is shown in the data table.",
        ),
        citations=_citations([*([mine] if mine else []), *sorted(others)]),
        data_used=order_evidence([order]),
        suggestions=tuple(
            s for s in (remove_orders_suggestion([order], "Remove this order"),) if s is not None
        ),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{RULE}:text:{order.reference}",
    )


def substitution_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    findings: list[Finding] = []
    for order in selected_in_class(hook_input, TRASTUZUMAB_CLASS):
        if family(order_drug(order)) is None:
            continue
        drafts, active = _partners(hook_input, order)
        current, lapsed = split_current(active, hook_input.facts.as_of, config)
        if drafts or current:
            findings.append(_substitution(hook_input, order, drafts, active))
        elif lapsed:
            findings.append(_switch(hook_input, order, lapsed, config))
    for order in hook_input.selected_orders:
        mismatch = _text_mismatch(order)
        if mismatch is not None:
            findings.append(mismatch)
    return findings
