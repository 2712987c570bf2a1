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

Nor is a new line at the next cycle. Which drug is current is the mapping's one definition
(`fhir_mappings.exposure`); where it stands in its cycle is `cards.safety.lapsed`'s:

- drafted together with a product of another family, or with one current and not yet due
  (mid-cycle, or an open order with no dose on file): critical;
- a draft whose dose is the other drug's dose (T-DM1 at trastuzumab's 6 mg/kg), when the
  patient had that drug within the current-line window (`line_current_days`): critical, even
  though its orders are closed (`cards.safety.dose_fit`);
- the other product's orders still open but its next dose due (or overdue): a warning asking
  to close them, whose delete actions name the old orders (`cards.safety.switching`);
- the old orders stopped or completed, or only doses on file and the next one due: no card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.drafts import order_drug
from cards.findings import Citation, Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized
from cards.safety.dose_fit import DoseFit, fits_other_drug
from cards.safety.drugs import (
    HER2_DIRECTED,
    TRASTUZUMAB_CLASS,
    drug_name,
    safety_drug,
    substitution_families,
)
from cards.safety.lapsed import Placed, Standing, place_all, recently_given
from cards.safety.suggested_orders import remove_orders_suggestion
from cards.safety.switching import switch_finding
from cards.safety.triggers import drug_ids, exposure_evidence, order_evidence
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
    """The drafts of another family, and every exposure of another family on file."""
    mine = family(order_drug(order))
    drafts = [
        o
        for o in hook_input.drafted.in_class(TRASTUZUMAB_CLASS)
        if o is not order and family(order_drug(o)) not in (None, mine)
    ]
    exposures = [
        e
        for e in hook_input.facts.therapy.of_class(TRASTUZUMAB_CLASS)
        if family(e.drug) not in (None, mine)
    ]
    return drafts, exposures


def _substitution(
    hook_input: HookInput,
    order: DraftOrder,
    drafts: Sequence[DraftOrder],
    active: Sequence[Placed],
    fit: DoseFit | None = None,
    history: Sequence[DrugExposure] = (),
) -> Finding:
    this = drug_name(order_drug(order) or "")
    partner_ids = list(
        dict.fromkeys(
            [
                *(order_drug(o) or "" for o in drafts),
                *(p.exposure.drug for p in active),
                *([fit.other] if fit else []),
            ]
        )
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
    why = [f"{drug_name(p.exposure.drug)}: {p.state.why}." for p in active]
    summary, situation = _words(this, partner, short_this, short_partner, state, fit)
    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=summary,
        reasoning=(
            "Trastuzumab, ado-trastuzumab emtansine (T-DM1) and fam-trastuzumab deruxtecan "
            "(T-DXd) are different drugs with different doses and toxicities; the labels say "
            "not to substitute one for another.",
            situation,
            *why,
        ),
        citations=_citations([this_family, *partner_families]),
        data_used=(
            *order_evidence([order, *drafts]),
            *exposure_evidence([*(p.exposure for p in active), *history]),
        ),
        suggestions=tuple(suggestions),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{RULE}:{'/'.join(sorted({this_family, *partner_families}))}",
        # a mix-up: the drafts offered for removal are not to be given, so no dose advice for
        # them (a dose that is the other drug's leaves its own dose advice standing)
        withholds=frozenset() if fit else frozenset(drug_ids([order, *drafts])),
    )


def _words(
    this: str, partner: str, short_this: str, short_partner: str, state: str, fit: DoseFit | None
) -> tuple[str, str]:
    """The summary and the paragraph saying what was drafted against what."""
    if fit is not None:
        return (
            f"{capitalized(short_this)} drafted at {fit.drafted}, the {short_partner} dose: "
            "different drugs, do not substitute",
            f"{this} is drafted at {fit.drafted}, which is the {partner} dose ({fit.other_dose}), "
            f"not a {this} dose. If {partner} was intended, remove this order and order "
            f"{partner}; if {this} is intended, correct the dose.",
        )
    return (
        f"{capitalized(short_this)} ordered while {short_partner} is {state}: "
        "different drugs, do not substitute",
        f"{this} is being ordered while {partner} is {state}. If this is a change of line, "
        f"stop the {partner} order; if not, check which product was intended.",
    )


def _switch(
    hook_input: HookInput, order: DraftOrder, open_old: Sequence[Placed], config: CardsConfig
) -> Finding:
    """A new line at (or after) the next cycle while the old one's orders are open: close
    them (pertuzumab's too, when it is open with them and is not drafted again)."""
    drug = order_drug(order) or ""
    families = list(
        dict.fromkeys([family(drug) or "", *(family(p.exposure.drug) or "" for p in open_old)])
    )
    old = " and ".join(drug_name(d) for d in dict.fromkeys(p.exposure.drug for p in open_old))
    new_regimen = [
        order,
        *(o for o in hook_input.drafted.in_class(HER2_DIRECTED) if o is not order),
    ]
    return switch_finding(
        hook_input,
        rule=RULE,
        drafted_ids=drug_ids(new_regimen),  # the new regimen's HER2 drugs, this one first
        drafts=new_regimen,
        open_old=open_old,
        caution=(
            f"If {old} is still meant to be given, {drug_name(drug)} is a different drug with "
            "a different dose: do not substitute one for the other."
        ),
        citations=_citations([f for f in families if f]),
        companion_class=HER2_DIRECTED,
        config=config,
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
    as_of = hook_input.facts.as_of
    for order in hook_input.drafted.selected_in_class(TRASTUZUMAB_CLASS):
        if family(order_drug(order)) is None:
            continue
        drafts, exposures = _partners(hook_input, order)
        placed = place_all(exposures, as_of, config)
        mid_cycle = placed[Standing.MID_CYCLE]
        if drafts or mid_cycle:
            findings.append(_substitution(hook_input, order, drafts, mid_cycle))
            continue
        recent = [e.drug for e in exposures if recently_given(e, as_of, config)]
        fit = fits_other_drug(hook_input, order, recent, config)
        if fit is not None:
            shown = [e for e in exposures if e.drug == fit.other]
            findings.append(_substitution(hook_input, order, (), (), fit, shown))
        elif placed[Standing.DUE_ORDERS_OPEN]:
            findings.append(_switch(hook_input, order, placed[Standing.DUE_ORDERS_OPEN], config))
    for order in hook_input.selected_orders:
        mismatch = _text_mismatch(order)
        if mismatch is not None:
            findings.append(mismatch)
    return findings
