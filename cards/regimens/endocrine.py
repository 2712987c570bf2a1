"""C12, hormone-receptor-positive disease: add endocrine therapy when chemotherapy ends.

ASCO 2022 rec. 7.0: in HR+ HER2+ metastatic disease treated with HER2-targeted therapy and
chemotherapy, endocrine therapy may be added when chemotherapy stops, while HER2 therapy
continues. The card fires when HER2 maintenance is drafted in an ongoing line whose
chemotherapy has ended and no endocrine therapy is drafted, active or given in this line. It
does not suggest a specific drug: the choice (aromatase inhibitor, tamoxifen, fulvestrant)
depends on menopausal status, which the record rarely states.

The other HR+ options (endocrine therapy with HER2 therapy in selected patients, endocrine
therapy alone only in special cases) appear on the first-line card and the summary.
"""

from __future__ import annotations

from datetime import datetime

from cards.current import state
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.advice import hr_positive_advice
from cards.regimens.drug_terms import names
from cards.regimens.label_caveats import caveat_sources, hr_label
from cards.regimens.lines import assess_line
from cards.regimens.situation import (
    CHEMOTHERAPY,
    ENDOCRINE,
    HER2_DIRECTED,
    TAXANE,
    Situation,
    situation,
)
from cards.sources import cite_all
from fhir_mappings import DrugExposure, TherapySetting

RULE = "C12-hr-endocrine"
TOPIC = "Endocrine therapy in HR+ HER2+ metastatic breast cancer"


def _finished(exposure: DrugExposure) -> datetime | None:
    dates = [d for d in (exposure.last_dose, exposure.end) if d is not None]
    return max(dates) if dates else None


def finished_chemotherapy(sit: Situation, since: datetime | None) -> tuple[DrugExposure, ...]:
    """Chemotherapy for metastatic disease that has ended (in the current line, if dated)."""
    return tuple(
        e
        for e in sit.facts.therapy.exposures
        if e.classes & {CHEMOTHERAPY, TAXANE}
        and e.setting is TherapySetting.METASTATIC
        and not state(e, sit.facts.as_of, sit.config).current
        and (since is None or ((_finished(e) or since) >= since))
    )


def chemotherapy_in_line(sit: Situation, since: datetime | None) -> bool:
    """Chemotherapy for metastatic disease drafted, or on file in the current line."""
    if sit.drafted_ids(CHEMOTHERAPY, TAXANE):
        return True
    for e in sit.facts.therapy.exposures:
        if not e.classes & {CHEMOTHERAPY, TAXANE} or e.setting is not TherapySetting.METASTATIC:
            continue
        last = _finished(e) or e.start
        if e.active or since is None or last is None or last >= since:
            return True
    return False


def endocrine_in_line(sit: Situation, since: datetime | None) -> bool:
    """Endocrine therapy drafted, active, or given at any time during the current line."""
    if sit.drafted_ids(ENDOCRINE) or sit.active_ids(ENDOCRINE):
        return True
    for e in sit.facts.therapy.exposures:
        if ENDOCRINE not in e.classes or e.setting is not TherapySetting.METASTATIC:
            continue
        last = _finished(e) or e.start
        if since is None or last is None or last >= since:
            return True
    return False


def endocrine_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc or sit.hr_positive is not True:
        return []
    if not sit.selected_with(frozenset({HER2_DIRECTED})):
        return []
    if sit.drafted_ids(CHEMOTHERAPY, TAXANE) or sit.active_ids(CHEMOTHERAPY, TAXANE):
        return []
    line = assess_line(sit)
    if not line.continuing or line.ongoing is None:
        return []
    if endocrine_in_line(sit, line.ongoing.start):
        return []
    chemo = finished_chemotherapy(sit, line.ongoing.start)
    if not chemo:
        return []
    ended = max((d for d in (_finished(e) for e in chemo) if d is not None), default=None)
    catalog = sit.catalog
    her2 = names(sit.drafted_ids(HER2_DIRECTED), catalog)
    hr = hr_label(sit)
    summary = fit(
        f"{hr} HER2+ MBC: endocrine therapy may be added to {her2} now that chemotherapy has ended",
        f"{hr} HER2+ MBC: endocrine therapy may be added to {her2}; chemotherapy has ended",
        f"{hr} HER2+ MBC: endocrine therapy may be added now that chemotherapy has ended",
    )
    advice = hr_positive_advice(sit, after_chemotherapy=True)
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.INFO,
            summary=summary,
            reasoning=(
                f"Hormone-receptor-positive, HER2-positive metastatic breast cancer on "
                f"{line.name} therapy. Chemotherapy ({names((e.drug for e in chemo), catalog)})"
                f" ended {format_date(ended)}; {her2} is drafted and no endocrine therapy is "
                "drafted, active or given in this line.",
                *advice,
                "Continue HER2-targeted therapy until progression or unacceptable toxicity "
                "(ASCO 2022 rec. 4.0).",
            ),
            citations=cite_all(
                (*catalog.hr_positive.sources, *caveat_sources(advice)), rule=RULE, topic=TOPIC
            ),
            data_used=sit.receptor_evidence() + tuple(ev for e in chemo for ev in e.evidence[:1]),
            override_reasons=override_reasons("regimen"),
            safety=False,
            dedup_key="regimen-endocrine",
        )
    ]
