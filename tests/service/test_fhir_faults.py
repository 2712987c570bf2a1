"""The EHR's FHIR server misbehaves: the service stays up, answers within its budget, and
either uses what it got with a warning card naming what is missing, or answers 412.

Runs against a loopback server that misbehaves on purpose (tests/support/faulty_fhir_server).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.validation import validator
from tests.service.hook_requests import PATIENT_ID, SERVICE_IDS, hook_request
from tests.support.faulty_fhir_server import FaultyFhirServer, faulty_fhir_server

ORDER_SELECT = f"/cds-services/{SERVICE_IDS['order-select']}"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
TIMEOUT_S = 0.5
BUDGET_S = 1.5


def observation(
    oid: str, code: str, value: dict[str, Any], when: str = "2026-11-01"
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": when,
        **value,
    }


def trastuzumab_draft() -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "draft-h",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "224905"}],
            "text": "trastuzumab",
        },
    }


@pytest.fixture(scope="module")
def server() -> Iterator[FaultyFhirServer]:
    with faulty_fhir_server() as running:
        yield running


@pytest.fixture
def faulty(server: FaultyFhirServer) -> FaultyFhirServer:
    server.reset()
    server.behaviour.resources = {
        "Patient": [
            {
                "resourceType": "Patient",
                "id": PATIENT_ID,
                "gender": "female",
                "birthDate": "1960-01-01",
            }
        ],
        "Observation:lvef": [
            observation(
                "lvef-1",
                "10230-1",
                {"valueQuantity": {"value": 60, "unit": "%", "system": UCUM, "code": "%"}},
            )
        ],
    }
    return server


@pytest.fixture
def service(make_app: Callable[..., Flask], faulty: FaultyFhirServer) -> FlaskClient:
    app = make_app(
        fhir_servers=(faulty.base_url,),
        fhir_allow_loopback_http=True,
        fhir_timeout_s=TIMEOUT_S,
        fhir_budget_s=BUDGET_S,
    )
    return app.test_client()


def call(service: FlaskClient, faulty: FaultyFhirServer) -> tuple[Any, float]:
    body = hook_request(
        "order-select",
        fhir_server=faulty.base_url,
        token=faulty.token,
        draft_orders=[trastuzumab_draft()],
    )
    started = time.monotonic()
    response = service.post(ORDER_SELECT, json=body)
    return response, time.monotonic() - started


def lvef_gap_cards(response: Any) -> list[dict[str, Any]]:
    cards = response.get_json()["cards"]
    return [c for c in cards if c["summary"].startswith("LVEF could not be retrieved from the EHR")]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("timeout", "timed out"),
        ("401", "HTTP 401"),
        ("403", "HTTP 403"),
        ("404", "HTTP 404"),
        ("429", "HTTP 429"),
        ("500", "HTTP 500"),
        ("invalid-json", "not JSON"),
        ("non-bundle", "not a Bundle"),
    ],
)
def test_a_failed_lvef_query_becomes_a_warning_card(
    service: FlaskClient, faulty: FaultyFhirServer, mode: str, reason: str
) -> None:
    faulty.behaviour.modes["Observation:lvef"] = mode
    faulty.behaviour.delay_s = 3 * TIMEOUT_S
    response, elapsed = call(service, faulty)
    assert response.status_code == 200, response.get_data(as_text=True)
    validator("response").validate(response.get_json())
    gap_cards = lvef_gap_cards(response)
    assert len(gap_cards) == 1
    assert gap_cards[0]["indicator"] == "warning"
    assert reason in gap_cards[0]["summary"] + gap_cards[0]["detail"]
    assert elapsed < BUDGET_S + 1.5  # a hang guard, not a performance claim


def test_429_is_retried_once_then_the_data_are_used(
    service: FlaskClient, faulty: FaultyFhirServer
) -> None:
    faulty.behaviour.modes["Observation:lvef"] = "429"
    faulty.behaviour.failures_before_success["Observation:lvef"] = 1
    response, _ = call(service, faulty)
    assert response.status_code == 200
    assert lvef_gap_cards(response) == []
    assert len(faulty.requests_to("Observation:lvef")) == 2


def test_a_500_is_not_retried(service: FlaskClient, faulty: FaultyFhirServer) -> None:
    faulty.behaviour.modes["Observation:lvef"] = "500"
    call(service, faulty)
    assert len(faulty.requests_to("Observation:lvef")) == 1


def test_5000_entries_are_capped_and_still_used(
    service: FlaskClient, faulty: FaultyFhirServer
) -> None:
    faulty.behaviour.modes["Observation:lvef"] = "huge"
    response, elapsed = call(service, faulty)
    assert response.status_code == 200
    assert lvef_gap_cards(response) == []  # newest first: the newest LVEF was read
    assert elapsed < BUDGET_S + 1.5


def test_a_looping_next_link_is_followed_once(
    service: FlaskClient, faulty: FaultyFhirServer
) -> None:
    faulty.behaviour.modes["Observation:lvef"] = "loop"
    response, _ = call(service, faulty)
    assert response.status_code == 200
    assert len(faulty.requests_to("Observation:lvef")) == 2  # the page and its repeat, no more


def test_a_redirect_to_another_origin_is_not_followed_with_the_token(
    service: FlaskClient, faulty: FaultyFhirServer
) -> None:
    with faulty_fhir_server() as elsewhere:
        faulty.behaviour.modes["Observation:lvef"] = "redirect"
        faulty.behaviour.redirect_to = elsewhere.origin
        response, _ = call(service, faulty)
        assert response.status_code == 200
        assert elsewhere.received == []
        assert "redirected elsewhere" in lvef_gap_cards(response)[0]["detail"]


def test_no_patient_means_412(service: FlaskClient, faulty: FaultyFhirServer) -> None:
    faulty.behaviour.modes["Patient"] = "500"
    response, _ = call(service, faulty)
    assert response.status_code == 412
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "Patient resource" in outcome["issue"][0]["diagnostics"]


def test_everything_failing_is_412_and_fast(service: FlaskClient, faulty: FaultyFhirServer) -> None:
    for target in (
        "Patient",
        "Observation",
        "Observation:lvef",
        "Condition",
        "MedicationRequest",
        "MedicationAdministration",
        "MedicationStatement",
    ):
        faulty.behaviour.modes[target] = "timeout"
    faulty.behaviour.delay_s = 3 * TIMEOUT_S
    response, elapsed = call(service, faulty)
    assert response.status_code == 412
    assert elapsed < BUDGET_S + 1.5


def test_the_token_goes_only_to_the_fhir_server(
    service: FlaskClient, faulty: FaultyFhirServer
) -> None:
    call(service, faulty)
    assert faulty.received
    assert {r.authorization for r in faulty.received} == {f"Bearer {faulty.token}"}
