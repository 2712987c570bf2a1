"""C12 on patient-view: the same regimen advice as order-select, as one summary card.

For a HER2-positive metastatic patient the card names the line of therapy and what the
guideline recommends now, with this patient's doses: THP for a first line, T-DXd for a second
line, the option list from the third line, and how to continue an ongoing line. It carries no
order suggestions (there is no order being written). When the line cannot be decided the
undetermined-line warning is shown instead.
"""

from __future__ import annotations

from datetime import datetime

from cards.detail import format_date
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.regimens.advice import (
    body_gaps,
    first_line_advice,
    hr_missing,
    hr_positive_advice,
    later_line_advice,
    later_options,
    regimen_drugs,
    second_line_advice,
)
from cards.regimens.doses import Phase, compute_dose
from cards.regimens.drug_terms import names
from cards.regimens.endocrine import endocrine_in_line, finished_chemotherapy
from cards.regimens.line_unknown import undetermined_finding
from cards.regimens.lines import LineAssessment, LineKind, assess_line
from cards.regimens.maintenance import (
    PROGRESSION_CAVEAT,
    Lapse,
    held_for_safety,
    her2_names,
    lapse_paragraph,
    lapsed_maintenance,
    line_stopped_since,
)
from cards.regimens.situation import Situation, situation
from cards.regimens.slots import fit
from cards.suggestions import format_mg
from fhir_mappings import TherapyLine

RULE = "C12-summary"
TOPIC = "Regimen guidance, HER2+ metastatic breast cancer"
T_DXD = "fam-trastuzumab-deruxtecan"


def _mg(sit: Situation, drug_id: str, schedule_id: str, phase: Phase) -> str:
    drug = sit.catalog.drugs[drug_id]
    dose = compute_dose(drug, drug.schedule(schedule_id), phase, sit.body)
    return format_mg(dose.mg) if dose.mg is not None else "?"


def _first_line_summary(sit: Situation) -> str:
    h_load = _mg(sit, "trastuzumab", "q3w", Phase.LOADING)
    h_main = _mg(sit, "trastuzumab", "q3w", Phase.MAINTENANCE)
    doce = _mg(sit, "docetaxel", "q3w", Phase.MAINTENANCE)
    if "?" in (h_load, doce):
        return "HER2+ MBC, first line: THP (trastuzumab + pertuzumab + taxane) is recommended"
    return fit(
        f"HER2+ MBC, first line: THP — trastuzumab {h_load}/{h_main} mg, pertuzumab 840/420 mg, "
        f"docetaxel {doce} mg q3w",
        "HER2+ MBC, first line: THP (trastuzumab + pertuzumab + taxane) is recommended",
    )


def _second_line_summary(sit: Situation) -> str:
    tdxd = _mg(sit, T_DXD, "q3w", Phase.MAINTENANCE)
    tdm1 = _mg(sit, "ado-trastuzumab-emtansine", "q3w", Phase.MAINTENANCE)
    if tdxd == "?":
        return "HER2+ MBC, second line: T-DXd 5.4 mg/kg every 3 weeks is preferred"
    return fit(
        f"HER2+ MBC, second line: T-DXd {tdxd} mg (5.4 mg/kg) q3w preferred; T-DM1 {tdm1} mg "
        "if unavailable",
        f"HER2+ MBC, second line: T-DXd {tdxd} mg (5.4 mg/kg) every 3 weeks is preferred",
    )


def _later_summary(sit: Situation, line: LineAssessment) -> str:
    brain = sit.facts.disease.brain_metastases
    extra = " (brain metastases: tucatinib-based first)" if brain else ""
    return fit(
        f"HER2+ MBC, {line.name}: HER2-targeted options, none preferred{extra}",
        f"HER2+ MBC, {line.name}: HER2-targeted options, none preferred",
    )


def _lapsed(sit: Situation, lapse: Lapse) -> tuple[str, tuple[str, ...]]:
    """The line's HER2 therapy stopped with its chemotherapy: "resume", not "continue"."""
    her2 = her2_names(sit, lapse)
    when = format_date(lapse.last_dose)
    reason = held_for_safety(sit)
    if reason is not None:
        summary = fit(
            f"HER2+ MBC: {her2} not given since {when}; {reason}",
            f"HER2+ MBC: HER2 therapy not given since {when}; {reason}",
            f"HER2+ MBC: HER2 therapy not given since {when}",
        )
        paragraphs = [
            lapse_paragraph(sit, lapse),
            f"HER2 therapy may have been stopped on purpose: {reason}. ASCO 2022 judges HER2 "
            "therapy case by case with heart failure or a significantly reduced LVEF.",
        ]
    else:
        summary = fit(
            f"HER2+ MBC: {her2} stopped with the chemotherapy ({when}); resume unless the "
            "disease progressed",
            f"HER2+ MBC: HER2 therapy stopped with the chemotherapy ({when}); resume it",
        )
        paragraphs = [lapse_paragraph(sit, lapse), PROGRESSION_CAVEAT]
    if not endocrine_in_line(sit, lapse.last_dose):
        paragraphs.extend(hr_positive_advice(sit, after_chemotherapy=True))
    paragraphs.append("**At progression:**")
    return summary, tuple(paragraphs)


