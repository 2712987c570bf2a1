"""The typed request edge: one schema-validated body read once into a frozen HookRequest."""

from __future__ import annotations

import dataclasses

import pytest

from cds_service.hook_request import FhirAuthorization, HookRequest
from cds_service.validation import check
from tests.service.hook_requests import PATIENT_ID, full_prefetch, hook_request


def test_every_field_the_service_uses_is_read_once() -> None:
    body = hook_request(
        "order-select",
        prefetch=full_prefetch(),
        fhir_server="https://ehr.example.org/fhir",
        token="secret-token",
    )
    body["fhirAuthorization"]["patient"] = PATIENT_ID
    check("request", body)
    request = HookRequest.from_body(body)
    assert request.hook == "order-select"
    assert request.hook_instance == body["hookInstance"]
    assert request.patient_id == PATIENT_ID
    assert request.fhir_server == "https://ehr.example.org/fhir"
    assert request.fhir_authorization == FhirAuthorization("secret-token", PATIENT_ID)
    assert request.access_token == "secret-token"
    assert request.draft_orders == body["context"]["draftOrders"]
    assert request.selections == ("MedicationRequest/request-123",)
    assert request.prefetch == body["prefetch"]
    assert request.user_id == "Practitioner/COREPRACTITIONER1"
    assert request.encounter_id is None
    assert request.context["userId"] == "Practitioner/COREPRACTITIONER1"


def test_optional_fields_absent() -> None:
    body = hook_request("patient-view")
    check("request", body)
    request = HookRequest.from_body(body)
    assert (request.fhir_server, request.fhir_authorization, request.access_token) == (
        None,
        None,
        None,
    )
    assert (request.draft_orders, request.selections, request.prefetch) == (None, (), None)


def test_the_request_is_frozen() -> None:
    request = HookRequest.from_body(hook_request("order-sign", prefetch=full_prefetch()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.hook = "patient-view"  # type: ignore[misc]
    with pytest.raises(TypeError):
        request.context["patientId"] = "someone-else"  # type: ignore[index]
    with pytest.raises(TypeError):
        request.prefetch["patient"] = {}  # type: ignore[index]
