"""Organ-function results: codes, UCUM units, the laboratory's upper limit, Cockcroft-Gault."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import LabResults, build_patient_facts
from tests.unit.fhir_mappings.builders import NOW, at, condition, observation, patient, qty


def labs(*resources: dict[str, Any]) -> LabResults:
    return build_patient_facts(list(resources), now=NOW).labs


def notes(*resources: dict[str, Any]) -> list[str]:
    return [n.message for n in build_patient_facts(list(resources), now=NOW).data_quality]


@pytest.mark.parametrize(
    ("code", "analyte"),
    [
        ("1742-6", "alt"),
        ("1920-8", "ast"),
        ("1975-2", "bilirubin-total"),
        ("2160-0", "creatinine"),
        ("98979-8", "egfr"),
        ("35591-7", "creatinine-clearance"),
        ("751-8", "neutrophils"),
        ("777-3", "platelets"),
    ],
)
def test_each_analyte_is_read_from_its_loinc_code(code: str, analyte: str) -> None:
    unit = {"1975-2": "mg/dL", "2160-0": "mg/dL", "98979-8": "mL/min/{1.73_m2}"}.get(code)
    unit = unit or {"35591-7": "mL/min", "751-8": "10*9/L", "777-3": "10*9/L"}.get(code, "U/L")
    [result] = labs(observation(code, valueQuantity=qty(2.0, unit))).results
    assert result.analyte == analyte
    assert result.value == pytest.approx(2.0)
    assert result.when == at("2026-01-10")
    assert result.evidence.resource_type == "Observation" and result.evidence.resource_id


@pytest.mark.parametrize(
    ("code", "quantity", "value", "unit"),
    [
        ("2160-0", qty(1.2, "mg/dL"), 1.2, "mg/dL"),
        ("14682-9", qty(106.1, "umol/L"), 1.2, "mg/dL"),
        ("14682-9", {"value": 106.1, "unit": "µmol/L"}, 1.2, "mg/dL"),
        ("1975-2", qty(34.2, "umol/L"), 2.0, "mg/dL"),
        ("751-8", qty(1.5, "10*3/uL"), 1.5, "10*9/L"),
        ("751-8", qty(1.5, "10*9/L"), 1.5, "10*9/L"),
        ("751-8", qty(1500, "/uL"), 1.5, "10*9/L"),
        ("777-3", {"value": 48, "unit": "K/uL"}, 48, "10*9/L"),
        ("1742-6", qty(2, "ukat/L"), 120, "U/L"),
        ("1742-6", {"value": 60, "unit": "IU/L"}, 60, "U/L"),
    ],
)
def test_units_are_converted_to_one_canonical_unit(
    code: str, quantity: dict[str, Any], value: float, unit: str
) -> None:
    [result] = labs(observation(code, valueQuantity=quantity)).results
    assert (result.value, result.unit) == (pytest.approx(value, rel=2e-3), unit)


def test_a_converted_value_shows_what_the_laboratory_wrote() -> None:
    [result] = labs(observation("14682-9", valueQuantity=qty(106.1, "umol/L"))).results
    assert result.evidence.value == "1.2 mg/dL (106.1 umol/L)"


def test_an_unknown_unit_is_skipped_never_guessed() -> None:
    resources = [observation("2160-0", valueQuantity=qty(1.2, "g/L"))]
    assert labs(*resources).results == ()
    assert any("unit not in units.json" in n for n in notes(*resources))


def test_a_value_without_a_number_or_outside_the_plausible_range_is_skipped() -> None:
    assert labs(observation("777-3", valueString="clumped")).results == ()
    assert labs(observation("777-3", valueQuantity=qty(150000, "10*9/L"))).results == ()


def test_the_upper_limit_of_normal_is_the_laboratorys_own_reference_range() -> None:
    resources = [
        observation(
            "1975-2",
            valueQuantity=qty(51.3, "umol/L"),
            referenceRange=[{"low": qty(3, "umol/L"), "high": qty(17.1, "umol/L")}],
        )
    ]
    [result] = labs(*resources).results
    assert result.upper_limit == pytest.approx(1.0)
    assert "upper limit of normal 1 mg/dL" in (result.evidence.value or "")


def test_no_reference_range_leaves_the_upper_limit_to_the_rules() -> None:
    [result] = labs(observation("1742-6", valueQuantity=qty(30, "U/L"))).results
    assert result.upper_limit is None


def test_results_are_newest_first_and_withdrawn_results_never_count() -> None:
    found = labs(
        observation("1742-6", when="2026-01-01", valueQuantity=qty(30, "U/L")),
        observation("1742-6", when="2026-05-01", valueQuantity=qty(300, "U/L")),
        observation(
            "1742-6", when="2026-05-20", status="entered-in-error", valueQuantity=qty(3000, "U/L")
        ),
    )
    assert [r.value for r in found.of("alt")] == [300, 30]
    latest = found.latest("alt")
    assert latest is not None and latest.when == at("2026-05-01")


def test_cockcroft_gault_when_only_creatinine_is_on_file() -> None:
    found = labs(
        patient("female", "1960-01-01"),  # 66 on NOW
        observation("2160-0", when="2026-05-30", valueQuantity=qty(1.2, "mg/dL")),
        observation("29463-7", when="2026-05-30", valueQuantity=qty(70, "kg")),
    )
    clearance = found.clearance
    assert clearance is not None and clearance.method == "cockcroft-gault"
    assert clearance.ml_per_min == pytest.approx((140 - 66) * 70 / (72 * 1.2) * 0.85)
    assert clearance.when == at("2026-05-30")
    assert {e.resource_type for e in clearance.evidence} >= {"Observation", "Patient"}


def test_cockcroft_gault_for_a_man_has_no_female_factor() -> None:
    found = labs(
        patient("male", "1960-01-01"),
        observation("2160-0", valueQuantity=qty(1.0, "mg/dL")),
        observation("29463-7", valueQuantity=qty(80, "kg")),
    )
    assert found.clearance is not None
    assert found.clearance.ml_per_min == pytest.approx(74 * 80 / 72)


def test_a_recorded_clearance_at_least_as_new_as_the_creatinine_is_used() -> None:
    found = labs(
        patient(),
        observation("2160-0", when="2026-05-01", valueQuantity=qty(1.0, "mg/dL")),
        observation("35591-7", when="2026-05-02", valueQuantity=qty(44, "mL/min")),
        observation("29463-7", valueQuantity=qty(80, "kg")),
    )
    assert found.clearance is not None
    assert (found.clearance.method, found.clearance.ml_per_min) == ("recorded", 44)


@pytest.mark.parametrize(
    ("resources", "missing"),
    [
        ([patient(), observation("2160-0", valueQuantity=qty(1.0, "mg/dL"))], "weight"),
        (
            [
                patient(gender=None),
                observation("2160-0", valueQuantity=qty(1.0, "mg/dL")),
                observation("29463-7", valueQuantity=qty(80, "kg")),
            ],
            "sex",
        ),
    ],
)
def test_no_clearance_without_what_cockcroft_gault_needs(
    resources: list[dict[str, Any]], missing: str
) -> None:
    found = labs(*resources)
    assert found.clearance is None
    assert found.clearance_note is not None and missing in found.clearance_note


def test_no_creatinine_no_clearance_and_no_note() -> None:
    found = labs(patient(), observation("29463-7", valueQuantity=qty(80, "kg")))
    assert (found.clearance, found.clearance_note) == (None, None)


def _child_pugh(value: dict[str, Any], when: str = "2026-05-01") -> dict[str, Any]:
    resource = observation("3191000175106", when=when, **value)
    resource["code"]["coding"][0]["system"] = "http://snomed.info/sct"
    return resource


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"valueString": "C"}, "C"),
        ({"valueString": "Child-Pugh class B"}, "B"),
        (
            {
                "valueCodeableConcept": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "710067001"}]
                }
            },
            "C",
        ),
        ({"valueInteger": 11}, "C"),
        ({"valueInteger": 6}, "A"),
        ({"valueString": "see note"}, None),
    ],
)
def test_child_pugh_class_from_an_observation(value: dict[str, Any], expected: str | None) -> None:
    found = labs(_child_pugh(value)).child_pugh
    assert (found.child_class if found else None) == expected


def test_liver_disease_and_an_ended_condition() -> None:
    active = condition("19943007", onset="2025-01-01")
    resolved = condition("59927004", onset="2025-01-01", clinical="resolved")
    found = labs(active, resolved)
    assert [e.resource_id for e in found.liver_disease] == [active["id"]]
    assert found.child_pugh is None
