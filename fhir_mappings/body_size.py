"""Weight, height and BSA for dosing (§2.3).

Weights in kg and heights in cm, converted from the units EHRs use ([lb_av], g; [in_i], m).
BSA is a recorded value (LOINC 8277-6 / 3140-1) when it is at least as recent as the newest
weight, because it then reflects the weight in use and the institution's own formula; otherwise
it is computed by Mosteller from the newest weight and height. Which one was used is stated.
"""

from __future__ import annotations

from math import sqrt

from fhir_mappings.model import BodyMeasurement, BodySize, BsaMethod, Evidence
from fhir_mappings.observations import (
    CodedObservation,
    ObservationsByConcept,
    format_number,
    value_quantity,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import unit_factor

# Plausible adult and child ranges: values outside are typing errors, not patients.
_LIMITS = {"mass": (0.5, 500.0), "length": (30.0, 250.0), "area": (0.1, 4.0)}
_CANONICAL = {"mass": "kg", "length": "cm", "area": "m2"}


def mosteller_bsa(weight_kg: float, height_cm: float) -> float:
    """Mosteller: sqrt(height [cm] x weight [kg] / 3600) (§2.3)."""
    return sqrt(height_cm * weight_kg / 3600.0)


def body_size(observations: ObservationsByConcept, notes: NoteBook) -> BodySize:
    weights = _measurements(observations.get("body-weight", ()), "mass", notes)
    heights = _measurements(observations.get("body-height", ()), "length", notes)
    recorded = _measurements(observations.get("bsa", ()), "area", notes)
    weight = weights[0] if weights else None
    height = heights[0] if heights else None
    if recorded and (weight is None or _not_older(recorded[0], weight)):
        return BodySize(
            weights, heights, recorded[0].value, BsaMethod.RECORDED, (recorded[0].evidence,)
        )
    if weight is not None and height is not None:
        bsa = mosteller_bsa(weight.value, height.value)
        return BodySize(
            weights, heights, bsa, BsaMethod.MOSTELLER, (weight.evidence, height.evidence)
        )
    return BodySize(weights, heights, None, None)


def _not_older(recorded: BodyMeasurement, weight: BodyMeasurement) -> bool:
    if recorded.when is None:
        return False
    return weight.when is None or recorded.when >= weight.when


def _measurements(
    items: tuple[CodedObservation, ...], quantity_kind: str, notes: NoteBook
) -> tuple[BodyMeasurement, ...]:
    found = []
    for obs in items:
        amount = value_quantity(obs.resource)
        if amount is None:
            notes.add(
                "Observation", f"{obs.entry.display} {obs.entry.code} without a number; skipped"
            )
            continue
        factor = unit_factor(quantity_kind, amount.code, amount.unit)
        if factor is None:
            notes.add("Observation", f"{obs.entry.code} in a unit not in units.json; skipped")
            continue
        value = amount.value * factor.factor
        if factor.code != factor.canonical:
            # a converted value has no more precision than a scale or a stadiometer gives
            # (0.1 kg, 0.1 cm): 2469.2 oz is 70.0 kg, never "70.0006 kg" on a card
            value = round(value, 1)
        low, high = _LIMITS[quantity_kind]
        if not low <= value <= high:
            notes.add(
                "Observation",
                f"{obs.entry.code} value outside {low}-{high} {factor.canonical}; skipped",
            )
            continue
        unit = _CANONICAL[quantity_kind]
        shown = f"{format_number(value)} {unit}"
        if factor.code != factor.canonical:
            shown += f" ({format_number(amount.value)} {amount.spelling})"
        evidence: Evidence = obs.evidence(shown)
        found.append(BodyMeasurement(value, unit, obs.when, evidence))
    return tuple(found)
