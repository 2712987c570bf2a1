"""HER2 status by the ASCO/CAP 2018 algorithm (affirmed 2023), over every tissue result on file.

Each result gets the call it supports on its own (§4.1-§4.3): an IHC score, a dual-probe ISH
group read with its concomitant IHC (same specimen, else the closest IHC in time), a single-probe
ISH count, or a laboratory's interpretation (LA codes, SNOMED qualifiers, `interpretation`, words
such as Synthea's "greater than 2.2"). A ratio without the average HER2 copy number, as a
number or as words, fixes no ASCO/CAP group and is never read as group 1 or 5: only IHC 3+
(positive) or IHC 0/1+ with a ratio below the cut-off (negative) decide it; otherwise the copy
number is needed. The cut-offs (2.0, 4.0, 6.0) come from `data/her2_ish.json`.

The final call follows the reference's design choice (§4.5): any positive result makes the
patient eligible for HER2-targeted therapy and is reported with the discordance; otherwise the
newest result decides, and HER2-low / ultralow / 0 comes from the newest negative result.
Serum HER2 is a tumour marker, never tissue status (§0.1 #7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from fhir_mappings.answers import RESULT_MEANINGS, coded_meaning, result_meaning
from fhir_mappings.chronology import newest_first
from fhir_mappings.conditions import CodedCondition
from fhir_mappings.config import MappingConfig
from fhir_mappings.fhir_json import JsonObject, as_text
from fhir_mappings.model import (
    Evidence,
    Her2Assessment,
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
    note_text,
    value_codings,
    value_quantity,
    value_ratio,
    value_text,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import (
    TerminologyError,
    load_table,
    observation_codes,
    text_mentions,
)

_SCORES = {
    "ihc-0": IhcScore.ZERO,
    "ihc-1+": IhcScore.ONE,
    "ihc-2+": IhcScore.TWO,
    "ihc-3+": IhcScore.THREE,
}
_SCORE_WORDS = {"0": IhcScore.ZERO, "1": IhcScore.ONE, "2": IhcScore.TWO, "3": IhcScore.THREE}
_SCORE_PLUS = re.compile(r"(?<![\d.])([0-3])\s*(?:\+|plus\b)")
_SCORE_ZERO = re.compile(r"^(?:her2\s*)?(?:ihc\s*)?(?:score\s*)?:?\s*0(?![\d.%+]|,\d)")
_BOUND = re.compile(
    r"(greater than or equal to|less than or equal to|greater than|more than|less than|"
    r"above|below|over|under|>=|<=|≥|≤|>|<)\s*(\d+(?:\.\d+)?)"
)
_PLAIN_NUMBER = re.compile(r"^\s*(?:ratio\s*:?\s*)?(\d+(?:\.\d+)?)\s*$")
_LOWER = {"greater than or equal to", "greater than", "more than", "above", "over", ">=", "≥", ">"}
_INTERPRETATION_MEANINGS = (
    *RESULT_MEANINGS,
    "her2-positive-carcinoma",
    "her2-negative-carcinoma",
    "her2-low",
)


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
class _Scored:
    """An IHC result and the observation it came from (to find the concomitant IHC)."""

    result: Her2Result
    specimen_ref: str | None


@dataclass(frozen=True)
class _RatioBound:
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


def assess_her2(
    observations: ObservationsByConcept,
    diagnoses: Sequence[CodedCondition],
    config: MappingConfig,
    notes: NoteBook,
) -> Her2Assessment:
    ihc = [r for r in (_ihc_result(o, notes) for o in observations.get("her2-ihc", ())) if r]
    scored = [s for s in ihc if s.result.ihc_score is not None]
    interpretations = [r.result for r in ihc if r.result.ihc_score is None]
    interpretations += [
        r
        for r in (_interpretation(o, notes) for o in observations.get("her2-interpretation", ()))
        if r
    ]
    word_results: list[tuple[Her2Result, str | None]] = []
    bounds: list[_RatioBound] = []
    counts = _ish_counts(observations, word_results, bounds, notes)
    ish = [_ish_result(c, scored, config) for c in counts]
    ish += [_word_with_concomitant(r, ref, scored, config) for r, ref in word_results]
    ish += [_bound_result(b, scored, config) for b in bounds]
    results = [s.result for s in scored] + interpretations + [r for r, _ in ish]
    consumed = {id(used) for _, used in ish if used is not None}
    superseded = _superseded(scored, consumed, interpretations + [r for r, _ in ish], config)
    if not results:
        results = [r for r in (_from_diagnosis(c) for c in diagnoses) if r]
    ordered = tuple(newest_first(results, lambda r: r.when))
    reasoning = [r.reasoning for r in ordered if r.reasoning]
    if observations.get("her2-serum"):
        reasoning.append("serum HER2 on file: a tumour marker, not used for tissue HER2 status")
    deciding = [r for r in results if id(r) not in superseded]
    return _final_call(ordered, tuple(newest_first(deciding, lambda r: r.when)), reasoning)


# --- single results ----------------------------------------------------------------------


def _ihc_result(obs: CodedObservation, notes: NoteBook) -> _Scored | None:
    resource = obs.resource
    score, score_text = _ihc_score(resource)
    if score is None:
        result = _interpretation(obs, notes)
        if result is not None and result.call is Her2Call.EQUIVOCAL_PENDING_ISH:
            result = replace(
                result, reasoning="IHC reported equivocal without a score: ISH required"
            )
        return _Scored(result, obs.specimen_reference) if result else None
    words = " | ".join(t for t in (value_text(resource), note_text(resource)) if t)
    staining: bool | None = None
    if score is IhcScore.ZERO:
        if text_mentions(words, "no-staining"):
            staining = False
        elif text_mentions(words, "membrane-staining"):
            staining = True
    call, subtype, why = _ihc_call(score, staining)
    return _Scored(
        Her2Result(
            kind=Her2TestKind.IHC,
            call=call,
            when=obs.when,
            ihc_score=score,
            membrane_staining=staining,
            specimen=obs.specimen_text,
            evidence=(obs.evidence(score_text),),
            negative_subtype=subtype,
            reasoning=why,
        ),
        obs.specimen_reference,
    )


def _ihc_score(resource: JsonObject) -> tuple[IhcScore | None, str | None]:
    coded = coded_meaning(value_codings(resource), _SCORES)
    if coded is not None:
        score = _SCORES[coded[0]]
        return score, score.value
    amount = value_quantity(resource)
    if amount is not None and amount.value in (0, 1, 2, 3) and not amount.spelling:
        score = _SCORE_WORDS[str(int(amount.value))]
        return score, score.value
    text = value_text(resource)
    if text:
        lowered = text.lower().strip()
        plus = _SCORE_PLUS.search(lowered)
        if plus:
            return _SCORE_WORDS[plus.group(1)], text
        if _SCORE_ZERO.match(lowered) or text_mentions(lowered, "her2-ultralow"):
            return IhcScore.ZERO, text
    return None, None


def _ihc_call(
    score: IhcScore, staining: bool | None
) -> tuple[Her2Call, Her2NegativeSubtype | None, str]:
    if score is IhcScore.THREE:
        return Her2Call.POSITIVE, None, "IHC 3+: positive"
    if score is IhcScore.TWO:
        return Her2Call.EQUIVOCAL_PENDING_ISH, None, "IHC 2+: equivocal, ISH required"
    if score is IhcScore.ONE:
        return Her2Call.NEGATIVE, Her2NegativeSubtype.LOW, "IHC 1+: negative (HER2-low)"
    subtype = _zero_subtype(staining)
    return Her2Call.NEGATIVE, subtype, f"IHC 0: negative ({_subtype_words(subtype)})"


def _zero_subtype(staining: bool | None) -> Her2NegativeSubtype:
    if staining is True:
        return Her2NegativeSubtype.ULTRALOW
    if staining is False:
        return Her2NegativeSubtype.ZERO
    return Her2NegativeSubtype.UNSPECIFIED


def _subtype_words(subtype: Her2NegativeSubtype | None) -> str:
    return {
        Her2NegativeSubtype.LOW: "HER2-low",
        Her2NegativeSubtype.ULTRALOW: "HER2-ultralow",
        Her2NegativeSubtype.ZERO: "HER2-0",
        Her2NegativeSubtype.UNSPECIFIED: "membrane staining not stated: HER2-0 vs ultralow unknown",
        None: "subtype unknown",
    }[subtype]


def _interpretation(obs: CodedObservation, notes: NoteBook) -> Her2Result | None:
    """A laboratory's final call without a score (§4.3: use it, do not invent a score)."""
    meaning = result_meaning(obs.resource, _INTERPRETATION_MEANINGS)
    if meaning is None:
        notes.add("Observation", f"HER2 result {obs.entry.code} without a readable value; skipped")
        return None
    call, subtype = _MEANING_CALLS[meaning]
    why = f"reported {meaning} ({obs.entry.code}), no score: used as the final call"
    return _reported(obs, call, subtype, value_text(obs.resource) or meaning, why)


