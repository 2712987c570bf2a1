"""Tablet strengths: from a Medication's one ingredient strength, or a product code whose
strength the medication table holds (only codes checked against a record)."""

from __future__ import annotations

from fhir_mappings import Dose, count_unit
from fhir_mappings.doses import with_strength
from fhir_mappings.resource_set import ResourceSet
from fhir_mappings.strength import product_strength_mg

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _strength(order: dict) -> float | None:
    return product_strength_mg(order, ResourceSet([order]).resolve)


def _medication(*ingredients: dict) -> dict:
    return {
        "resourceType": "MedicationRequest",
        "contained": [{"resourceType": "Medication", "id": "m", "ingredient": list(ingredients)}],
        "medicationReference": {"reference": "#m"},
    }


def _ingredient(mg: float, per: dict | None = None) -> dict:
    ratio: dict = {"numerator": {"value": mg, "unit": "mg", "code": "mg"}}
    if per is not None:
        ratio["denominator"] = per
    return {"itemCodeableConcept": {"text": "capecitabine"}, "strength": ratio}


def test_one_ingredient_strength_per_tablet():
    tablet = {"value": 1, "unit": "tablet", "code": "{tbl}"}
    assert _strength(_medication(_ingredient(500, tablet))) == 500


def test_a_strength_per_ml_or_of_a_combination_is_not_a_tablet_strength():
    per_ml = {"value": 1, "unit": "mL", "code": "mL"}
    assert _strength(_medication(_ingredient(20, per_ml))) is None
    assert _strength(_medication(_ingredient(500), _ingredient(150))) is None


def test_product_codes_give_their_strength_only_when_checked():
    def coded(code: str) -> dict:
        concept = {"coding": [{"system": RXNORM, "code": code}]}
        return {"resourceType": "MedicationRequest", "medicationCodeableConcept": concept}

    assert _strength(coded("672149")) == 250  # lapatinib 250 MG Oral Tablet
    assert _strength(coded("213293")) == 500  # Xeloda 500 MG Oral Tablet
    assert _strength(coded("200327")) == 150  # capecitabine 150 MG Oral Tablet
    assert _strength(coded("200328")) == 500  # the sandbox's capecitabine 500 MG Oral Tablet
    assert _strength(coded("194000")) is None  # an ingredient code has no strength


def test_a_count_is_read_in_mg_only_with_a_strength():
    assert count_unit("{pill}") == "tablet" and count_unit("caps") == "capsule"
    assert count_unit("mg") is None
    assert with_strength(Dose(3, "{tbl}"), 500) == Dose(3, "{tbl}", 1500)
    assert with_strength(Dose(3, "{tbl}"), None) == Dose(3, "{tbl}")
    assert with_strength(Dose(3, "{vial}"), 500) == Dose(3, "{vial}")
