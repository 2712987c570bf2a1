"""C10: the weight and height behind weight- and BSA-based doses must exist and be current.

Fires for drafted mg/kg drugs (trastuzumab IV, T-DM1, T-DXd, margetuximab) and mg/m² drugs
(taxanes, capecitabine, anthracyclines...) when the weight or height is missing, when the
weight is older than the configured window, or when it changed by the configured percentage
since the last dose of that drug (the dose was computed on another weight). One card per call
lists every problem; it is a warning and a safety finding, because it matters at signing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.detail import format_date
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.regimens.advice import body_gaps
from cards.regimens.body_size import weight_on_or_before
from cards.regimens.catalog import Basis, Drug
from cards.regimens.data_gaps import BODY_SIZE_KEY
from cards.regimens.drug_terms import names
from cards.regimens.loading import dose_moiety, exposures_of, last_dose_date
from cards.regimens.situation import Situation, situation
from cards.regimens.slots import fit
from fhir_mappings import BodyMeasurement, Evidence

RULE = "C10"
TOPIC = "Weight and height for dosing"


@dataclass(frozen=True)
class WeightChange:
    drug: Drug
    before: BodyMeasurement
    latest: BodyMeasurement
    percent: float


def weight_changes(sit: Situation, drugs: list[Drug]) -> tuple[WeightChange, ...]:
    """Drugs whose last dose was computed on a weight that differs from today's by the limit."""
    latest = sit.body.weight
    if latest is None or latest.when is None:
        return ()
    limit = sit.config.threshold("weight_change_percent")
    changes = []
    for drug in drugs:
        dated = [
            d
            for e in exposures_of(dose_moiety(drug), sit.facts, sit.catalog)
            if (d := last_dose_date(e)) is not None
        ]
        if not dated:
            continue
        before = weight_on_or_before(sit.facts.body, max(dated))
        if before is None or before.when == latest.when or before.value <= 0:
            continue
        percent = abs(latest.value - before.value) / before.value * 100
        if percent >= limit:
            changes.append(WeightChange(drug, before, latest, percent))
    return tuple(changes)


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
    changes = weight_changes(sit, drugs)
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
    if sit.hook_input.gap(BODY_SIZE_KEY) is not None and body.weight is None:
        summary = fit(
            f"Weight could not be obtained from the EHR: check the {drug_names} dose by hand",
            "Weight could not be obtained from the EHR: check weight-based doses by hand",
        )
    elif body.weight is None:
        summary = fit(
            f"No weight on file: {drug_names} dose cannot be computed or checked",
            "No weight on file: weight- and BSA-based doses cannot be computed or checked",
        )
    elif gaps.blocks_dose:
        per_m2 = names((d.id for d in drugs if d.basis is Basis.PER_M2), catalog, joiner=", ")
        summary = fit(
            f"No height on file: BSA for {per_m2} cannot be computed",
            "No height on file: BSA-based doses cannot be computed",
        )
    elif gaps.missing:
        summary = fit(
            f"Weight {body.weight.value:g} kg is from {format_date(body.weight.when)}: re-weigh "
            f"before dosing {drug_names}",
            f"Weight is {gaps.short}: re-weigh before weight- or BSA-based dosing",
        )
    else:
        change = changes[0]
        summary = fit(
            f"Weight changed {change.percent:.0f} % since the last {change.drug.short} dose "
            f"({change.before.value:g} → {change.latest.value:g} kg): recalculate",
            f"Weight changed {change.percent:.0f} % since the last dose: recalculate the dose",
        )
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
            citations=catalog.citations(catalog.body_size_sources, rule=RULE, topic=TOPIC),
            data_used=tuple(dict.fromkeys(evidence)),
            missing_data=tuple(problems),
            override_reasons=override_reasons("dose"),
            safety=True,
            dedup_key="C10",
        )
    ]
