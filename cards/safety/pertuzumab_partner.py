"""Pertuzumab drafted with no HER2 partner: the Perjeta label stops it when trastuzumab stops.

Pertuzumab is given only with trastuzumab (THP, TCHP, pertuzumab + trastuzumab + other
chemotherapy) or, since the DESTINY-Breast09 approval, with T-DXd; the label says to
discontinue pertuzumab if trastuzumab is discontinued (docs/clinical-knowledge.md §2.1 [L2]). Which
drugs partner pertuzumab is read from the regimen table (every HER2-directed drug that fills
another slot of a regimen with a pertuzumab slot, and every product delivering trastuzumab),
not written here. A pertuzumab order selected or signed while no partner is current (the
mapping's one definition, `cards.current`) or drafted gets a warning with a suggestion to
add trastuzumab at the dose due now (loading after a first dose or a long pause).

In early breast cancer the card takes the regimen-line slot (it replaces the early-stage
regimen card saying the same, as the more severe); in metastatic disease it stands beside
the line advice.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from cards.catalog import SlotOption, catalog
from cards.current import state
from cards.drafts import order_drug
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names
from cards.regimens.advice import body_gaps
from cards.regimens.orders import add_suggestion, plan_option, single_recommended
from cards.regimens.situation import situation
from cards.safety.drugs import HER2_DIRECTED, PERTUZUMAB, TRASTUZUMAB, drug_name
from cards.safety.triggers import drug_ids, exposure_evidence, order_evidence
from cards.sources import cite
from fhir_mappings import drug_info

RULE = "pertuzumab-without-trastuzumab"
TOPIC = "Pertuzumab is given with trastuzumab"


@cache
def partners() -> frozenset[str]:
    """The drugs pertuzumab is given with, from the regimen table."""
    table = catalog()
    found: set[str] = {d for d in table.drugs if TRASTUZUMAB in table.provides(d)}
    for regimen in table.regimens.values():
        if not any(PERTUZUMAB in slot.filled_by for slot in regimen.slots):
            continue
        for slot in regimen.slots:
            if PERTUZUMAB not in slot.filled_by:
                found |= {d for d in slot.filled_by if table.provides(d) - {PERTUZUMAB}}
    return frozenset(d for d in found if d != PERTUZUMAB and _her2(d))


def _her2(drug_id: str) -> bool:
    try:
        return HER2_DIRECTED in drug_info(drug_id).classes
    except KeyError:
        return False


def _trastuzumab_option() -> SlotOption:
    """The trastuzumab slot option of the first-line regimen (IV trastuzumab every 3 weeks)."""
    table = catalog()
    regimen = table.regimen(table.first_line.recommended)
    slot = next(s for s in regimen.slots if TRASTUZUMAB in s.filled_by)
    return slot.suggest[0]


def pertuzumab_partner_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    selected = [o for o in hook_input.selected_orders if order_drug(o) == PERTUZUMAB]
    if not selected:
        return ()
    with_it = partners()
    if set(drug_ids(hook_input.orders)) & with_it:
        return ()
    facts = hook_input.facts
    exposures = [e for e in facts.therapy.exposures if e.drug in with_it]
    states = [(e, state(e, facts.as_of, config)) for e in exposures]
    if any(s.current for _, s in states):
        return ()
    sit = situation(hook_input, config)
    plan = plan_option(sit, _trastuzumab_option())
    gaps = body_gaps(sit, [plan.dose.drug])
    history = [f"{capitalized(drug_name(e.drug))}: {s.why}." for e, s in states]
    reasoning = [
        "Pertuzumab is drafted, but no trastuzumab (or T-DXd) is drafted or being given. The "
        "Perjeta label gives pertuzumab with trastuzumab and says to discontinue pertuzumab "
        "when trastuzumab is discontinued.",
        *(history or ["No trastuzumab is on file."]),
        f"If HER2 therapy continues, add trastuzumab: {plan.dose.phrase} for this patient. "
        + plan.due.reason,
        "If trastuzumab was stopped on purpose (toxicity, progression), stop pertuzumab too.",
    ]
    return (
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=fit_names(
                lambda short: (
                    f"Add {plan.dose.phrase} to pertuzumab: pertuzumab is given with trastuzumab"
                    if short == 0
                    else "Add trastuzumab to pertuzumab: pertuzumab is given with trastuzumab"
                )
            ),
            reasoning=tuple(reasoning),
            citations=(cite("perjeta-label", RULE, TOPIC),),
            data_used=(
                *order_evidence(selected),
                *exposure_evidence(e for e, _ in states),
                *sit.body.evidence_for(plan.dose.drug.basis),
            ),
            missing_data=gaps.missing,
            suggestions=single_recommended([add_suggestion(sit, [plan.dose])]),
            selection_behavior="at-most-one",
            override_reasons=override_reasons("regimen"),
            safety=True,
            dedup_key="regimen-line" if not facts.disease.metastatic else RULE,
            # advice on giving pertuzumab: dropped when a critical card says not to give it now
            doses_for=frozenset({PERTUZUMAB}),
        ),
    )
