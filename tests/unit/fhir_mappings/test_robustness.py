"""Malformed or unexpected resources never raise: they are skipped or read leniently, with a note
that names no patient; unknown codes are ignored."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_mappings import build_patient_facts, read_draft_orders, recognise_medication
from tests.unit.fhir_mappings.builders import NOW, observation, patient, qty, request

FIXTURES = Path(__file__).parents[2] / "fixtures"
YANG = (
    FIXTURES
    / "synthea/bundles/blaze_dd92a3e7-d1db-c15a-f8fe-e3847b7f07b1_Yang129_Rosenbaum794.json"
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-01-01", "2026-13-45", "3+", "0", "> 2.2", "mg/m2", "%", "Z"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = [
    "code", "status", "valueQuantity", "valueString", "valueCodeableConcept", "valueInteger",
    "valueRatio", "effectiveDateTime", "effectivePeriod", "issued", "component", "specimen",
    "interpretation", "note", "clinicalStatus", "verificationStatus", "onsetDateTime",
    "abatementDateTime", "medicationCodeableConcept", "medicationReference", "dosageInstruction",
    "dosage", "dispenseRequest", "authoredOn", "contained", "gender", "birthDate", "entry",
    "ingredient",
]  # fmt: skip
TYPES = [
    "Observation", "Condition", "MedicationRequest", "MedicationAdministration",
    "MedicationStatement", "Medication", "Patient", "Bundle", "Encounter",
]  # fmt: skip
resources = st.builds(
    lambda rtype, fields: {"resourceType": rtype, **fields},
    st.sampled_from(TYPES),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
)
GUARD_FIRED = "internal error"


def _no_guard_fired(notes: tuple[Any, ...]) -> None:
    assert not [n for n in notes if GUARD_FIRED in n.message], "a reader raised on client data"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(resources | json_values, max_size=6))
def test_random_resources_never_raise(items: list[Any]) -> None:
    facts = build_patient_facts(items, now=NOW)
    _no_guard_fired(facts.data_quality)
    read_draft_orders(
        {"resourceType": "Bundle", "entry": [{"resource": r} for r in items]},
        [],
        hook="order-select",
    )
    for item in items:
        if isinstance(item, dict):
            recognise_medication(item, resources=items)


@pytest.fixture(scope="module")
def synthea_entries() -> list[dict[str, Any]]:
    bundle = json.loads(YANG.read_text(encoding="utf-8"))
    return [e["resource"] for e in bundle["entry"]]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_real_resources_with_one_field_broken_never_raise(
    synthea_entries: list[dict[str, Any]], data: st.DataObject
) -> None:
    relevant = [
        r
        for r in synthea_entries
        if r["resourceType"] in {"Observation", "Condition", "MedicationRequest", "Patient"}
    ]
    target = copy.deepcopy(data.draw(st.sampled_from(relevant)))
    key = data.draw(st.sampled_from(sorted(target)))
    target[key] = data.draw(json_values)
    facts = build_patient_facts([target], now=NOW)
    _no_guard_fired(facts.data_quality)


def test_sandbox_category_object_does_not_cost_recognition() -> None:
    # The sandbox sends `category` as an object (cds-hooks-notes §3): not an element we read.
    sloppy = request("224905", status="active", category={"coding": [{"code": "outpatient"}]})
    facts = build_patient_facts([sloppy], now=NOW)
    assert facts.therapy.of_drug("trastuzumab") is not None
    assert facts.data_quality == ()


def test_a_needed_element_in_the_wrong_shape_is_read_leniently_with_a_note() -> None:
    sloppy = request(
        "224905",
        status="active",
        dosageInstruction={"doseAndRate": [{"doseQuantity": qty(6, "mg/kg")}]},
    )
    facts = build_patient_facts([sloppy], now=NOW)
    exposure = facts.therapy.of_drug("trastuzumab")
    assert exposure is not None and exposure.doses[0].dose is not None
    assert exposure.doses[0].dose.unit == "mg/kg"
    assert [n.message for n in facts.data_quality] == [
        "did not validate as FHIR R4B (dosageInstruction); needed fields read leniently"
    ]


def test_lvef_missing_its_status_is_still_read_with_a_note() -> None:
    obs = observation("10230-1", valueQuantity=qty(52, "%"))
    del obs["status"]
    facts = build_patient_facts([obs], now=NOW)
    assert facts.lvef.latest is not None and facts.lvef.latest.percent == 52.0
    assert "status" in facts.data_quality[0].message


def test_notes_never_carry_patient_identifiers() -> None:
    person = patient() | {
        "name": [{"family": "Smith", "given": ["Jane"]}],
        "identifier": [{"value": "MRN-78432"}],
        "birthDate": "not-a-date",
    }
    broken = [
        person,
        observation(
            "10230-1", valueQuantity={"value": "fifty"}, subject={"reference": "Patient/MRN-78432"}
        ),
        observation("29463-7", valueQuantity=qty(70, "stone")),
        request("224905", category={"text": "Jane Smith"}),
        {"resourceType": "Observation", "id": "MRN-78432", "code": "10230-1"},
        "MRN-78432",
    ]
    facts = build_patient_facts(broken, now=NOW)
    assert facts.data_quality
    text = json.dumps([n.message for n in facts.data_quality])
    for secret in ("MRN-78432", "Smith", "Jane", "p1", "obs-", "mr-", "stone"):
        assert secret not in text


def test_client_text_inside_an_element_never_reaches_a_note() -> None:
    sneaky = observation("10230-1", valueQuantity={"value": 50, "unit": "%", "Jane Smith": 1})
    facts = build_patient_facts([sneaky], now=NOW)
    assert facts.lvef.latest is not None
    assert [n.message for n in facts.data_quality] == [
        "did not validate as FHIR R4B (valueQuantity); needed fields read leniently"
    ]


def test_unknown_codes_are_ignored_without_notes() -> None:
    facts = build_patient_facts(
        [observation("99999-9", valueQuantity=qty(1, "%")), request("0000000"), patient()], now=NOW
    )
    assert facts.data_quality == ()
    assert facts.therapy.exposures == ()


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_patient_facts([], now=datetime(2026, 1, 1))


def test_bundles_in_the_list_are_unpacked_and_nested_bundles_too() -> None:
    inner = {
        "resourceType": "Bundle",
        "entry": [{"resource": observation("10230-1", valueQuantity=qty(44, "%"))}],
    }
    outer = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": inner}, {"resource": patient()}],
    }
    facts = build_patient_facts([outer], now=NOW)
    assert facts.lvef.latest is not None and facts.lvef.latest.percent == 44.0
    assert facts.demographics.age_years == 56


def test_facts_are_immutable() -> None:
    facts = build_patient_facts([patient()], now=NOW)
    with pytest.raises(AttributeError):
        facts.her2 = None  # type: ignore[misc]
