"""The benchmark's requests: realistic CDS Hooks calls built from the project's fixtures.

Each scenario is a (service id, request body) pair; the bodies are what an EHR sends, so the
floor app parses exactly the same bytes as the service.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ORDER_SELECT = "her2-breast-cancer-order-select"
PATIENT_VIEW = "her2-breast-cancer-patient-view"

Body = dict[str, Any]


def _mopa_th() -> Body:
    """HER2+ MBC (CodeX MOPA parts), trastuzumab + paclitaxel drafted, full prefetch."""
    body: Body = json.loads((FIXTURES / "derived/order-select-her2-mbc-th.json").read_text())
    return body


def _draft(order_id: str, patient_id: str, code: str, name: str, text: str) -> Body:
    return {
        "resource": {
            "resourceType": "MedicationRequest",
            "id": order_id,
            "status": "draft",
            "intent": "order",
            "medicationCodeableConcept": {
                "coding": [{"system": RXNORM, "code": code, "display": name}]
            },
            "subject": {"reference": f"Patient/{patient_id}"},
            "dosageInstruction": [{"text": text}],
        }
    }


def with_suggestions() -> Body:
    """Trastuzumab + paclitaxel drafted: order-select answers 'add pertuzumab' with a
    suggested MedicationRequest."""
    return _mopa_th()


def typical() -> Body:
    """The same patient with THP drafted (pertuzumab added): the ~12 KB order-select."""
    body = _mopa_th()
    patient_id = body["context"]["patientId"]
    body["context"]["draftOrders"]["entry"].append(
        _draft(
            "PertuzumabMedRequestTHP",
            patient_id,
            "1298944",
            "pertuzumab",
            "840 mg IV loading dose, then 420 mg IV every 3 weeks",
        )
    )
    body["context"]["selections"].append("MedicationRequest/PertuzumabMedRequestTHP")
    return body


def _lab(index: int, patient_id: str) -> Body:
    day = 1 + index % 28
    month = 1 + (index // 28) % 12
    return {
        "resource": {
            "resourceType": "Observation",
            "id": f"hb-{index}",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "laboratory",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [{"system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin"}]
            },
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": f"20{10 + index // 336:02d}-{month:02d}-{day:02d}T08:00:00Z",
            "valueQuantity": {
                "value": 11 + (index % 30) / 10,
                "unit": "g/dL",
                "system": "http://unitsofmeasure.org",
                "code": "g/dL",
            },
        }
    }


def many_observations(count: int = 5000) -> Body:
    """The typical call with `count` laboratory Observations added to its tumorMarkers
    search (a server that ignores the code filter, or a long record)."""
    body = typical()
    patient_id = body["context"]["patientId"]
    bundle = body["prefetch"]["tumorMarkers"]
    bundle["entry"] = list(bundle["entry"]) + [_lab(i, patient_id) for i in range(count)]
    return body


def _searchset(*resources: Body) -> Body:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def _blood_pressure(subject: Body) -> Body:
    def part(code: str, value: int) -> Body:
        return {
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueQuantity": {"value": value, "unit": "mm[Hg]"},
        }

    return {
        "resourceType": "Observation",
        "id": "bp-1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": subject,
        "effectiveDateTime": "2026-10-02",
        "component": [part("8480-6", 142), part("8462-4", 88)],
    }


def _hypertension(subject: Body) -> Body:
    clinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    return {
        "resourceType": "Condition",
        "id": "htn-1",
        "clinicalStatus": {"coding": [{"system": clinical, "code": "active"}]},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003"}]},
        "subject": subject,
        "onsetDateTime": "2019-05-01",
    }


def routine_order() -> Body:
    """The typical patient (HER2+ MBC) with an analgesic drafted instead of THP: the
    order-select an oncology patient's other orders send, no card."""
    body = _mopa_th()
    patient_id = body["context"]["patientId"]
    analgesic = _draft(
        "bench-apap", patient_id, "313782", "acetaminophen 325 MG Oral Tablet",
        "650 mg by mouth every 6 hours",
    )  # fmt: skip
    body["context"]["draftOrders"]["entry"] = [analgesic]
    body["context"]["selections"] = ["MedicationRequest/bench-apap"]
    return body


def unconcerned() -> Body:
    """A man with hypertension and an acetaminophen order: no card, the common case."""
    patient_id = "bench-unconcerned"
    subject = {"reference": f"Patient/{patient_id}"}
    draft = _draft(
        "bench-apap", patient_id, "313782", "acetaminophen 325 MG Oral Tablet",
        "650 mg by mouth every 6 hours",
    )  # fmt: skip
    patient = {"resourceType": "Patient", "id": patient_id, "gender": "male"}
    empty = ("tumorMarkers", "lvef", "pregnancy", "medicationRequests",
             "medicationAdministrations", "medicationStatements")  # fmt: skip
    return {
        "hook": "order-select",
        "hookInstance": "3d0c6a07-2c4e-4a1f-9d0a-5a8f2b7c1e21",
        "context": {
            "userId": "Practitioner/bench",
            "patientId": patient_id,
            "selections": ["MedicationRequest/bench-apap"],
            "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [draft]},
        },
        "prefetch": {
            "patient": patient | {"birthDate": "1971-06-09"},
            "bodySize": _searchset(_blood_pressure(subject)),
            "conditions": _searchset(_hypertension(subject)),
            **{key: _searchset() for key in empty},
        },
    }


def fallback(fhir_base: str, token: str) -> Body:
    """The typical call with no prefetch: every key is fetched from the FHIR server."""
    body = typical()
    del body["prefetch"]
    body["fhirServer"] = fhir_base
    body["fhirAuthorization"] = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "bench",
    }
    return body


def fallback_resources() -> list[Body]:
    """What the FHIR server holds for the fallback scenario: the typical call's prefetch."""
    found: list[Body] = []
    for value in typical()["prefetch"].values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Bundle":
            found.extend(copy.deepcopy(e["resource"]) for e in value.get("entry", []))
        else:
            found.append(copy.deepcopy(value))
    return found


SCENARIOS = {
    "typical": (ORDER_SELECT, typical),
    "suggestions": (ORDER_SELECT, with_suggestions),
    "observations-5000": (ORDER_SELECT, many_observations),
    "unconcerned": (ORDER_SELECT, unconcerned),
    "routine-order": (ORDER_SELECT, routine_order),
}
