"""Prefetch resolution (CDS Hooks 2.0.1 §Prefetch) against the real FHIR test server.

present → used; null → the client has none; OperationOutcome or absent → fetched from
fhirServer with the Bearer token; unobtainable required data → 412.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.validation import validator
from tests.service.hook_requests import (
    PATIENT_ID,
    SERVICE_IDS,
    full_prefetch,
    hook_request,
    patient_resource,
)
from tests.support.fhir_server import FhirTestServer

pytestmark = pytest.mark.integration

PATIENT_VIEW = f"/cds-services/{SERVICE_IDS['patient-view']}"
LOINC = "http://loinc.org"


def lvef_observation(oid: str, when: str, value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "10230-1"}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": value,
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        },
    }


@pytest.fixture
def fhir(fhir_server: FhirTestServer) -> FhirTestServer:
    fhir_server.reset()
    fhir_server.load([patient_resource(), lvef_observation("lvef-1", "2026-10-01", 58)])
    return fhir_server


@pytest.fixture
def service(make_app: Callable[..., Flask], fhir: FhirTestServer) -> FlaskClient:
    app = make_app(fhir_servers=(fhir.base_url,), fhir_allow_loopback_http=True)
    return app.test_client()


def sources(caplog: pytest.LogCaptureFixture) -> dict[str, str]:
    records = [r for r in caplog.records if getattr(r, "prefetch_sources", None)]
    assert records, "the request log line carries prefetch_sources"
    return records[-1].prefetch_sources  # type: ignore[no-any-return]


def fhir_queries(fhir: FhirTestServer) -> list[dict[str, Any]]:
    """The reads and searches the server received (the tests' own loading is a POST)."""
    return [q for q in fhir.requests_log() if q["method"] == "GET"]


def test_prefetch_present_is_used_and_the_server_is_not_asked(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="her2cds")
    body = hook_request(
        "patient-view", prefetch=full_prefetch(), fhir_server=fhir.base_url, token="tok-A1"
    )
    response = service.post(PATIENT_VIEW, json=body)
    assert response.status_code == 200
    validator("response").validate(response.get_json())
    assert fhir_queries(fhir) == []
    assert set(sources(caplog).values()) == {"prefetch"}


def test_prefetch_null_means_none_and_is_not_fetched(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="her2cds")
    prefetch = full_prefetch()
    prefetch["lvef"] = None
    body = hook_request(
        "patient-view", prefetch=prefetch, fhir_server=fhir.base_url, token="tok-A2"
    )
    assert service.post(PATIENT_VIEW, json=body).status_code == 200
    assert fhir_queries(fhir) == []
    assert sources(caplog)["lvef"] == "prefetch-null"


def test_operation_outcome_in_prefetch_is_fetched_with_the_token(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="her2cds")
    prefetch = full_prefetch()
    prefetch["lvef"] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout"}],
    }
    body = hook_request(
        "patient-view", prefetch=prefetch, fhir_server=fhir.base_url, token=fhir.token
    )
    assert service.post(PATIENT_VIEW, json=body).status_code == 200
    queries = fhir_queries(fhir)
    assert len(queries) == 1
    assert queries[0]["path"].startswith("/fhir/Observation?")
    assert "10230-1" in queries[0]["path"]
    assert queries[0]["authorized"] is True  # the EHR's token reached the FHIR server
    assert sources(caplog)["lvef"] == "fhir"