def _reported(
    obs: CodedObservation,
    call: Her2Call,
    subtype: Her2NegativeSubtype | None,
    shown: str,
    why: str,
) -> Her2Result:
    """A result reported as a call, without a score or counts; its words may name the subtype."""
    if call is Her2Call.NEGATIVE and subtype is Her2NegativeSubtype.UNSPECIFIED:
        words = " | ".join(t for t in (value_text(obs.resource), note_text(obs.resource)) if t)
        if text_mentions(words, "her2-ultralow"):
            subtype = Her2NegativeSubtype.ULTRALOW
        elif text_mentions(words, "her2-low"):
            subtype = Her2NegativeSubtype.LOW
    return Her2Result(
        kind=Her2TestKind.INTERPRETATION,
        call=call,
        when=obs.when,
        specimen=obs.specimen_text,
        evidence=(obs.evidence(shown),),
        negative_subtype=subtype if call is Her2Call.NEGATIVE else None,
        reasoning=why,
    )


_MEANING_CALLS: dict[str, tuple[Her2Call, Her2NegativeSubtype | None]] = {
    "positive": (Her2Call.POSITIVE, None),
    "her2-positive-carcinoma": (Her2Call.POSITIVE, None),
    "negative": (Her2Call.NEGATIVE, Her2NegativeSubtype.UNSPECIFIED),
    "her2-negative-carcinoma": (Her2Call.NEGATIVE, Her2NegativeSubtype.UNSPECIFIED),
    "her2-low": (Her2Call.NEGATIVE, Her2NegativeSubtype.LOW),
    "low-positive": (Her2Call.NEGATIVE, Her2NegativeSubtype.LOW),
    "equivocal": (Her2Call.EQUIVOCAL_PENDING_ISH, None),
    "indeterminate": (Her2Call.UNKNOWN, None),
}


