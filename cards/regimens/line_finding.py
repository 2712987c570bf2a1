"""The regimen card of a metastatic line of therapy, shared by the first-, second- and
later-line rules.

The rules say different things, but their cards have one shape: the line and why it is that
line, then what the card is about, then the guideline advice for the line. A card is a warning
when body-size data for a suggested dose is missing, offers at most one suggestion, and has
the "regimen-line" dedup key: findings with that key are shown as one card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.findings import Finding, Indicator, Suggestion
from cards.knowledge import override_reasons
from cards.regimens.advice import BodyGaps
from cards.regimens.label_caveats import caveat_sources
from cards.regimens.lines import LineAssessment
from cards.regimens.situation import Situation
from cards.sources import cite_all


def line_lead(line: LineAssessment) -> str:
    """ "HER2-positive metastatic breast cancer, second line. <why it is the second line>"."""
    return f"HER2-positive metastatic breast cancer, {line.name}. " + " ".join(line.reasons)


def line_finding(
    sit: Situation,
    line: LineAssessment,
    *,
    rule: str,
    topic: str,
    sources: Iterable[str],
    summary: str,
    reasoning: Sequence[str],
    advice: Sequence[str],
    gaps: BodyGaps,
    missing_data: tuple[str, ...] = (),
    suggestions: tuple[Suggestion, ...] = (),
) -> Finding:
    """A line card: `reasoning` stands between the line's lead and the line's `advice`;
    `missing_data` between the body-size gaps and what the line assessment lacks. The
    caveats the advice states (ER-low, the label's relapse window) are cited with it."""
    sources = (*sources, *caveat_sources((*reasoning, *advice)))
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING if gaps.missing else Indicator.INFO,
        summary=summary,
        reasoning=(line_lead(line), *reasoning, *advice),
        citations=cite_all(sources, rule=rule, topic=topic),
        data_used=sit.receptor_evidence() + line.evidence + sit.body.evidence_for_all(),
        missing_data=gaps.missing + missing_data + line.missing,
        suggestions=suggestions,
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=False,
        dedup_key="regimen-line",
    )