def test_absent_keys_are_fetched_in_parallel_from_a_reachable_server(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="her2cds")
    body = hook_request("patient-view", prefetch=None, fhir_server=fhir.base_url, token=fhir.token)
    response = service.post(PATIENT_VIEW, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    validator("response").validate(response.get_json())
    paths = sorted(q["path"].split("?")[0] for q in fhir_queries(fhir))
    assert paths == sorted(
        [
            f"/fhir/Patient/{PATIENT_ID}",
            "/fhir/Observation",
            "/fhir/Observation",
            "/fhir/Observation",
            "/fhir/Observation",
            "/fhir/Observation",  # labs
            "/fhir/Condition",
            "/fhir/MedicationRequest",
            "/fhir/MedicationAdministration",
            "/fhir/MedicationStatement",
        ]
    )
    assert all(q["authorized"] for q in fhir_queries(fhir))
    assert set(sources(caplog).values()) == {"fhir"}


def test_the_token_never_appears_in_logs(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = hook_request("patient-view", prefetch=None, fhir_server=fhir.base_url, token=fhir.token)
    assert service.post(PATIENT_VIEW, json=body).status_code == 200
    assert fhir.token not in caplog.text
    assert PATIENT_ID not in caplog.text


def test_a_wrong_token_is_a_data_gap_and_a_412_for_the_patient(
    service: FlaskClient, fhir: FhirTestServer
) -> None:
    body = hook_request("patient-view", prefetch=None, fhir_server=fhir.base_url, token="wrong")
    response = service.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "Patient resource" in outcome["issue"][0]["diagnostics"]
    assert "401" in outcome["issue"][0]["diagnostics"]


def test_absent_keys_without_a_server_are_412_when_required(client: FlaskClient) -> None:
    body = hook_request("patient-view", prefetch=None)
    response = client.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    diagnostics = response.get_json()["issue"][0]["diagnostics"]
    assert "Patient resource" in diagnostics and "no FHIR server" in diagnostics


def test_absent_optional_keys_without_a_server_degrade_to_gaps(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="her2cds")
    body = hook_request("patient-view", prefetch={"patient": patient_resource()})
    response = client.post(PATIENT_VIEW, json=body)
    assert response.status_code == 200
    records = [r for r in caplog.records if getattr(r, "data_gaps", None)]
    assert "lvef" in records[-1].data_gaps


def test_a_server_not_on_the_allowlist_is_refused(
    make_app: Callable[..., Flask], fhir: FhirTestServer
) -> None:
    client = make_app(fhir_servers=("https://ehr.example.org/fhir",)).test_client()
    body = hook_request("patient-view", prefetch=None, fhir_server=fhir.base_url, token=fhir.token)
    response = client.post(PATIENT_VIEW, json=body)
    assert response.status_code == 403
    assert fhir_queries(fhir) == []


def test_paginated_prefetch_is_completed_from_the_server(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="her2cds")
    fhir.load([lvef_observation(f"lvef-{i}", f"2026-0{i}-01", 50 + i) for i in range(2, 6)])
    first_page = fhir.request(
        "GET", f"Observation?patient={PATIENT_ID}&code={LOINC}|10230-1&_sort=-date&_count=2"
    ).json()
    assert any(link["relation"] == "next" for link in first_page["link"])
    prefetch = full_prefetch()
    prefetch["lvef"] = first_page
    body = hook_request(
        "patient-view", prefetch=prefetch, fhir_server=fhir.base_url, token=fhir.token
    )
    assert service.post(PATIENT_VIEW, json=body).status_code == 200
    followed = [q for q in fhir_queries(fhir) if "_offset=" in q["path"]]
    assert followed and all(q["authorized"] for q in followed)


def test_absent_labs_are_fetched_newest_first_and_read_by_the_rules(
    service: FlaskClient, fhir: FhirTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    """T-DM1 drafted with the labs key absent: the service asks the FHIR server for the lab
    codes (newest first, bounded) and the ALT it finds there (6x ULN) holds the order."""
    caplog.set_level(logging.INFO, logger="her2cds")
    today = datetime.now(UTC).date()
    labs = [
        lab_observation("alt-1", "1742-6", str(today - timedelta(days=2)), 240, "U/L", 40),
        lab_observation("ast-1", "1920-8", str(today - timedelta(days=2)), 30, "U/L", 40),
        lab_observation("bili-1", "1975-2", str(today - timedelta(days=2)), 0.5, "mg/dL", 1.2),
        lab_observation("plt-1", "777-3", str(today - timedelta(days=2)), 200, "10*9/L", None),
    ]
    fhir.load(labs)
    prefetch = full_prefetch()
    del prefetch["labs"]
    prefetch["conditions"]["entry"] = [{"resource": metastatic_condition()}]
    body = hook_request(
        "order-select",
        prefetch=prefetch,
        fhir_server=fhir.base_url,
        token=fhir.token,
        draft_orders=[tdm1_draft()],
    )
    response = service.post(f"/cds-services/{SERVICE_IDS['order-select']}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    [query] = fhir_queries(fhir)
    assert "1742-6" in query["path"] and "_sort=-date" in query["path"]
    assert query["authorized"] is True
    assert sources(caplog)["labs"] == "fhir"
    cards = [
        c for c in response.get_json()["cards"] if c["source"]["topic"]["code"] == "organ-function"
    ]
    assert [c["indicator"] for c in cards] == ["critical"]
    assert "ALT 6.0× ULN" in cards[0]["summary"]


def lab_observation(
    oid: str, code: str, when: str, value: float, unit: str, uln: float | None
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }
    if uln is not None:
        resource["referenceRange"] = [{"high": {"value": uln, "unit": unit}}]
    return resource


def metastatic_condition() -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "mbc-1",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "315004001"}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "onsetDateTime": "2026-01-10",
    }


def tdm1_draft() -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "draft-tdm1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "1371041",
                    "display": "ado-trastuzumab emtansine",
                }
            ],
            "text": "ado-trastuzumab emtansine (Kadcyla)",
        },
    }
