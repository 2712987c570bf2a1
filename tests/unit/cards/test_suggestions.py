"""Suggested MedicationRequests: valid R4B, and a schedule a pharmacist can read without the
text (review finding 2): a loading dose given once, then the maintenance dose; capecitabine
twice daily on days 1-14 only."""

from __future__ import annotations

from fhir.resources.R4B.medicationrequest import MedicationRequest

from cards.suggestions import DoseAmount, LoadingDose, medication_request
from fhir_mappings import read_draft_orders


def _request(**extra):
    arguments = {
        "patient_id": "pat-1",
        "rxnorm_code": "224905",
        "drug_display": "trastuzumab",
        "dose_mg": 420,
        "interval_days": 21,
        "route": "iv",
        "instruction": "trastuzumab 420 mg IV every 3 weeks",
    }
    arguments.update(extra)
    return medication_request(**arguments)


def test_the_existing_keyword_arguments_still_make_one_repeating_dose():
    resource = _request()
    MedicationRequest.model_validate(resource)
    [dosage] = resource["dosageInstruction"]
    assert dosage["timing"] == {"repeat": {"frequency": 1, "period": 3, "periodUnit": "wk"}}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 420
    assert dosage["route"]["coding"][0]["code"] == "47625008"
    twice_daily = _request(interval_days=1, frequency=2, route="oral")
    assert twice_daily["dosageInstruction"][0]["timing"]["repeat"] == {
        "frequency": 2, "period": 1, "periodUnit": "d",
    }  # fmt: skip


def test_a_loading_dose_is_given_once_then_the_maintenance_dose_repeats():
    resource = _request(
        loading=LoadingDose(DoseAmount(560, "mg"), "trastuzumab 560 mg IV, loading dose, once")
    )
    MedicationRequest.model_validate(resource)
    loading, maintenance = resource["dosageInstruction"]
    assert loading["sequence"] == 1 and maintenance["sequence"] == 2
    assert loading["timing"] == {"repeat": {"count": 1}}
    assert loading["doseAndRate"][0]["doseQuantity"]["value"] == 560
    assert loading["text"] == "trastuzumab 560 mg IV, loading dose, once"
    assert maintenance["timing"]["repeat"] == {"frequency": 1, "period": 3, "periodUnit": "wk"}
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 420
    assert maintenance["route"] == loading["route"]


def test_days_1_to_14_are_bounded_in_the_timing():
    resource = _request(
        rxnorm_code="194000",
        drug_display="capecitabine",
        dose_mg=1790,
        interval_days=1,
        frequency=2,
        route="oral",
        instruction="capecitabine 1790 mg orally twice daily, days 1-14 of each 21-day cycle",
        course_days=14,
    )
    MedicationRequest.model_validate(resource)
    [dosage] = resource["dosageInstruction"]
    assert dosage["timing"]["repeat"] == {
        "frequency": 2,
        "period": 1,
        "periodUnit": "d",
        "boundsDuration": {
            "value": 14, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d",
        },
    }  # fmt: skip
    assert "days 1-14 of each 21-day cycle" in dosage["text"]


def test_a_fixed_volume_product_is_dosed_in_millilitres():
    resource = _request(
        rxnorm_code=None,
        drug_display="Phesgo",
        dose_mg=None,
        dose=DoseAmount(10, "mL"),
        route="sc",
        loading=LoadingDose(DoseAmount(15, "mL"), "Phesgo 15 mL SC loading dose, once"),
    )
    MedicationRequest.model_validate(resource)
    loading, maintenance = resource["dosageInstruction"]
    assert loading["doseAndRate"][0]["doseQuantity"] == {
        "value": 15, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL",
    }  # fmt: skip
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 10


def test_a_suggestion_read_back_as_a_draft_is_the_loading_dose_on_its_schedule():
    resource = {
        **_request(loading=LoadingDose(DoseAmount(560, "mg"), "loading dose, once")),
        "id": "s1",
    }
    bundle = {"resourceType": "Bundle", "entry": [{"resource": resource}]}
    [order] = read_draft_orders(bundle, ["MedicationRequest/s1"], hook="order-select")
    assert order.dose is not None and order.dose.value == 560
    assert order.interval_days == 21