def _from_diagnosis(condition: CodedCondition) -> Her2Result | None:
    """A 'HER2-positive/negative carcinoma' diagnosis, used only when no test result exists."""
    found = coded_meaning(condition.codings, ("her2-positive-carcinoma", "her2-negative-carcinoma"))
    if found is None:
        return None
    call, subtype = _MEANING_CALLS[found[0]]
    return Her2Result(
        kind=Her2TestKind.INTERPRETATION,
        call=call,
        when=condition.when,
        evidence=(condition.evidence(),),
        negative_subtype=subtype,
        reasoning="no HER2 test result on file: status taken from the diagnosis code",
    )


# --- ISH ---------------------------------------------------------------------------------


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


def _ish_counts(
    observations: ObservationsByConcept,
    word_results: list[tuple[Her2Result, str | None]],
    bounds: list[_RatioBound],
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
        if isinstance(words, _RatioBound):
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


def _ish_word_result(obs: CodedObservation) -> Her2Result | _RatioBound | None:
    """An ISH reported as a call, or a ratio bound in words (Synthea, §0.1 #4) to read with IHC."""
    resource = obs.resource
    bound = _ratio_bound(resource)
    if bound is not None:
        side, shown = bound
        return _RatioBound(obs, side, shown)
    meaning = result_meaning(resource, _INTERPRETATION_MEANINGS)
    if meaning is None:
        return None
    call, subtype = _MEANING_CALLS[meaning]
    why = f"ISH reported {meaning}, no counts: used as the final call"
    if call is Her2Call.EQUIVOCAL_PENDING_ISH:
        call, why = (
            Her2Call.UNKNOWN,
            "ISH reported equivocal (a pre-2018 category): counts and IHC needed",
        )
    return _reported(obs, call, subtype, value_text(resource) or meaning, why)


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
        words = f"negative in each of groups 3-5 with IHC 0/1+ ({_subtype_words(subtype)})"
        return Her2Call.NEGATIVE, subtype, f"{with_ihc}: {words}", True
    groups = {True: "group 1 or 2", False: "group 3, 4 or 5", None: "any group"}[at_or_above]
    why = f"{with_ihc}: no ASCO/CAP group ({groups}): average HER2 copy number needed"
    return Her2Call.UNKNOWN, None, why, low_ihc


def _bound_result(
    bound: _RatioBound, scored: Sequence[_Scored], config: MappingConfig
) -> tuple[Her2Result, Her2Result | None]:
    """A ratio bound in words (Synthea's 2007 wording, §0.1 #4) read with its concomitant IHC."""
    obs = bound.obs
    partner = _concomitant(obs.when, obs.specimen_reference, scored, config)
    ihc = partner.result if partner else None
    call, subtype, verdict, settles = _ratio_only(bound.at_or_above, ihc)
    why = f"ISH ratio '{bound.shown}', average HER2 copy number not reported, {verdict}"
    result = _reported(obs, call, subtype, bound.shown, why)
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
    scored: Sequence[_Scored],
    config: MappingConfig,
) -> _Scored | None:
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


