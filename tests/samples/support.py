"""Hook requests for a sample patient, with prefetch filled as an EHR would: each template of
discovery (GET /cds-services) run against the sample's resources."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from cds_service import samples
from cds_service.samples.search import search

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CODES = {"trastuzumab": "224905", "pertuzumab": "1298944", "docetaxel": "72962"}


def templates(client: FlaskClient, hook: str) -> dict[str, str]:
    services = client.get("/cds-services").get_json()["services"]
    [service] = [s for s in services if s["hook"] == hook]
    return dict(service["prefetch"])


def prefetch(client: FlaskClient, hook: str, patient_id: str) -> dict[str, Any]:
    resources = samples.patient_resources(patient_id)
    return {
        key: search(resources, template.replace("{{context.patientId}}", patient_id))
        for key, template in templates(client, hook).items()
    }


def draft(patient_id: str, drug: str, mg: float, every_days: int = 21) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": f"draft-{drug}",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": CODES[drug], "display": drug}],
            "text": drug,
        },
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": 1, "period": every_days, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": mg, "unit": "mg", "code": "mg"}}],
            }
        ],
    }


def call(
    client: FlaskClient,
    hook: str,
    patient_id: str,
    drafts: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    context: dict[str, Any] = {"userId": "Practitioner/demo", "patientId": patient_id}
    if hook != "patient-view":
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        }
    if hook == "order-select":
        context["selections"] = [f"MedicationRequest/{d['id']}" for d in drafts]
    body = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
        "prefetch": prefetch(client, hook, patient_id),
    }
    response = client.post(f"/cds-services/her2-breast-cancer-{hook}", json=body)
    assert response.status_code == 200, response.get_json()
    cards: list[dict[str, Any]] = response.get_json()["cards"]
    return cards


def rules(cards: list[dict[str, Any]]) -> dict[str, str]:
    """{rule id: indicator} of the cards."""
    return {c["source"]["topic"]["code"]: c["indicator"] for c in cards}
