"""C12, second line: T-DXd 5.4 mg/kg every 3 weeks is preferred (ASCO 2022 rec. 2.1).

Second line means progression after a first HER2-directed line for metastatic disease, or a
recurrence within 12 months of adjuvant trastuzumab. When a new second line is drafted without
T-DXd and T-DXd has never been given, an info card says T-DXd is preferred (T-DM1 when it is
unavailable) and offers to replace the draft with T-DXd at this patient's dose. Once T-DXd
has been given, the later-line options apply instead (`later_lines`). A patient already on
T-DM1 is not told again at every cycle: the choice was made when the line started.
"""

from __future__ import annotations

from cards.findings import Finding
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig
from cards.phrasing import fit
from cards.regimens.advice import body_gaps, second_line_advice
from cards.regimens.doses import Phase, compute_dose
from cards.regimens.drug_terms import names
from cards.regimens.label_caveats import beyond_label_window
from cards.regimens.line_finding import line_finding
from cards.regimens.lines import LineAssessment, LineKind, assess_line
from cards.regimens.orders import replace_suggestion, single_recommended
from cards.regimens.situation import CHEMOTHERAPY, HER2_DIRECTED, TAXANE, Situation, situation

RULE = "C12-second-line"
TOPIC = "Second-line regimen, HER2+ metastatic breast cancer"
T_DXD = "fam-trastuzumab-deruxtecan"
T_DM1 = "ado-trastuzumab-emtansine"
TUCATINIB = "tucatinib"
TRIGGERS = frozenset({HER2_DIRECTED, CHEMOTHERAPY, TAXANE})


def second_line_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc or not sit.selected_with(TRIGGERS):
        return []
    line = assess_line(sit)
    if line.kind is not LineKind.SECOND or line.continuing:
        return []
    if T_DXD in sit.received or T_DXD in sit.drafted_ids():
        return []
    her2 = sit.drafted_ids(HER2_DIRECTED)
    if not her2 and not sit.drafted_ids(CHEMOTHERAPY, TAXANE):
        return []
    if TUCATINIB in her2 and sit.facts.disease.brain_metastases:
        return []  # ASCO brain-metastases rec. 8.2: HER2CLIMB may be offered instead
    catalog = sit.catalog
    tdxd = catalog.drugs[T_DXD]
    dose = compute_dose(tdxd, tdxd.schedules[0], Phase.MAINTENANCE, sit.body)
    gaps = body_gaps(sit, [tdxd])
    tail = f"; {gaps.short}" if gaps.short else ""
    drafted = names(her2 or sit.drafted_ids(CHEMOTHERAPY, TAXANE), catalog)
    summary = _summary(sit, line, her2, drafted, amount=dose.amount, tail=tail)
    replaced = tuple(d for d in sit.drafts if d.classes & TRIGGERS)
    suggestions = single_recommended([replace_suggestion(sit, replaced, [dose])])
    return [
        line_finding(
            sit,
            line,
            rule=RULE,
            topic=TOPIC,
            sources=catalog.second_line.sources,
            summary=summary,
            reasoning=(f"The draft orders have {drafted}; T-DXd has not been given before.",),
            advice=second_line_advice(sit),
            gaps=gaps,
            suggestions=suggestions,
        )
    ]


def _summary(
    sit: Situation,
    line: LineAssessment,
    her2: frozenset[str],
    drafted: str,
    *,
    amount: str,
    tail: str,
) -> str:
    """What the card leads with: T-DXd over T-DM1, the 12-month relapse (with the label's
    6-month window when the recurrence came later), or T-DXd over the drafted regimen."""
    if T_DM1 in her2:
        return fit(
            f"T-DXd {amount} every 3 weeks is preferred over T-DM1 second line{tail}",
            f"Second line: T-DXd is preferred over T-DM1 (ASCO 2022){tail}",
        )
    if (
        line.early_relapse
        and line.prior_metastatic_lines == 0
        and (window := beyond_label_window(sit))
    ):
        after, label = window
        return fit(
            f"Relapse {after} after adjuvant trastuzumab-based therapy: ASCO prefers T-DXd "
            f"{amount} q3w; {label}{tail}",
            f"Relapse {after} after adjuvant trastuzumab: ASCO prefers second-line T-DXd; "
            f"{label}{tail}",
        )
    if line.early_relapse and line.prior_metastatic_lines == 0:
        months = f"{sit.config.threshold('adjuvant_relapse_second_line_months'):g}"
        return fit(
            f"Relapse ≤{months} months after adjuvant trastuzumab-based therapy: second-line "
            f"T-DXd {amount} q3w is preferred{tail}",
            f"Relapse ≤{months} months after adjuvant trastuzumab-based therapy: second-line "
            f"T-DXd preferred{tail}",
        )
    return fit(
        f"Second-line HER2+ MBC: T-DXd {amount} every 3 weeks is preferred over {drafted}{tail}",
        f"Second-line HER2+ MBC: T-DXd {amount} every 3 weeks is preferred{tail}",
    )
