"""Estrogen and progesterone receptor status by ASCO/CAP 2020 (§4.4).

A percentage decides by itself (>10 % positive, 1-10 % low positive, <1 % negative); otherwise
the reported interpretation. The newest result of each receptor wins. The combined ER+PR
observation (10480-2) is used only when neither receptor is on file and only when negative: a
positive combined result does not say which receptor is positive.
"""

from __future__ import annotations

from fhir_mappings.answers import result_meaning
from fhir_mappings.model import HormoneReceptors, ReceptorCall, ReceptorStatus
from fhir_mappings.observations import (
    CodedObservation,
    ObservationsByConcept,
    format_number,
    observations_newest_first,
    value_quantity,
    value_text,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import unit_factor

_MEANINGS = {
    "positive": ReceptorCall.POSITIVE,
    "low-positive": ReceptorCall.LOW_POSITIVE,
    "negative": ReceptorCall.NEGATIVE,
}
_UNKNOWN = ReceptorStatus(ReceptorCall.UNKNOWN, None, None)


def receptor_call(percent: float) -> ReceptorCall:
    """§4.4: 1-10 % is low positive (both ends included), >10 % positive, <1 % negative."""
    if percent < 1.0:
        return ReceptorCall.NEGATIVE
    if percent <= 10.0:
        return ReceptorCall.LOW_POSITIVE
    return ReceptorCall.POSITIVE


def hormone_receptors(observations: ObservationsByConcept, notes: NoteBook) -> HormoneReceptors:
    er = _receptor(observations, "er", notes)
    pr = _receptor(observations, "pr", notes)
    if er.call is ReceptorCall.UNKNOWN and pr.call is ReceptorCall.UNKNOWN:
        for obs in observations.get("hr-combined", ()):
            if result_meaning(obs.resource, ("positive", "negative")) == "negative":
                negative = ReceptorStatus(
                    ReceptorCall.NEGATIVE, None, obs.when, (obs.evidence(value_text(obs.resource)),)
                )
                return HormoneReceptors(er=negative, pr=negative)
            break
    return HormoneReceptors(er=er, pr=pr)


def _receptor(observations: ObservationsByConcept, name: str, notes: NoteBook) -> ReceptorStatus:
    candidates = observations_newest_first(
        [*observations.get(f"{name}-percent", ()), *observations.get(f"{name}-status", ())]
    )
    for obs in candidates:
        status = _status(obs, notes)
        if status is not None:
            return status
    return _UNKNOWN


def _status(obs: CodedObservation, notes: NoteBook) -> ReceptorStatus | None:
    amount = value_quantity(obs.resource)
    if amount is not None:
        factor = unit_factor("percent", amount.code, amount.unit) if amount.spelling else None
        percent = amount.value * factor.factor if factor else amount.value
        if factor is None and amount.spelling:
            notes.add(
                "Observation", f"receptor {obs.entry.code} in a unit not in units.json; skipped"
            )
            return None
        if 0.0 <= percent <= 100.0:
            shown = f"{format_number(percent)} %"
            return ReceptorStatus(receptor_call(percent), percent, obs.when, (obs.evidence(shown),))
        notes.add("Observation", f"receptor {obs.entry.code} percentage out of range; skipped")
        return None
    meaning = result_meaning(obs.resource, _MEANINGS)
    if meaning is None:
        notes.add(
            "Observation", f"receptor result {obs.entry.code} without a readable value; skipped"
        )
        return None
    shown = value_text(obs.resource) or meaning
    return ReceptorStatus(_MEANINGS[meaning], None, obs.when, (obs.evidence(shown),))
