"""What the HER2 cards (C6, C7) share: how they show the HER2 results on file, and their
common shape (warning, citations of ASCO/CAP, override reasons for biomarker cards).

Results are described from their structured fields only; any text the request carried
stays in the escaped data table.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.findings import Finding, Indicator, Suggestion
from cards.knowledge import override_reasons
from cards.phrasing import format_date as date
from cards.safety.suggested_orders import test_suggestion
from cards.safety.triggers import order_evidence
from cards.sources import cite
from fhir_mappings import (
    DraftOrder,
    Evidence,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    Her2TestKind,
    IhcScore,
    PatientFacts,
)

MISMATCH_RULE = "C6"
TDXD_RULE = "C7"
MISMATCH_TOPIC = "HER2 status and HER2-directed therapy"
TDXD_TOPIC = "T-DXd labelled HER2 population"

SUBTYPE_WORDS = {
    Her2NegativeSubtype.LOW: "HER2-low",
    Her2NegativeSubtype.ULTRALOW: "HER2-ultralow",
    Her2NegativeSubtype.ZERO: "HER2 IHC 0",
    Her2NegativeSubtype.UNSPECIFIED: "HER2-negative",
}


# The ASCO/CAP call and the kind of test in a clinician's words (the model's enum values are
# codes, not words).
CALL_WORDS = {
    Her2Call.POSITIVE: "positive",
    Her2Call.NEGATIVE: "negative",
    Her2Call.EQUIVOCAL_PENDING_ISH: "equivocal, ISH needed",
    Her2Call.UNKNOWN: "not determined",
}
KIND_WORDS = {
    Her2TestKind.IHC: "IHC",
    Her2TestKind.ISH_DUAL_PROBE: "dual-probe ISH",
    Her2TestKind.ISH_SINGLE_PROBE: "single-probe ISH",
    Her2TestKind.INTERPRETATION: "HER2 result",
}


def equivocal_words(her2: Her2Assessment) -> str:
    """'HER2 IHC 2+ (equivocal)' when an IHC 2+ is on file; a result coded only as equivocal
    stays what it says ('HER2 equivocal'), never an invented score."""
    if any(r.ihc_score is IhcScore.TWO for r in her2.results):
        return "HER2 IHC 2+ (equivocal)"
    return "HER2 equivocal"


def her2_evidence(her2: Her2Assessment) -> tuple[Evidence, ...]:
    items = list(her2.basis)
    for result in her2.results[:4]:
        items.extend(result.evidence)
    return tuple(dict.fromkeys(items))


def as_of(her2: Her2Assessment) -> str:
    return f" ({date(her2.as_of)})" if her2.as_of else ""


def applies_to(facts: PatientFacts) -> bool:
    """Breast-cancer HER2 rules; a patient on trastuzumab for another cancer only is not
    judged by them (gastric HER2 scoring differs)."""
    return facts.disease.breast_cancer or not facts.disease.other_trastuzumab_cancers


def _result_words(result: Her2Result) -> str:
    """One HER2 result from its structured fields only (request text stays in Evidence)."""
    parts = [f"{KIND_WORDS[result.kind]} {date(result.when)}"]
    if result.ihc_score is not None:
        parts.append(f"IHC {result.ihc_score.value}")
    if result.membrane_staining is not None and result.ihc_score is IhcScore.ZERO:
        parts.append("faint membrane staining" if result.membrane_staining else "no staining")
    if result.ish_ratio is not None:
        parts.append(f"HER2/CEP17 ratio {result.ish_ratio:g}")
    if result.ish_copies_per_cell is not None:
        parts.append(f"{result.ish_copies_per_cell:g} HER2 copies/cell")
    if result.ish_group is not None:
        parts.append(f"ISH group {result.ish_group}")
    parts.append(f"read as {CALL_WORDS[result.call]}")
    return ", ".join(parts)


def reasoning_of(her2: Her2Assessment) -> list[str]:
    lines = [f"HER2 status (ASCO/CAP): {CALL_WORDS[her2.call]}{as_of(her2)}."]
    if her2.results:
        lines.append(
            "Results on file (newest first): "
            + "; ".join(_result_words(r) for r in her2.results[:4])
            + "."
        )
    if her2.discordant:
        lines.append(
            "HER2 results on file disagree over time or between specimens. ASCO/CAP asks to "
            "weigh prior and concurrent results; a re-biopsy of an accessible metastasis may "
            "settle the status."
        )
    return [" ".join(lines)]


def ihc_suggestion(patient_id: str, names: str) -> Suggestion:
    return test_suggestion(
        patient_id, "her2_ihc", label="Order HER2 IHC", reason=f"HER2 status before {names}"
    )


def her2_finding(
    rule: str,
    summary: str,
    reasoning: Sequence[str],
    her2: Her2Assessment,
    orders: Sequence[DraftOrder],
    *,
    missing: Sequence[str] = (),
    suggestions: Sequence[Suggestion] = (),
    evidence: Sequence[Evidence] = (),
    lead_db04: bool = False,
    extra: str,
) -> Finding:
    """`lead_db04`: the HER2-low route after chemotherapy (DESTINY-Breast04) is the one at
    issue, so its source comes before the HR-positive approval (DESTINY-Breast06)."""
    topic = TDXD_TOPIC if rule == TDXD_RULE else MISMATCH_TOPIC
    label_sources = ["tdxd-her2-low-approval", "destiny-breast04"]
    if lead_db04:
        label_sources.reverse()
    citations = (
        tuple(cite(s, rule, topic) for s in label_sources) if rule == TDXD_RULE else ()
    ) + (cite("asco-cap-her2-2018", rule, topic), cite("asco-cap-her2-2023", rule, topic))
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=tuple(reasoning),
        citations=citations,
        data_used=(*her2_evidence(her2), *evidence, *order_evidence(orders)),
        missing_data=tuple(missing),
        suggestions=tuple(suggestions),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("biomarker"),
        safety=True,
        dedup_key=f"{rule}:{extra}",
        extra={"state": extra},
    )
