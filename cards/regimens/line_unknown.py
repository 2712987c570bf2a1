"""C12 when the line cannot be decided: say what is missing and what each answer would mean.

A HER2-positive metastatic patient with adjuvant trastuzumab-based therapy but no end date, or
an adjuvant order still open long before the recurrence, no date of the metastatic diagnosis, or
HER2 therapy that cannot be placed before or after it: the first-line
(THP) and second-line (T-DXd) recommendations differ, and a guess would pick one silently.
The card is a warning (missing data) without order suggestions.
"""

from __future__ import annotations

from cards.findings import Finding, Indicator
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit
from cards.regimens.advice import first_line_advice, second_line_advice
from cards.regimens.lines import LineAssessment, LineKind, assess_line
from cards.regimens.situation import CHEMOTHERAPY, HER2_DIRECTED, TAXANE, Situation, situation
from cards.sources import cite_all

RULE = "C12-line-undetermined"
TOPIC = "Line of therapy undetermined, HER2+ metastatic breast cancer"
TRIGGERS = frozenset({HER2_DIRECTED, CHEMOTHERAPY, TAXANE})


def undetermined_finding(sit: Situation, line: LineAssessment) -> Finding:
    catalog = sit.catalog
    because = line.unclear_because or "dates of earlier therapy not on file"
    months = f"{sit.config.threshold('adjuvant_relapse_second_line_months'):g}"
    summary = fit(
        f"Line of therapy unclear: {because}; the regimen advice depends on it",
        f"Line of therapy unclear: {because}",
        "Line of therapy unclear: the regimen advice depends on missing data",
    )
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=(
            "HER2-positive metastatic breast cancer. " + " ".join(line.reasons),
            f"The line decides the regimen: recurrence more than {months} months after "
            "adjuvant trastuzumab-based therapy (or no HER2 therapy for metastatic disease) "
            f"follows the first-line recommendations; recurrence within {months} months, or "
            "progression after a first line, follows the second-line recommendations (ASCO "
            "2022 rec. 5.0/5.1). Add the missing dates to the record to get a recommendation "
            "for this patient.",
            "**If first line:** " + first_line_advice(sit)[0],
            "**If second line:** " + second_line_advice(sit)[0],
        ),
        citations=cite_all(catalog.first_line.sources, rule=RULE, topic=TOPIC),
        data_used=sit.receptor_evidence() + line.evidence + sit.body.evidence_for_all(),
        missing_data=line.missing,
        override_reasons=override_reasons("regimen"),
        safety=False,
        dedup_key="regimen-line",
    )


def line_unknown_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    """On order-select, when a drug whose choice depends on the line is drafted; on
    patient-view, in place of the line summary (C12-summary), which then says nothing."""
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc:
        return []
    if hook_input.hook is not Hook.PATIENT_VIEW and not sit.selected_with(TRIGGERS):
        return []
    line = assess_line(sit)
    if line.kind is not LineKind.UNDETERMINED:
        return []
    return [undetermined_finding(sit, line)]
