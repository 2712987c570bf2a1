"""C12, HER2-low and HER2-ultralow metastatic disease: T-DXd within its label population.

This is a HER2-negative pathway: no trastuzumab/pertuzumab regimen is ever suggested here.
T-DXd 5.4 mg/kg every 3 weeks is label-approved for HER2-low disease after prior
chemotherapy for metastatic disease (or recurrence within 6 months of adjuvant chemotherapy,
DESTINY-Breast04) and for HR+ HER2-low or HER2-ultralow disease that has progressed on at least one
endocrine therapy for metastatic disease (DESTINY-Breast06; an endocrine therapy still current
has not yet failed, so it does not count here). The card appears only when the record shows
the patient is in one of those populations and has not had T-DXd; on order-select it appears
when other systemic therapy is being drafted, with T-DXd as a replacement suggestion.
HER2-0, HER2-negative of unknown subtype and HR-negative ultralow get no card.
"""

from __future__ import annotations

from datetime import timedelta

from cards.catalog import Her2LowPopulation
from cards.current import state
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.advice import body_gaps
from cards.regimens.doses import ComputedDose, Phase, compute_dose, per_basis_text, schedule_text
from cards.regimens.drug_terms import names
from cards.regimens.orders import replace_suggestion
from cards.regimens.situation import (
    CDK46,
    CHEMOTHERAPY,
    ENDOCRINE,
    HER2_DIRECTED,
    TAXANE,
    Situation,
    situation,
)
from cards.sources import cite_all
from fhir_mappings import DAYS_PER_MONTH, DrugExposure, Her2Call, TherapySetting

RULE = "C12-her2-low"
TOPIC = "T-DXd in HER2-low / HER2-ultralow metastatic breast cancer"
T_DXD = "fam-trastuzumab-deruxtecan"
TRIGGERS = frozenset({CHEMOTHERAPY, TAXANE, ENDOCRINE, CDK46})
SUBTYPE_TEXT = {
    "her2-low": "IHC 1+, or IHC 2+ with negative ISH",
    "her2-ultralow": "IHC 0 with faint, incomplete membrane staining in ≤10 % of cells",
}


def _relapsed_soon_after_adjuvant_chemo(sit: Situation) -> tuple[DrugExposure, ...]:
    since = sit.facts.disease.metastatic_since
    if since is None:
        return ()
    months = sit.catalog.her2_low.adjuvant_chemotherapy_relapse_months
    window = timedelta(days=months * DAYS_PER_MONTH)
    found = []
    for e in sit.facts.therapy.exposures:
        ended = e.last_dose or e.end
        if (
            e.setting is TherapySetting.EARLY
            and e.classes & {CHEMOTHERAPY, TAXANE}
            and ended is not None
            and timedelta(0) <= since - ended <= window
        ):
            found.append(e)
    return tuple(found)


def _qualifying(sit: Situation, population: Her2LowPopulation) -> tuple[DrugExposure, ...]:
    """The exposures that place the patient in the population; empty when none do."""
    exposures = sit.facts.therapy.exposures
    if population.requires == "prior-metastatic-endocrine":
        # the label population has progressed on endocrine therapy: one still current (a
        # first-line aromatase inhibitor the patient is responding to) does not place her there
        return tuple(
            e
            for e in exposures
            if ENDOCRINE in e.classes
            and e.setting is TherapySetting.METASTATIC
            and not state(e, sit.facts.as_of, sit.config).current
        )
    metastatic_chemo = tuple(
        e
        for e in exposures
        if e.classes & {CHEMOTHERAPY, TAXANE} and e.setting is TherapySetting.METASTATIC
    )
    return metastatic_chemo or _relapsed_soon_after_adjuvant_chemo(sit)


