"""Pregnancy status: conditions, the pregnancy-status observation and hCG tests, newest first.

The newest dated evidence decides (a negative test after a positive one means not pregnant now);
on the same day, "pregnant" wins. Evidence of pregnancy older than `pregnancy_max_days` cannot
make a patient pregnant now, because no pregnancy lasts longer: an old "Normal pregnancy" left
active on a problem list is not a current pregnancy. Undated evidence is kept but ranks after all
dated evidence, and `last_checked` stays None for it (undated, never "recent").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fhir_mappings.answers import result_meaning
from fhir_mappings.chronology import newest_first
from fhir_mappings.conditions import ConditionsByConcept
from fhir_mappings.config import MappingConfig
from fhir_mappings.model import Evidence, PregnancyState, PregnancyStatus
from fhir_mappings.observations import (
    ObservationsByConcept,
    format_number,
    value_quantity,
    value_text,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import unit_factor

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


def pregnancy_status(
    conditions: ConditionsByConcept,
    observations: ObservationsByConcept,
    now: datetime,
    config: MappingConfig,
    notes: NoteBook,
) -> PregnancyStatus:
    signs = _signs(conditions, observations, config, notes)
    oldest_current = now - timedelta(days=config.pregnancy_max_days)
    kept = [
        s for s in signs
        if s.state is not PregnancyState.PREGNANT or s.when is None or s.when >= oldest_current
    ]  # fmt: skip
    if not kept:
        return PregnancyStatus(PregnancyState.UNKNOWN, None)
    # same moment: "pregnant" first (the sort is stable)
    ordered = newest_first(sorted(kept, key=lambda s: _RANK[s.state]), lambda s: s.when)
    newest = ordered[0]
    return PregnancyStatus(newest.state, newest.when, tuple(s.evidence for s in ordered))


def _signs(
    conditions: ConditionsByConcept,
    observations: ObservationsByConcept,
    config: MappingConfig,
    notes: NoteBook,
) -> list[_Sign]:
    signs = [
        _Sign(PregnancyState.PREGNANT, c.when, c.evidence("pregnancy"))
        for c in conditions.get("pregnancy", ())
        if not c.ended
    ]
    for obs in observations.get("pregnancy-status", ()):
        meaning = result_meaning(obs.resource, _STATUS)
        if meaning is None:
            notes.add("Observation", "pregnancy status without a readable answer; skipped")
            continue
        signs.append(_Sign(_STATUS[meaning], obs.when, obs.evidence(value_text(obs.resource))))
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