def _stopped(
    sit: Situation, line: LineAssessment, ongoing: TherapyLine, last: datetime
) -> tuple[str, tuple[str, ...]]:
    """The line's HER2 drugs are no longer given (no chemotherapy stop to blame): say so, and
    do not call it ongoing."""
    current = names(ongoing.drugs, sit.catalog)
    when = format_date(last)
    summary = fit(
        f"HER2+ MBC: {line.name} {current} not given since {when}; no active order",
        f"HER2+ MBC: {line.name} HER2 therapy not given since {when}",
    )
    paragraphs = [
        f"The HER2 therapy of the {line.name} ({current}) was last given {when} and no order "
        "is active. If it was paused, HER2-targeted therapy continues until progression or "
        "unacceptable toxicity (ASCO 2022 rec. 4.0). " + PROGRESSION_CAVEAT,
        "**At progression:**",
    ]
    return summary, tuple(paragraphs)


def _ongoing(
    sit: Situation, line: LineAssessment, ongoing: TherapyLine
) -> tuple[str, tuple[str, ...]]:
    current = names(ongoing.drugs, sit.catalog)
    since = format_date(ongoing.start)
    summary = fit(
        f"HER2+ MBC on {line.name} {current} since {since}: continue HER2 therapy until "
        "progression",
        f"HER2+ MBC on {line.name} therapy since {since}: continue until progression",
    )
    paragraphs = [
        "Continue HER2-targeted therapy until progression or unacceptable toxicity; when "
        "chemotherapy stops, HER2 therapy continues (ASCO 2022 rec. 4.0).",
    ]
    endocrine_given = endocrine_in_line(sit, ongoing.start)
    if finished_chemotherapy(sit, ongoing.start) and not endocrine_given:
        paragraphs.extend(hr_positive_advice(sit, after_chemotherapy=True))
    paragraphs.append("**At progression:**")
    return summary, tuple(paragraphs)


def summary_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc:
        return []
    line = assess_line(sit)
    if line.kind is LineKind.UNDETERMINED:
        return [undetermined_finding(sit, line)]
    catalog = sit.catalog
    next_kind = line.kind
    prefix: tuple[str, ...] = ()
    lapse = lapsed_maintenance(sit, line) if line.continuing else None
    if lapse is not None:
        summary, prefix = _lapsed(sit, lapse)
        next_kind = LineKind.SECOND if line.kind is LineKind.FIRST else LineKind.LATER
    elif line.ongoing is not None and line.continuing:
        stopped = line_stopped_since(sit, line)
        if stopped is not None:
            summary, prefix = _stopped(sit, line, line.ongoing, stopped)
        else:
            summary, prefix = _ongoing(sit, line, line.ongoing)
        next_kind = LineKind.SECOND if line.kind is LineKind.FIRST else LineKind.LATER
    elif line.kind is LineKind.FIRST:
        summary = _first_line_summary(sit)
    elif line.kind is LineKind.SECOND and T_DXD not in sit.received:
        summary = _second_line_summary(sit)
    else:
        summary = _later_summary(sit, line)
    if next_kind is LineKind.SECOND and T_DXD in sit.received:
        next_kind = LineKind.LATER
    if next_kind is LineKind.FIRST:
        advice, sources = first_line_advice(sit), catalog.first_line.sources
        drugs = regimen_drugs(sit, catalog.regimen(catalog.first_line.recommended))
    elif next_kind is LineKind.SECOND:
        advice, sources = second_line_advice(sit), catalog.second_line.sources
        drugs = regimen_drugs(sit, catalog.regimen(catalog.second_line.preferred))
    else:
        advice, sources = later_line_advice(sit, line), catalog.later_lines.sources
        drugs = tuple(
            drug
            for option in later_options(sit, line)
            for drug in regimen_drugs(sit, catalog.regimen(option.regimen))
        )
    gaps = body_gaps(sit, drugs)
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING
            if gaps.missing or (lapse is not None and held_for_safety(sit) is None)
            else Indicator.INFO,
            summary=summary,
            reasoning=(
                f"HER2-positive metastatic breast cancer, {line.name}. " + " ".join(line.reasons),
                *prefix,
                *advice,
            ),
            citations=catalog.citations(
                (*(catalog.first_line.maintenance.sources if lapse else ()), *sources),
                rule=RULE,
                topic=TOPIC,
            ),
            data_used=sit.receptor_evidence() + line.evidence + sit.body.evidence_for_all(),
            missing_data=gaps.missing
            + (hr_missing(sit) if next_kind is LineKind.FIRST else ())
            + line.missing,
            override_reasons=override_reasons("regimen"),
            safety=False,
            dedup_key="regimen-summary",
        )
    ]
