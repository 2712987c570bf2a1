"""HER2 by IHC and by a laboratory's interpretation: one result each, read on its own (§4.1,
§4.3), and HER2 status from a coded diagnosis when no result is on file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from fhir_mappings.answers import RESULT_MEANINGS, coded_meaning, result_meaning
from fhir_mappings.conditions import CodedCondition
from fhir_mappings.fhir_json import JsonObject
from fhir_mappings.model import (
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    Her2TestKind,
    IhcScore,
)
from fhir_mappings.observations import (
    CodedObservation,
    note_text,
    value_codings,
    value_quantity,
    value_text,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import (
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
INTERPRETATION_MEANINGS = (
    *RESULT_MEANINGS,
    "her2-positive-carcinoma",
    "her2-negative-carcinoma",
    "her2-low",
)


@dataclass(frozen=True)
class Scored:
    """An IHC result and the observation it came from (to find the concomitant IHC)."""

    result: Her2Result
    specimen_ref: str | None


def ihc_result(obs: CodedObservation, notes: NoteBook) -> Scored | None:
    resource = obs.resource
    score, score_text = _ihc_score(resource)
    if score is None:
        result = interpretation_result(obs, notes)
        if result is not None and result.call is Her2Call.EQUIVOCAL_PENDING_ISH:
            result = replace(
                result, reasoning="IHC reported equivocal without a score: ISH required"
            )
        return Scored(result, obs.specimen_reference) if result else None
    words = " | ".join(t for t in (value_text(resource), note_text(resource)) if t)
    staining: bool | None = None
    if score is IhcScore.ZERO:
        if text_mentions(words, "no-staining"):
            staining = False
        elif text_mentions(words, "membrane-staining"):
            staining = True
    call, subtype, why = _ihc_call(score, staining)
    return Scored(
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
    subtype = zero_subtype(staining)
    return Her2Call.NEGATIVE, subtype, f"IHC 0: negative ({subtype_words(subtype)})"


def zero_subtype(staining: bool | None) -> Her2NegativeSubtype:
    if staining is True:
        return Her2NegativeSubtype.ULTRALOW
    if staining is False:
        return Her2NegativeSubtype.ZERO
    return Her2NegativeSubtype.UNSPECIFIED


def subtype_words(subtype: Her2NegativeSubtype | None) -> str:
    return {
        Her2NegativeSubtype.LOW: "HER2-low",
        Her2NegativeSubtype.ULTRALOW: "HER2-ultralow",
        Her2NegativeSubtype.ZERO: "HER2-0",
        Her2NegativeSubtype.UNSPECIFIED: "membrane staining not stated: HER2-0 vs ultralow unknown",
        None: "subtype unknown",
    }[subtype]


def interpretation_result(obs: CodedObservation, notes: NoteBook) -> Her2Result | None:
    """A laboratory's final call without a score (§4.3: use it, do not invent a score)."""
    meaning = result_meaning(obs.resource, INTERPRETATION_MEANINGS)
    if meaning is None:
        notes.add("Observation", f"HER2 result {obs.entry.code} without a readable value; skipped")
        return None
    call, subtype = MEANING_CALLS[meaning]
    why = f"reported {meaning} ({obs.entry.code}), no score: used as the final call"
    return reported_result(obs, call, subtype, value_text(obs.resource) or meaning, why)


def reported_result(
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


MEANING_CALLS: dict[str, tuple[Her2Call, Her2NegativeSubtype | None]] = {
    "positive": (Her2Call.POSITIVE, None),
    "her2-positive-carcinoma": (Her2Call.POSITIVE, None),
    "negative": (Her2Call.NEGATIVE, Her2NegativeSubtype.UNSPECIFIED),
    "her2-negative-carcinoma": (Her2Call.NEGATIVE, Her2NegativeSubtype.UNSPECIFIED),
    "her2-low": (Her2Call.NEGATIVE, Her2NegativeSubtype.LOW),
    "low-positive": (Her2Call.NEGATIVE, Her2NegativeSubtype.LOW),
    "equivocal": (Her2Call.EQUIVOCAL_PENDING_ISH, None),
    "indeterminate": (Her2Call.UNKNOWN, None),
}


def from_diagnosis(condition: CodedCondition) -> Her2Result | None:
    """A 'HER2-positive/negative carcinoma' diagnosis, used only when no test result exists."""
    found = coded_meaning(condition.codings, ("her2-positive-carcinoma", "her2-negative-carcinoma"))
    if found is None:
        return None
    call, subtype = MEANING_CALLS[found[0]]
    return Her2Result(
        kind=Her2TestKind.INTERPRETATION,
        call=call,
        when=condition.when,
        evidence=(condition.evidence(),),
        negative_subtype=subtype,
        reasoning="no HER2 test result on file: status taken from the diagnosis code",
    )
