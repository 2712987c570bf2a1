"""How many mg one tablet or capsule of an ordered product holds, when the record can say.

An oral order may be written as a count ("2 {tbl}", the sandbox's "1 {pill}"). It is read in mg
only with the product's strength: a Medication (contained, in the draft Bundle or prefetched)
with one ingredient strength per tablet, else a product code (RxNorm SCD/SBD) whose strength the
medication table holds. Without one the dose stays a count, never a number of mg.
"""

from __future__ import annotations

from collections.abc import Callable

from fhir_mappings.fhir_json import (
    JsonObject,
    as_object,
    as_objects,
    codings,
    quantity,
    reference_text,
)
from fhir_mappings.medications import code_strength_mg
from fhir_mappings.terminology import unit_factor

Resolver = Callable[[str | None, JsonObject | None], JsonObject | None]


def _per_unit_mg(ratio: JsonObject) -> float | None:
    """A strength ratio as mg per one tablet: '500 mg / 1 tablet' -> 500."""
    numerator = quantity(ratio.get("numerator"))
    if numerator is None:
        return None
    mass = unit_factor("dose-mass", numerator.code, numerator.unit)
    if mass is None:
        return None
    denominator = quantity(ratio.get("denominator"))
    per = denominator.value if denominator is not None else 1.0
    if per <= 0:
        return None
    if denominator is not None and (denominator.code or denominator.unit):
        count = unit_factor("dose-count", denominator.code, denominator.unit)
        if count is None and (denominator.unit or "").lower() not in {"tablet", "capsule"}:
            return None  # per mL or per vial: not a tablet strength
    return numerator.value * mass.factor / per


def _ingredient_strength(medication: JsonObject) -> float | None:
    """The one ingredient strength of a single-drug product; None for combinations."""
    strengths = []
    for ingredient in as_objects(medication.get("ingredient")):
        ratio = as_object(ingredient.get("strength")) or as_object(ingredient.get("strengthRatio"))
        if ratio is not None:
            strengths.append(_per_unit_mg(ratio))
    return strengths[0] if len(strengths) == 1 else None


def product_strength_mg(resource: JsonObject, resolve: Resolver) -> float | None:
    """mg per tablet or capsule of the product `resource` orders; None when unknown."""
    reference = as_object(resource.get("medicationReference"))
    medication = resolve(reference_text(reference), resource) if reference else None
    if medication is not None and medication.get("resourceType") == "Medication":
        return _ingredient_strength(medication) or code_strength_mg(codings(medication.get("code")))
    return code_strength_mg(codings(resource.get("medicationCodeableConcept")))
