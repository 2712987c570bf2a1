"""C12, early-stage (neoadjuvant/adjuvant) HER2-positive disease: no metastatic-line advice.

The standard early regimens (THP, TCHP, TCH, AC then THP, APT, T-DM1 for residual disease,
extended adjuvant neratinib) are all legitimate, so they get no regimen card; their doses are
still checked (`dose_check`) and the cardiac and biomarker rules still run. The one regimen
error caught here is pertuzumab without trastuzumab: the label gives pertuzumab only with
trastuzumab (and stops it when trastuzumab stops).
"""

from __future__ import annotations

from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit
from cards.regimens.advice import body_basis, body_gaps
from cards.regimens.orders import add_suggestion, plan_option, single_recommended
from cards.regimens.situation import situation
from cards.sources import cite_all
from fhir_mappings import Her2Call

RULE = "C12-early-stage"
TOPIC = "Pertuzumab with trastuzumab, HER2+ early breast cancer"
PERTUZUMAB = "pertuzumab"
TRASTUZUMAB_GROUP = "trastuzumab"


def early_stage_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    facts = sit.facts
    if not facts.disease.breast_cancer or facts.disease.metastatic:
        return []
    if facts.her2.call is not Her2Call.POSITIVE:
        return []
    if not any(d.drug == PERTUZUMAB for d in sit.selected):
        return []
    catalog = sit.catalog
    regimen = catalog.regimen(catalog.early_stage.pertuzumab_regimen)
    trastuzumab_slot = next(s for s in regimen.slots if s.group == TRASTUZUMAB_GROUP)
    if trastuzumab_slot.filled_by & sit.present_ids():
        return []
    plan = plan_option(sit, trastuzumab_slot.suggest[0])
    gaps = body_gaps(sit, [plan.dose.drug])
    tail = f"; {gaps.short}" if gaps.short else ""
    summary = fit(
        f"Add {plan.dose.phrase} to pertuzumab: pertuzumab is given with trastuzumab{tail}",
        f"Add trastuzumab to pertuzumab: pertuzumab is given with trastuzumab{tail}",
    )
    reasoning = [
        "HER2-positive early breast cancer (no metastatic disease on file). Pertuzumab is "
        "drafted without trastuzumab; the Perjeta label gives pertuzumab with trastuzumab "
        "and chemotherapy (neoadjuvant 3-6 cycles, total 1 year of HER2 therapy) and stops "
        "pertuzumab when trastuzumab is stopped.",
        f"Trastuzumab for this patient: {plan.dose.phrase}, then maintenance every 3 weeks.",
    ]
    basis = body_basis(sit, [plan.dose.drug])
    if basis:
        reasoning.append(basis)
    if plan.due.last_dose is not None:
        reasoning.append(plan.due.reason)
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING if gaps.missing else Indicator.INFO,
            summary=summary,
            reasoning=tuple(reasoning),
            citations=cite_all(
                (*catalog.early_stage.sources, *regimen.sources), rule=RULE, topic=TOPIC
            ),
            data_used=sit.receptor_evidence() + sit.body.evidence_for(plan.dose.drug.basis),
            missing_data=gaps.missing,
            suggestions=single_recommended([add_suggestion(sit, [plan.dose])]),
            selection_behavior="at-most-one",
            override_reasons=override_reasons("regimen"),
            safety=False,
            dedup_key="regimen-line",
        )
    ]
