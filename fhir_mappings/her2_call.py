"""The final HER2 call over every result (§4.5): results an ISH or an interpretation of the
same test settled are set aside; any positive result decides, else the newest; the HER2-low /
ultralow / 0 subtype comes from the newest negative result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fhir_mappings.config import MappingConfig
from fhir_mappings.her2_ihc import Scored, subtype_words
from fhir_mappings.model import (
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    IhcScore,
)


def superseded_ihc(
    scored: Sequence[Scored],
    consumed: set[int],
    later_calls: Sequence[Her2Result],
    config: MappingConfig,
) -> set[int]:
    """IHC 0/1+/2+ results that an ISH or a laboratory interpretation of the same test settled."""
    gone: set[int] = set()
    for item in scored:
        result = item.result
        if result.ihc_score is IhcScore.THREE:
            continue  # IHC 3+ stays positive whatever else is on file
        if id(result) in consumed or (
            result.ihc_score is IhcScore.TWO
            and any(
                _same_test(result, other, config) and other.call is not Her2Call.UNKNOWN
                for other in later_calls
            )
        ):
            gone.add(id(result))
    return gone


def _same_test(ihc: Her2Result, other: Her2Result, config: MappingConfig) -> bool:
    if ihc.when is None or other.when is None:
        return False
    days = (other.when - ihc.when).days
    return 0 <= days <= config.concomitant_ihc_window_days or (
        ihc.specimen is not None and ihc.specimen == other.specimen and days >= 0
    )


def final_call(
    results: tuple[Her2Result, ...], deciding: tuple[Her2Result, ...], reasoning: list[str]
) -> Her2Assessment:
    positives = [r for r in deciding if r.call is Her2Call.POSITIVE]
    negatives = [r for r in deciding if r.call is Her2Call.NEGATIVE]
    discordant = _discordance(positives, negatives, reasoning)
    if positives:
        newest = positives[0]
        return Her2Assessment(
            call=Her2Call.POSITIVE,
            negative_subtype=None,
            as_of=newest.when,
            results=results,
            discordant=discordant,
            reasoning=(*reasoning, "final call: positive"),
            basis=tuple(e for r in positives for e in r.evidence),
        )
    decisive = [
        r for r in deciding if r.call in (Her2Call.NEGATIVE, Her2Call.EQUIVOCAL_PENDING_ISH)
    ]
    if not decisive:
        return Her2Assessment(
            call=Her2Call.UNKNOWN,
            negative_subtype=None,
            as_of=None,
            results=results,
            discordant=False,
            reasoning=(*reasoning, "final call: unknown (no decisive HER2 result on file)"),
        )
    return _negative_or_pending(results, decisive, discordant, reasoning)


def _discordance(
    positives: Sequence[Her2Result], negatives: Sequence[Her2Result], reasoning: list[str]
) -> bool:
    """Whether the deciding results disagree (said in `reasoning` when they do)."""
    subtypes = {
        r.negative_subtype
        for r in negatives
        if r.negative_subtype not in (None, Her2NegativeSubtype.UNSPECIFIED)
    }
    if positives and negatives:
        reasoning.append(
            "discordant results: positive and negative on file; any positive result counts (§4.5)"
        )
    elif len(subtypes) > 1:
        reasoning.append(
            "discordant HER2-negative subtypes on file; the newest result is used (§4.5)"
        )
    return bool(positives and negatives) or len(subtypes) > 1


def _negative_or_pending(
    results: tuple[Her2Result, ...],
    decisive: Sequence[Her2Result],
    discordant: bool,
    reasoning: list[str],
) -> Her2Assessment:
    """No positive result: the newest day's negative or equivocal results decide."""
    newest_day = decisive[0].when.date() if decisive[0].when else None
    same_day = [r for r in decisive if (r.when.date() if r.when else None) == newest_day]
    if any(r.call is Her2Call.EQUIVOCAL_PENDING_ISH for r in same_day):
        pending = next(r for r in same_day if r.call is Her2Call.EQUIVOCAL_PENDING_ISH)
        return Her2Assessment(
            call=Her2Call.EQUIVOCAL_PENDING_ISH,
            negative_subtype=None,
            as_of=pending.when,
            results=results,
            discordant=discordant,
            reasoning=(
                *reasoning,
                "final call: equivocal, ISH required before HER2-targeted therapy",
            ),
            basis=pending.evidence,
        )
    subtype = _most_specific(r.negative_subtype for r in same_day)
    return Her2Assessment(
        call=Her2Call.NEGATIVE,
        negative_subtype=subtype,
        as_of=same_day[0].when,
        results=results,
        discordant=discordant,
        reasoning=(*reasoning, f"final call: negative ({subtype_words(subtype)})"),
        basis=tuple(e for r in same_day for e in r.evidence),
    )


_SPECIFICITY = (
    Her2NegativeSubtype.LOW,
    Her2NegativeSubtype.ULTRALOW,
    Her2NegativeSubtype.ZERO,
    Her2NegativeSubtype.UNSPECIFIED,
)


def _most_specific(subtypes: Iterable[Her2NegativeSubtype | None]) -> Her2NegativeSubtype:
    present = {s for s in subtypes if s is not None}
    return next((s for s in _SPECIFICITY if s in present), Her2NegativeSubtype.UNSPECIFIED)