def _concerned(sit: Situation) -> bool:
    """HER2-negative (low or ultralow) MBC, no T-DXd given or drafted, and on order-select a
    drafted therapy T-DXd could replace."""
    facts = sit.facts
    her2 = facts.her2
    if not (facts.disease.breast_cancer and facts.disease.metastatic):
        return False
    if her2.call is not Her2Call.NEGATIVE or her2.negative_subtype is None:
        return False
    if T_DXD in sit.received or T_DXD in sit.drafted_ids():
        return False
    if sit.hook is Hook.ORDER_SELECT and not sit.selected_with(TRIGGERS):
        return False
    # HER2-directed drafts in HER2-negative disease: the biomarker rule's card
    return not sit.drafted_ids(HER2_DIRECTED)


def _matched(
    sit: Situation, subtype: str
) -> list[tuple[Her2LowPopulation, tuple[DrugExposure, ...]]]:
    """The label populations of this subtype the patient is in, with the therapy that puts
    her there."""
    return [
        (population, qualifying)
        for population in sit.catalog.her2_low.populations
        if subtype in population.subtypes
        and (not population.hr_positive_only or sit.hr_positive is True)
        for qualifying in [_qualifying(sit, population)]
        if qualifying
    ]


def _suggestions(sit: Situation, dose: ComputedDose) -> tuple[Suggestion, ...]:
    """On order-select, T-DXd in place of the drafted therapy."""
    if sit.hook is not Hook.ORDER_SELECT:
        return ()
    # offered, not recommended: the drafted therapy (fulvestrant + a CDK4/6 inhibitor after
    # one endocrine line, say) is often another legitimate option
    replaced = sit.selected_with(TRIGGERS)
    replacement = replace_suggestion(sit, replaced, [dose])
    return (replacement,) if replacement is not None else ()


def her2_low_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    facts = sit.facts
    her2 = facts.her2
    if not _concerned(sit) or her2.negative_subtype is None:
        return []
    subtype = her2.negative_subtype.value
    matched = _matched(sit, subtype)
    if not matched:
        return []
    catalog = sit.catalog
    tdxd = catalog.drugs[T_DXD]
    schedule = tdxd.schedules[0]
    dose = compute_dose(tdxd, schedule, Phase.MAINTENANCE, sit.body)
    gaps = body_gaps(sit, [tdxd])
    label = "HER2-low" if subtype == "her2-low" else "HER2-ultralow"
    tail = f"; {gaps.short}" if gaps.short else ""
    summary = fit(
        f"{label} MBC: T-DXd {dose.amount} every 3 weeks is a label option{tail}",
        f"{label} MBC: T-DXd {per_basis_text(dose.per_basis, tdxd.basis)} "
        f"{schedule_text(schedule)} is a label option{tail}",
    )
    populations = " ".join(
        f"{p.text}: on file, {names((e.drug for e in q), catalog)} "
        f"({', '.join(format_date(e.start) for e in q[:3])})."
        for p, q in matched
    )
    suggestions = _suggestions(sit, dose)
    calculation = f" ({dose.calculation}; {sit.body.describe(tdxd.basis)})" if dose.mg else ""
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING if gaps.missing else Indicator.INFO,
            summary=summary,
            reasoning=(
                f"{label} metastatic breast cancer ({SUBTYPE_TEXT[subtype]}): a HER2-negative "
                "pathway.",
                f"T-DXd {dose.amount} {schedule_text(schedule)}{calculation} is label-approved "
                f"for {populations}",
                "HER2-positive regimens (trastuzumab, pertuzumab, T-DM1, tucatinib) do not "
                "apply to HER2-low or HER2-ultralow disease. T-DXd carries a boxed warning for "
                "interstitial lung disease.",
            ),
            citations=cite_all(catalog.her2_low.sources, rule=RULE, topic=TOPIC),
            data_used=sit.receptor_evidence()
            + tuple(ev for _, q in matched for e in q for ev in e.evidence[:1])
            + sit.body.evidence_for(tdxd.basis),
            missing_data=gaps.missing,
            suggestions=suggestions,
            selection_behavior="at-most-one",
            override_reasons=override_reasons("regimen"),
            safety=False,
            dedup_key="regimen-her2-low",
        )
    ]
