"""HER2 by ISH: dual-probe groups read with their concomitant IHC, single-probe counts, ratios
given as numbers or in words (§4.2). The cut-offs come from `data/her2_ish.json`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from fhir_mappings.answers import result_meaning
from fhir_mappings.config import MappingConfig
from fhir_mappings.fhir_json import JsonObject, as_text
from fhir_mappings.her2_ihc import (
    INTERPRETATION_MEANINGS,
    MEANING_CALLS,
    Scored,
    reported_result,
    subtype_words,
    zero_subtype,
)
from fhir_mappings.model import (
    Evidence,
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    Her2TestKind,
    IhcScore,
)
from fhir_mappings.observations import (
    CodedObservation,
    ObservationsByConcept,
    component_values,
    format_number,
    value_quantity,
    value_ratio,
    value_text,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import (
    TerminologyError,
    load_table,
    observation_codes,
)

_BOUND = re.compile(
    r"(greater than or equal to|less than or equal to|greater than|more than|less than|"
    r"above|below|over|under|>=|<=|≥|≤|>|<)\s*(\d+(?:\.\d+)?)"
)
_PLAIN_NUMBER = re.compile(r"^\s*(?:ratio\s*:?\s*)?(\d+(?:\.\d+)?)\s*$")
_LOWER = {"greater than or equal to", "greater than", "more than", "above", "over", ">=", "≥", ">"}


@dataclass(frozen=True)
class IshCutoffs:
    """The ASCO/CAP 2018 ISH numbers (§4.2), read from `data/her2_ish.json` with their source."""

    ratio: float  # dual-probe HER2/CEP17
    copies_low: float  # dual-probe average HER2 copies per cell: groups 1 vs 2, 4 vs 5
    copies_high: float  # dual-probe: group 3
    single_negative_below: float
    single_positive_at: float


@lru_cache(maxsize=1)
def ish_cutoffs() -> IshCutoffs:
    """Guideline numbers live in a reviewed table, not in code (design: knowledge is data)."""
    table = load_table("her2_ish")["cutoffs"]
    cutoffs = IshCutoffs(
        ratio=float(table["dual_probe_ratio"]["value"]),
        copies_low=float(table["dual_probe_copies_low"]["value"]),
        copies_high=float(table["dual_probe_copies_high"]["value"]),
        single_negative_below=float(table["single_probe_copies_negative_below"]["value"]),
        single_positive_at=float(table["single_probe_copies_positive_at"]["value"]),
    )
    if not (
        cutoffs.copies_low < cutoffs.copies_high
        and cutoffs.single_negative_below < cutoffs.single_positive_at
    ):
        raise TerminologyError("her2_ish.json: copy-number cut-offs out of order")
    return cutoffs


@dataclass(frozen=True)
class RatioBound:
    """An ISH ratio given only as a bound in words or with a comparator ('greater than 2.2')."""

    obs: CodedObservation
    at_or_above: bool | None  # the ratio is >= the cut-off; None: the bound straddles it
    shown: str


@dataclass(frozen=True)
class _IshCounts:
    when: datetime | None
    specimen_ref: str | None
    specimen: str | None
    ratio: float | None
    copies: float | None
    cep17: float | None
    evidence: tuple[Evidence, ...]


_PANEL_PARTS = {"her2-ish-ratio": "ratio", "her2-ish-copies": "copies", "her2-ish-cep17": "cep17"}


@dataclass
class _IshGroup:
    """The numbers of one ISH test while they are collected (first value of each part wins)."""

    first: CodedObservation
    parts: dict[str, float] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    def counts(self) -> _IshCounts:
        ratio = self.parts.get("ratio")
        copies, cep17 = self.parts.get("copies"), self.parts.get("cep17")
        if ratio is None and copies is not None and cep17:
            ratio = copies / cep17
        return _IshCounts(
            when=self.first.when,
            specimen_ref=self.first.specimen_reference,
            specimen=self.first.specimen_text,
            ratio=ratio,
            copies=copies,
            cep17=cep17,
            evidence=tuple(self.evidence),
        )


def ish_counts(
    observations: ObservationsByConcept,
    word_results: list[tuple[Her2Result, str | None]],
    bounds: list[RatioBound],
    notes: NoteBook,
) -> list[_IshCounts]:
    """Ratio / copies / CEP17 numbers grouped per test (specimen, else day); word results aside."""
    groups: dict[object, _IshGroup] = {}

    def add(obs: CodedObservation, part: str, value: float) -> None:
        day = obs.when.date() if obs.when else ("undated", obs.id)
        group = groups.setdefault(obs.specimen_reference or day, _IshGroup(obs))
        group.parts.setdefault(part, value)
        group.evidence.append(obs.evidence(format_number(value)))

    for obs in observations.get("her2-ish", ()):
        words = _ish_word_result(obs)
        if isinstance(words, RatioBound):
            bounds.append(words)
            continue
        if words is not None:
            word_results.append((words, obs.specimen_reference))
            continue
        number = _number_result(obs.resource)
        if number is None:
            notes.add("Observation", f"HER2 ISH {obs.entry.code} without a readable value; skipped")
        else:
            add(obs, "ratio", number)
    for concept, part in _PANEL_PARTS.items():
        for obs in observations.get(concept, ()):
            number = _number_result(obs.resource)
            if number is None:
                notes.add(
                    "Observation", f"HER2 ISH {part} {obs.entry.code} is not a number; skipped"
                )
            else:
                add(obs, part, number)
    for obs in observations.get("her2-ish-panel", ()):
        for items, component in component_values(obs.resource):
            concepts = {c for i in items for c in observation_codes().concepts(i.system, i.code)}
            number = _number_result(component)
            for concept in concepts & _PANEL_PARTS.keys():
                if number is not None:
                    add(obs, _PANEL_PARTS[concept], number)
    return [group.counts() for group in groups.values()]


def _number_result(resource: JsonObject) -> float | None:
    amount = value_quantity(resource)
    if amount is not None and amount.comparator is None:
        return amount.value
    ratio = value_ratio(resource)
    if ratio is not None:
        return ratio
    text = as_text(resource.get("valueString"))
    match = _PLAIN_NUMBER.match(text or "")
    return float(match.group(1)) if match else None


def _ish_word_result(obs: CodedObservation) -> Her2Result | RatioBound | None:
    """An ISH reported as a call, or a ratio bound in words (Synthea, §0.1 #4) to read with IHC."""
    resource = obs.resource
    bound = _ratio_bound(resource)
    if bound is not None:
        side, shown = bound
        return RatioBound(obs, side, shown)
    meaning = result_meaning(resource, INTERPRETATION_MEANINGS)
    if meaning is None:
        return None
    call, subtype = MEANING_CALLS[meaning]
    why = f"ISH reported {meaning}, no counts: used as the final call"
    if call is Her2Call.EQUIVOCAL_PENDING_ISH:
        call, why = (
            Her2Call.UNKNOWN,
            "ISH reported equivocal (a pre-2018 category): counts and IHC needed",
        )
    return reported_result(obs, call, subtype, value_text(resource) or meaning, why)


def _ratio_bound(resource: JsonObject) -> tuple[bool | None, str] | None:
    """(True: ratio >= cut-off, False: below, None: cannot tell; the words) for '> 2.2'."""
    amount = value_quantity(resource)
    text = as_text(resource.get("valueString"))
    match = _BOUND.search(text.lower()) if text else None
    if amount is not None and amount.comparator:
        op, value = amount.comparator, amount.value
        shown = f"{op} {format_number(value)}"
    elif match is not None and text is not None:
        op, value, shown = match.group(1), float(match.group(2)), text
    else:
        return None
    inclusive = op in {">=", "≥", "<=", "≤", "greater than or equal to", "less than or equal to"}
    cut = ish_cutoffs().ratio
    if op in _LOWER:
        return (True if value >= cut else None), shown
    below = value < cut or (value == cut and not inclusive)
    return (False if below else None), shown


def _ish_group(ratio: float, copies: float) -> int:
    cut = ish_cutoffs()
    if ratio >= cut.ratio:
        return 1 if copies >= cut.copies_low else 2
    if copies >= cut.copies_high:
        return 3
    return 4 if copies >= cut.copies_low else 5


def _ratio_only(
    at_or_above: bool | None, ihc: Her2Result | None
) -> tuple[Her2Call, Her2NegativeSubtype | None, str, bool]:
    """A ratio without the average HER2 copy number: the call, its words, and whether it settles
    the concomitant IHC (which then no longer decides alone).

    §4.2: the group needs both numbers, so none is guessed. IHC 3+ is positive on its own; IHC
    0/1+ with a ratio below the cut-off is negative in each of groups 3, 4 and 5; everything else
    (IHC 2+, IHC 0/1+ with a ratio at or above the cut-off, no IHC) needs the copy number. An IHC
    0/1+ is settled even then: with a ratio >= 2.0 it may be group 1, so it must not call the
    patient negative alone. An IHC 2+ stays and keeps the call equivocal.
    """
    score = ihc.ihc_score if ihc else None
    with_ihc = f"with IHC {score.value}" if score else "without concomitant IHC"
    if score is IhcScore.THREE:
        return Her2Call.POSITIVE, None, f"{with_ihc}: positive (IHC 3+ decides)", True
    low_ihc = score in (IhcScore.ZERO, IhcScore.ONE)
    if at_or_above is False and low_ihc:
        subtype = _negative_subtype(ihc, ish_negative=True)
        words = f"negative in each of groups 3-5 with IHC 0/1+ ({subtype_words(subtype)})"
        return Her2Call.NEGATIVE, subtype, f"{with_ihc}: {words}", True
    groups = {True: "group 1 or 2", False: "group 3, 4 or 5", None: "any group"}[at_or_above]
    why = f"{with_ihc}: no ASCO/CAP group ({groups}): average HER2 copy number needed"
    return Her2Call.UNKNOWN, None, why, low_ihc


def bound_result(
    bound: RatioBound, scored: Sequence[Scored], config: MappingConfig
) -> tuple[Her2Result, Her2Result | None]:
    """A ratio bound in words (Synthea's 2007 wording, §0.1 #4) read with its concomitant IHC."""
    obs = bound.obs
    partner = _concomitant(obs.when, obs.specimen_reference, scored, config)
    ihc = partner.result if partner else None
    call, subtype, verdict, settles = _ratio_only(bound.at_or_above, ihc)
    why = f"ISH ratio '{bound.shown}', average HER2 copy number not reported, {verdict}"
    result = reported_result(obs, call, subtype, bound.shown, why)
    if ihc is not None:
        result = replace(
            result,
            ihc_score=ihc.ihc_score,
            membrane_staining=ihc.membrane_staining,
            evidence=result.evidence + ihc.evidence,
        )
    return result, (ihc if settles else None)


def _concomitant(
    when: datetime | None,
    specimen_ref: str | None,
    scored: Sequence[Scored],
    config: MappingConfig,
) -> Scored | None:
    """The IHC on the same specimen, else the closest in time within the configured window."""
    if specimen_ref:
        same = [s for s in scored if s.specimen_ref == specimen_ref]
        if same:
            return _closest(when, same) or same[0]
    if when is None:
        return None
    window = config.concomitant_ihc_window_days
    near = [
        s for s in scored
        if s.result.when is not None and abs((s.result.when - when).days) <= window
    ]  # fmt: skip
    return _closest(when, near)


def _closest(when: datetime | None, scored: Sequence[Scored]) -> Scored | None:
    if when is None:
        return None
    dated = [(abs((s.result.when - when).total_seconds()), s) for s in scored if s.result.when]
    return min(dated, key=lambda pair: pair[0])[1] if dated else None


def ish_result(
    counts: _IshCounts, scored: Sequence[Scored], config: MappingConfig
) -> tuple[Her2Result, Her2Result | None]:
    """The ISH call with its concomitant IHC (§4.2), and the IHC it consumed (if it decided)."""
    partner = _concomitant(counts.when, counts.specimen_ref, scored, config)
    ihc = partner.result if partner else None
    score = ihc.ihc_score if ihc else None
    evidence = counts.evidence + (ihc.evidence if ihc else ())
    ratio, copies = counts.ratio, counts.copies
    numbers = ", ".join(
        f"{label} {format_number(v)}"
        for label, v in (("ratio", ratio), ("copies/cell", copies))
        if v is not None
    )
    with_ihc = f" with IHC {score.value}" if score else " without concomitant IHC"
    group: int | None = None
    settles: bool | None = None  # None: settled when the call is positive or negative
    if ratio is not None and copies is not None:
        group = _ish_group(ratio, copies)
        call, subtype = _dual_probe_call(group, score, ihc)
        why = f"ISH group {group} ({numbers}){with_ihc}: {_call_words(call, subtype, group)}"
    elif ratio is not None:
        call, subtype, verdict, settles = _ratio_only(ratio >= ish_cutoffs().ratio, ihc)
        why = f"ISH {numbers}, average HER2 copy number not reported, {verdict}"
    elif copies is not None:
        call, subtype = _single_probe_call(copies, score, ihc)
        why = f"single-probe ISH ({numbers}){with_ihc}: {_call_words(call, subtype, None)}"
    else:
        call, subtype, why = Her2Call.UNKNOWN, None, "ISH without ratio or copy number"
    kind = Her2TestKind.ISH_DUAL_PROBE if ratio is not None else Her2TestKind.ISH_SINGLE_PROBE
    result = Her2Result(
        kind=kind,
        call=call,
        when=counts.when,
        ihc_score=score,
        membrane_staining=ihc.membrane_staining if ihc else None,
        ish_ratio=counts.ratio,
        ish_copies_per_cell=counts.copies,
        ish_group=group,
        specimen=counts.specimen,
        evidence=evidence,
        negative_subtype=subtype if call is Her2Call.NEGATIVE else None,
        reasoning=why,
    )
    if settles is None:
        settles = call in (Her2Call.POSITIVE, Her2Call.NEGATIVE)
    return result, (ihc if settles and ihc is not None else None)


def word_with_concomitant(
    result: Her2Result, specimen_ref: str | None, scored: Sequence[Scored], config: MappingConfig
) -> tuple[Her2Result, Her2Result | None]:
    """An ISH reported in words settles its concomitant IHC 0/1+/2+ and takes its subtype."""
    if result.call not in (Her2Call.POSITIVE, Her2Call.NEGATIVE):
        return result, None
    partner = _concomitant(result.when, specimen_ref, scored, config)
    ihc = partner.result if partner else None
    if ihc is None or ihc.ihc_score is None:
        return result, None
    if result.call is Her2Call.NEGATIVE:
        subtype = _negative_subtype(ihc, ish_negative=True)
        why = f"{result.reasoning}; with IHC {ihc.ihc_score.value}: {subtype_words(subtype)}"
        result = replace(
            result,
            ihc_score=ihc.ihc_score,
            membrane_staining=ihc.membrane_staining,
            negative_subtype=subtype,
            reasoning=why,
            evidence=result.evidence + ihc.evidence,
        )
    return result, ihc


def _dual_probe_call(
    group: int, score: IhcScore | None, ihc: Her2Result | None
) -> tuple[Her2Call, Her2NegativeSubtype | None]:
    if group == 1:
        return Her2Call.POSITIVE, None
    if group == 5:
        if score is IhcScore.THREE:
            return Her2Call.POSITIVE, None  # IHC 3+ is positive on its own (§4.3)
        return Her2Call.NEGATIVE, _negative_subtype(ihc, ish_negative=True)
    if score is None:
        return Her2Call.UNKNOWN, None
    if score is IhcScore.THREE or (score is IhcScore.TWO and group == 3):
        return Her2Call.POSITIVE, None
    return Her2Call.NEGATIVE, _negative_subtype(ihc, ish_negative=True)


def _single_probe_call(
    copies: float, score: IhcScore | None, ihc: Her2Result | None
) -> tuple[Her2Call, Her2NegativeSubtype | None]:
    cut = ish_cutoffs()
    if copies >= cut.single_positive_at or score is IhcScore.THREE:
        return Her2Call.POSITIVE, None
    if copies < cut.single_negative_below:
        return Her2Call.NEGATIVE, _negative_subtype(ihc, ish_negative=True)
    if score is IhcScore.TWO:
        return Her2Call.EQUIVOCAL_PENDING_ISH, None
    if score in (IhcScore.ZERO, IhcScore.ONE):
        return Her2Call.NEGATIVE, _negative_subtype(ihc, ish_negative=True)
    return Her2Call.UNKNOWN, None


def _negative_subtype(ihc: Her2Result | None, *, ish_negative: bool) -> Her2NegativeSubtype:
    """§4.3: HER2-low is IHC 1+, or IHC 2+ with negative ISH; IHC 0 by membrane staining."""
    if ihc is None or ihc.ihc_score is None:
        return Her2NegativeSubtype.UNSPECIFIED
    if ihc.ihc_score is IhcScore.ONE or (ihc.ihc_score is IhcScore.TWO and ish_negative):
        return Her2NegativeSubtype.LOW
    return zero_subtype(ihc.membrane_staining)


def _call_words(call: Her2Call, subtype: Her2NegativeSubtype | None, group: int | None) -> str:
    if call is Her2Call.POSITIVE:
        return "positive"
    if call is Her2Call.NEGATIVE:
        comment = " with comment" if group in (2, 3, 4) else ""
        return f"negative{comment} ({subtype_words(subtype)})"
    if call is Her2Call.EQUIVOCAL_PENDING_ISH:
        return "equivocal: dual-probe ISH needed"
    return "concomitant IHC needed (same specimen) to make the call"
