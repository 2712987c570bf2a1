"""C10: the weight and height behind weight- and BSA-based doses must exist and be current.

Fires for drafted mg/kg drugs (trastuzumab IV, T-DM1, T-DXd, margetuximab) and mg/m² drugs
(taxanes, capecitabine, anthracyclines...) when the weight or height is missing, when the
weight is older than the configured window, or when it changed by the configured percentage
since the last dose of that drug (the dose was computed on another weight). One card per call
lists every problem; it is a warning and a safety finding, because it matters at signing. A
weight change that left a drafted dose wrong is told on that dose's card instead (with the
recalculated dose to replace it), so the two cards do not say the same thing twice.
"""

from __future__ import annotations

from cards.catalog import Basis, Drug
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.advice import BodyGaps, body_gaps
from cards.regimens.data_gaps import BODY_SIZE_KEY
from cards.regimens.dose_review import Verdict, review_dose
from cards.regimens.drug_terms import names
from cards.regimens.situation import Situation, situation
from cards.regimens.weight_change import WeightChange, weight_changes
from cards.sources import cite_all
from fhir_mappings import Evidence

RULE = "C10"
TOPIC = "Weight and height for dosing"


def _on_dose_card(sit: Situation, drug: Drug) -> bool:
    """The dose check already has a warning for a drafted order of this drug (an information
    card on rounding is not shown at signing, so it does not stand in for this warning)."""
    for drafted in sit.selected:
        if drafted.drug != drug.id:
            continue
        review = review_dose(sit, drafted, drug)
        if review is not None and review.verdict not in (Verdict.OK, Verdict.OUTSIDE_ROUNDING):
            return True
    return False


def _summary(
    sit: Situation,
    drugs: list[Drug],
    gaps: BodyGaps,
    changes: tuple[WeightChange, ...],
    drug_names: str,
) -> str:
    """The first problem: no weight (not obtained, or not on file), no height, an old weight,
    or a weight change since the last dose."""
    body, catalog = sit.body, sit.catalog
    if sit.hook_input.gap(BODY_SIZE_KEY) is not None and body.weight is None:
        return fit(
            f"Weight could not be obtained from the EHR: check the {drug_names} dose by hand",
            "Weight could not be obtained from the EHR: check weight-based doses by hand",
        )
    if body.weight is None:
        return fit(
            f"No weight on file: {drug_names} dose cannot be computed or checked",
            "No weight on file: weight- and BSA-based doses cannot be computed or checked",
        )
    if gaps.blocks_dose:
        per_m2 = names((d.id for d in drugs if d.basis is Basis.PER_M2), catalog, joiner=", ")
        return fit(
            f"No height on file: BSA for {per_m2} cannot be computed",
            "No height on file: BSA-based doses cannot be computed",
        )
    if gaps.missing:
        return fit(
            f"Weight {body.weight.value:g} kg is from {format_date(body.weight.when)}: re-weigh "
            f"before dosing {drug_names}",
            f"Weight is {gaps.short}: re-weigh before weight- or BSA-based dosing",
        )
    change = changes[0]
    return fit(
        f"Weight changed {change.percent:.0f} % since the last {change.drug.short} dose "
        f"({change.before.value:g} → {change.latest.value:g} kg): recalculate",
        f"Weight changed {change.percent:.0f} % since the last dose: recalculate the dose",
    )


def weight_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.breast_cancer:
        return []
    catalog = sit.catalog
    drugs = list(
        {
            drug.id: drug
            for drafted in sit.selected
            for drug in [catalog.drug(drafted.drug)]
            if drug is not None and drug.basis is not Basis.FIXED
        }.values()
    )
    if not drugs:
        return []
    gaps = body_gaps(sit, drugs)
    changes = tuple(c for c in weight_changes(sit, drugs) if not _on_dose_card(sit, c.drug))
    if not gaps.missing and not changes:
        return []
    drug_names = names((d.id for d in drugs), catalog, joiner=", ")
    body = sit.body
    problems = list(gaps.missing)
    for change in changes:
        problems.append(
            f"Weight changed {change.percent:.0f} % since the last {change.drug.short} dose: "
            f"{change.before.value:g} kg ({format_date(change.before.when)}) → "
            f"{change.latest.value:g} kg ({format_date(change.latest.when)}); recalculate the dose"
        )
    summary = _summary(sit, drugs, gaps, changes, drug_names)
    evidence: list[Evidence] = list(body.evidence_for_all())
    evidence.extend(c.before.evidence for c in changes)
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=summary,
            reasoning=(
                f"Drafted weight- or BSA-based drugs: {drug_names}. Their doses are computed "
                "from the actual body weight (mg/kg) or from a Mosteller BSA of the latest "
                "height and weight (mg/m²), so both must be on file and current.",
                f"Weight is current for {config.threshold('weight_max_age_days'):g} days; a "
                f"change of {config.threshold('weight_change_percent'):g} % or more since the "
                "last dose calls for a recalculation (institutional settings).",
            ),
            citations=cite_all(catalog.body_size_sources, rule=RULE, topic=TOPIC),
            data_used=tuple(dict.fromkeys(evidence)),
            missing_data=tuple(problems),
            override_reasons=override_reasons("dose"),
            safety=True,
            dedup_key="C10",
            # weigh-before-dosing is moot when a critical card withholds every drug it names
            doses_for=frozenset(d.id for d in drugs),
        )
    ]
