"""Draft orders from context.draftOrders: selection, medication, dose choice, interval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings import Dose, read_draft_orders
from tests.unit.fhir_mappings.builders import RXNORM, UCUM, request

FIXTURES = Path(__file__).parents[2] / "fixtures"


def load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / path).read_text(encoding="utf-8"))
    return data


def bundle(*resources: dict[str, Any], typed: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = {
        "resourceType": "Bundle",
        "entry": [{"resource": r} for r in resources],
    }
    if typed:
        result["type"] = "collection"
    return result


def test_no_draft_orders() -> None:
    assert read_draft_orders(None, (), hook="order-select") == ()
    assert read_draft_orders({"resourceType": "Bundle"}, (), hook="order-select") == ()


def test_order_select_marks_only_the_selections() -> None:
    first, second = request("224905"), request("1298944")
    orders = read_draft_orders(
        bundle(first, second), [f"MedicationRequest/{first['id']}"], hook="order-select"
    )
    assert [(o.medication.drug if o.medication else None, o.selected) for o in orders] == [
        ("trastuzumab", True),
        ("pertuzumab", False),
    ]
    assert orders[0].reference == f"MedicationRequest/{first['id']}"


def test_order_sign_selects_every_order() -> None:
    orders = read_draft_orders(bundle(request("224905"), request("1298944")), (), hook="order-sign")
    assert all(o.selected for o in orders)


def test_selection_given_as_an_absolute_url() -> None:
    order = request("224905")
    url = f"https://ehr.example/fhir/MedicationRequest/{order['id']}"
    assert read_draft_orders(bundle(order), [url], hook="order-select")[0].selected


def test_sandbox_skeleton_without_type_category_object_or_medication() -> None:
    skeleton = {
        "resourceType": "MedicationRequest",
        "id": "request-123",
        "status": "draft",
        "subject": {"reference": "Patient/smart-1288992"},
        "authoredOn": "2026-05-01",
        "category": {"coding": [{"code": "outpatient"}]},
        "reasonCode": {"coding": [{"code": "254837009"}]},
    }
    orders = read_draft_orders(
        bundle(skeleton, typed=False), ["MedicationRequest/request-123"], hook="order-select"
    )
    assert len(orders) == 1
    assert (orders[0].medication, orders[0].selected, orders[0].status) == (None, True, "draft")


def test_service_requests_and_other_orders_have_no_medication() -> None:
    service = {
        "resourceType": "ServiceRequest",
        "id": "echo",
        "status": "draft",
        "code": {"text": "Echocardiogram"},
    }
    nutrition = {"resourceType": "NutritionOrder", "id": "n1", "status": "draft"}
    orders = read_draft_orders(
        bundle(service, nutrition), ["ServiceRequest/echo"], hook="order-select"
    )
    assert [(o.resource_type, o.medication, o.selected) for o in orders] == [
        ("ServiceRequest", None, True),
        ("NutritionOrder", None, False),
    ]


def test_order_without_id_has_an_empty_reference() -> None:
    order = request("224905")
    del order["id"]
    assert read_draft_orders(bundle(order), (), hook="order-select")[0].reference == ""


def test_medication_reference_to_a_medication_in_the_draft_bundle_or_the_resources() -> None:
    med = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"coding": [{"system": RXNORM, "code": "1371046"}]},
    }
    order = {
        "resourceType": "MedicationRequest",
        "id": "o1",
        "medicationReference": {"reference": "Medication/m1"},
    }
    in_bundle = read_draft_orders(bundle(order, med), (), hook="order-sign")
    assert in_bundle[0].medication is not None
    assert in_bundle[0].medication.drug == "ado-trastuzumab-emtansine"
    fetched = read_draft_orders(bundle(order), (), hook="order-sign", resources=[med])
    assert fetched[0].medication is not None
    assert fetched[0].medication.drug == "ado-trastuzumab-emtansine"


def test_contained_medication() -> None:
    order = {
        "resourceType": "MedicationRequest",
        "id": "o2",
        "contained": [
            {"resourceType": "Medication", "id": "c", "code": {"text": "Enhertu 100 mg"}}
        ],
        "medicationReference": {"reference": "#c"},
    }
    found = read_draft_orders(bundle(order), (), hook="order-sign")[0].medication
    assert found is not None
    assert found.drug == "fam-trastuzumab-deruxtecan"


def _epic_dose_and_rate(*entries: tuple[str, float, str]) -> list[dict[str, Any]]:
    return [
        {
            "type": {
                "coding": [{"system": "http://epic.com/CodeSystem/dose-rate-type", "code": kind}]
            },
            "doseQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        }
        for kind, value, unit in entries
    ]


@pytest.mark.parametrize(
    ("entries", "dose"),
    [
        (
            [
                ("calculated", 420.0, "mg"),
                ("admin-amount", 1.0, "{vial}"),
                ("ordered", 6.0, "mg/kg"),
            ],
            Dose(6.0, "mg/kg", 420.0),
        ),
        ([("admin-amount", 2.0, "{tbl}"), ("calculated", 150.0, "mg")], Dose(150.0, "mg", 150.0)),
        ([("calculated", 140.0, "mg"), ("ordered", 75.0, "mg/m2")], Dose(75.0, "mg/m2", 140.0)),
        ([("admin-amount", 1.0, "{tbl}")], Dose(1.0, "{tbl}")),
        ([("ordered", 0.5, "g")], Dose(0.5, "g", 500.0)),
        ([("ordered", 250.0, "ug")], Dose(250.0, "ug", 0.25)),
    ],
)
def test_dose_choice_among_epic_dose_and_rate_entries(
    entries: list[tuple[str, float, str]], dose: Dose
) -> None:
    order = request("224905", dosageInstruction=[{"doseAndRate": _epic_dose_and_rate(*entries)}])
    assert read_draft_orders(bundle(order), (), hook="order-sign")[0].dose == dose


def test_dose_unit_spelled_with_superscript_is_mg_per_m2() -> None:
    order = request("72962", dose={"value": 75, "unit": "mg/m²"})
    assert read_draft_orders(bundle(order), (), hook="order-sign")[0].dose == Dose(75.0, "mg/m2")


@pytest.mark.parametrize(
    ("repeat", "days"),
    [
        ({"frequency": 1, "period": 3, "periodUnit": "wk"}, 21.0),
        ({"frequency": 1, "period": 1, "periodUnit": "wk"}, 7.0),
        ({"frequency": 1, "period": 1, "periodUnit": "d"}, 1.0),
        ({"period": 21, "periodUnit": "d"}, 21.0),
        ({"frequency": 2, "period": 1, "periodUnit": "d"}, 0.5),
        ({"frequency": 1, "period": 4, "periodUnit": "h"}, 1 / 6),
        ({"frequency": 1}, None),
        ({"period": 3, "periodUnit": "fortnight"}, None),
    ],
)
def test_interval_from_timing(repeat: dict[str, Any], days: float | None) -> None:
    order = request("224905", dosageInstruction=[{"timing": {"repeat": repeat}}])
    interval = read_draft_orders(bundle(order), (), hook="order-sign")[0].interval_days
    assert interval == (pytest.approx(days) if days is not None else None)


def test_cqf_ruler_epic_order_sign_request() -> None:
    request_json = load("cds-hooks/cqframework-cqf-ruler/opioidcds-08-request.json")
    context = request_json["context"]
    orders = read_draft_orders(context["draftOrders"], (), hook=request_json["hook"])
    assert len(orders) == 1
    order = orders[0]
    assert order.selected and order.status == "draft"
    assert order.medication is not None
    assert (order.medication.drug, order.medication.matched_by) == (None, "none")
    assert order.medication.text == "Morphine Sulfate 50 MG [Kadian]"
    assert order.dose == Dose(30.0, "mg", 30.0)  # the 'ordered' entry, not '1 tablet'
    assert order.interval_days == pytest.approx(4 / 24)


def test_cqf_ruler_malformed_order_select_request_is_read_leniently() -> None:
    request_json = load("cds-hooks/cqframework-cqf-ruler/opioidcds-04-request.json")
    context = request_json["context"]
    orders = read_draft_orders(
        context["draftOrders"], context["selections"], hook=request_json["hook"]
    )
    assert [(o.reference, o.selected, o.interval_days) for o in orders] == [
        ("MedicationRequest/example-rec-04-context", True, 3.0)
    ]
    assert orders[0].medication is not None
    assert (
        orders[0].medication.text
        == "12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet"
    )


@pytest.mark.parametrize("folder", ["cds-requests/codex-mopa", "mcode/codex-mopa-ig"])
def test_codex_mopa_th_regimen_draft_orders(folder: str) -> None:
    sign = load(f"{folder}/Bundle-ExampleOrderSignBundle.json")
    orders = read_draft_orders(sign, (), hook="order-sign")
    drugs = {o.reference: (o.medication.drug if o.medication else None) for o in orders}
    assert drugs == {
        "RequestGroup/THRegimenOrder": None,
        "MedicationRequest/PaclitaxelMedRequestTH": "paclitaxel",
        "MedicationRequest/TrastuzumabMedRequestTH": "trastuzumab",
    }
    trastuzumab = next(o for o in orders if o.reference.endswith("TrastuzumabMedRequestTH"))
    assert trastuzumab.medication is not None
    assert trastuzumab.medication.matched_by == "rxnorm-ingredient"
    assert trastuzumab.dose is None  # the IG gives dosage text only
    select = load(f"{folder}/Bundle-ExampleOrderSelectBundle.json")
    assert [
        o.resource_type
        for o in read_draft_orders(select, ("RequestGroup/THRegimenOrder",), hook="order-select")
    ] == ["RequestGroup"]


def test_draft_orders_never_raise_on_junk() -> None:
    junk: dict[str, Any] = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": "nope"},
            {"resource": {"resourceType": "MedicationRequest", "dosageInstruction": "daily"}},
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "medicationCodeableConcept": [1, 2],
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "dosageInstruction": [{"timing": {"repeat": {"period": "x"}}}],
                }
            },
            {},
        ],
    }
    orders = read_draft_orders(junk, [None, 3], hook="order-select")  # type: ignore[list-item]
    assert len(orders) == 3
    assert all(o.medication is None and o.dose is None for o in orders)
