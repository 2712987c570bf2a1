"""Pregnancy status: conditions, the pregnancy-status observation and hCG tests, newest first.

The newest dated evidence decides (a negative test after a positive one means not pregnant now);
on the same day, "pregnant" wins. Evidence of pregnancy older than `pregnancy_max_days` cannot
make a patient pregnant now, because no pregnancy lasts longer: an old "Normal pregnancy" left
active on a problem list is not a current pregnancy. Undated evidence is kept but ranks after all
dated evidence, and `last_checked` stays None for it (undated, never "recent").

Answer codes the reference has not verified (§0 "must be checked before it goes into a code
table") are read in the safe direction only: an unverified "pregnant" still counts (a false
alarm makes the clinician check), an unverified "not pregnant" is shown but decides nothing, so
it can never silence the verify-pregnancy card. Each such use is noted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fhir_mappings.answers import result_meaning
from fhir_mappings.chronology import newest_first
from fhir_mappings.conditions import ConditionsByConcept
from fhir_mappings.config import MappingConfig
from fhir_mappings.fhir_json import JsonObject
from fhir_mappings.model import Evidence, PregnancyState, PregnancyStatus
from fhir_mappings.observations import (
    ObservationsByConcept,
    format_number,
    value_codings,
    value_quantity,
    value_text,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import answer_codes, unit_factor

_STATUS = {
    "pregnant": PregnancyState.PREGNANT,
    "not-pregnant": PregnancyState.NOT_PREGNANT,
    "pregnancy-unknown": PregnancyState.UNKNOWN,
}
_TEST = {"positive": PregnancyState.PREGNANT, "negative": PregnancyState.NOT_PREGNANT}
_RANK = {PregnancyState.PREGNANT: 0, PregnancyState.NOT_PREGNANT: 1, PregnancyState.UNKNOWN: 2}


@dataclass(frozen=True)
class _Sign:
    state: PregnancyState
    when: datetime | None
    evidence: Evidence
    decides: bool = True  # False: shown as evidence only (an unverified "not pregnant")


def pregnancy_status(
    conditions: ConditionsByConcept,
    observations: ObservationsByConcept,
    now: datetime,
    config: MappingConfig,
    notes: NoteBook,
) -> PregnancyStatus:
    signs = _signs(conditions, observations, now, config, notes)
    oldest_current = now - timedelta(days=config.pregnancy_max_days)
    kept = [
        s for s in signs
        if s.state is not PregnancyState.PREGNANT or s.when is None or s.when >= oldest_current
    ]  # fmt: skip
    if not kept:
        return PregnancyStatus(PregnancyState.UNKNOWN, None)
    # same moment: "pregnant" first (the sort is stable)
    ordered = newest_first(sorted(kept, key=lambda s: _RANK[s.state]), lambda s: s.when)
    evidence = tuple(s.evidence for s in ordered)
    newest = next((s for s in ordered if s.decides), None)
    if newest is None:
        return PregnancyStatus(PregnancyState.UNKNOWN, None, evidence)
    return PregnancyStatus(newest.state, newest.when, evidence)


def _signs(
    conditions: ConditionsByConcept,
    observations: ObservationsByConcept,
    now: datetime,
    config: MappingConfig,
    notes: NoteBook,
) -> list[_Sign]:
    signs = []
    for condition in conditions.get("pregnancy", ()):
        if condition.ended_by(now):
            continue
        if condition.abated is not None:
            notes.add("Condition", "pregnancy with an end date after now: not read as ended")
        signs.append(
            _Sign(PregnancyState.PREGNANT, condition.when, condition.evidence("pregnancy"))
        )
    for obs in observations.get("pregnancy-status", ()):
        meaning = result_meaning(obs.resource, _STATUS)
        if meaning is None:
            notes.add("Observation", "pregnancy status without a readable answer; skipped")
            continue
        sign = _Sign(_STATUS[meaning], obs.when, obs.evidence(value_text(obs.resource)))
        unverified = _unverified_codes(obs.resource, meaning)
        if unverified and sign.state is PregnancyState.NOT_PREGNANT:
            sign = replace(sign, decides=False)
            notes.add(
                "Observation",
                f"pregnancy status answer {unverified} is an unverified code: "
                "not read as 'not pregnant'",
            )
        elif unverified and sign.state is PregnancyState.PREGNANT:
            notes.add(
                "Observation",
                f"pregnancy status answer {unverified} is an unverified code: "
                "read as 'pregnant' (evidence of pregnancy only)",
            )
        signs.append(sign)
    for obs in observations.get("hcg-qualitative", ()):
        meaning = result_meaning(obs.resource, _TEST)
        if meaning is None:
            notes.add("Observation", f"pregnancy test {obs.entry.code} without a readable result")
            continue
        signs.append(_Sign(_TEST[meaning], obs.when, obs.evidence(value_text(obs.resource))))
    threshold = config.hcg_positive_threshold_miu_per_ml
    for obs in observations.get("hcg-quantitative", ()):
        amount = value_quantity(obs.resource)
        factor = unit_factor("hcg", amount.code, amount.unit) if amount else None
        if amount is None or factor is None:
            notes.add("Observation", f"hCG {obs.entry.code} without a value in mIU/mL; skipped")
            continue
        value = amount.value * factor.factor
        state = PregnancyState.PREGNANT if value > threshold else PregnancyState.NOT_PREGNANT
        signs.append(_Sign(state, obs.when, obs.evidence(f"{format_number(value)} mIU/mL")))
    return signs


def _unverified_codes(resource: JsonObject, meaning: str) -> str | None:
    """The unverified answer code(s) a coded meaning rests on; None when a checked code (or
    the text, when no code carries the meaning) supports it."""
    rows = [
        entry
        for coding in value_codings(resource)
        for entry in answer_codes().lookup(coding.system, coding.code)
        if entry.concept == meaning
    ]
    if not rows or any(e.verification != "unverified" for e in rows):
        return None
    return ", ".join(sorted({e.code for e in rows}))