def _closest(when: datetime | None, scored: Sequence[_Scored]) -> _Scored | None:
    if when is None:
        return None
    dated = [(abs((s.result.when - when).total_seconds()), s) for s in scored if s.result.when]
    return min(dated, key=lambda pair: pair[0])[1] if dated else None


def _ish_result(
    counts: _IshCounts, scored: Sequence[_Scored], config: MappingConfig
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


def _word_with_concomitant(
    result: Her2Result, specimen_ref: str | None, scored: Sequence[_Scored], config: MappingConfig
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
        why = f"{result.reasoning}; with IHC {ihc.ihc_score.value}: {_subtype_words(subtype)}"
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
    return _zero_subtype(ihc.membrane_staining)


def _call_words(call: Her2Call, subtype: Her2NegativeSubtype | None, group: int | None) -> str:
    if call is Her2Call.POSITIVE:
        return "positive"
    if call is Her2Call.NEGATIVE:
        comment = " with comment" if group in (2, 3, 4) else ""
        return f"negative{comment} ({_subtype_words(subtype)})"
    if call is Her2Call.EQUIVOCAL_PENDING_ISH:
        return "equivocal: dual-probe ISH needed"
    return "concomitant IHC needed (same specimen) to make the call"


# --- the final call ------------------------------------------------------------------------


def _superseded(
    scored: Sequence[_Scored],
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


def _final_call(
    results: tuple[Her2Result, ...], deciding: tuple[Her2Result, ...], reasoning: list[str]
) -> Her2Assessment:
    positives = [r for r in deciding if r.call is Her2Call.POSITIVE]
    negatives = [r for r in deciding if r.call is Her2Call.NEGATIVE]
    subtypes = {
        r.negative_subtype
        for r in negatives
        if r.negative_subtype not in (None, Her2NegativeSubtype.UNSPECIFIED)
    }
    discordant = bool(positives and negatives) or len(subtypes) > 1
    if positives and negatives:
        reasoning.append(
            "discordant results: positive and negative on file; any positive result counts (§4.5)"
        )
    elif len(subtypes) > 1:
        reasoning.append(
            "discordant HER2-negative subtypes on file; the newest result is used (§4.5)"
        )
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
        reasoning=(*reasoning, f"final call: negative ({_subtype_words(subtype)})"),
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
