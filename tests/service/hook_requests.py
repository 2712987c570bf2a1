"""CDS Hooks request bodies for protocol tests, shaped like the sandbox's and Epic's."""

from __future__ import annotations

import uuid
from typing import Any

PATIENT_ID = "pat-1"
SERVICE_IDS = {
    "order-select": "her2-breast-cancer-order-select",
    "order-sign": "her2-breast-cancer-order-sign",
    "patient-view": "her2-breast-cancer-patient-view",
}


def patient_resource(patient_id: str = PATIENT_ID) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "gender": "female",
        "birthDate": "1962-03-04",
    }


def empty_bundle() -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": []}


def full_prefetch(patient_id: str = PATIENT_ID) -> dict[str, Any]:
    """Every prefetch key the service declares, satisfied (empty searches)."""
    keys = [
        "tumorMarkers",
        "lvef",
        "bodySize",
        "pregnancy",
        "labs",
        "conditions",
        "medicationRequests",
        "medicationAdministrations",
        "medicationStatements",
    ]
    return {"patient": patient_resource(patient_id), **{key: empty_bundle() for key in keys}}


def draft_medication_request(order_id: str = "request-123") -> dict[str, Any]:
    """The sandbox's draft: category as an object, not a list (an R4 deviation it makes)."""
    return {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "category": {"coding": [{"code": "outpatient"}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {
            "text": "acetaminophen 325 MG Oral Tablet",
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "313782",
                    "display": "acetaminophen 325 MG Oral Tablet",
                }
            ],
        },
    }


def hook_request(
    hook: str,
    *,
    prefetch: dict[str, Any] | None = None,
    fhir_server: str | None = None,
    token: str | None = None,
    draft_orders: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"patientId": PATIENT_ID, "userId": "Practitioner/COREPRACTITIONER1"}
    if hook in ("order-select", "order-sign"):
        orders = draft_orders if draft_orders is not None else [draft_medication_request()]
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "entry": [{"resource": o} for o in orders],
        }
        if hook == "order-select":
            context["selections"] = [f"{o['resourceType']}/{o['id']}" for o in orders[:1]]
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
    if token is not None:
        body["fhirAuthorization"] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "her2-cds",
        }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body
