"""Small builders of FHIR R4 JSON for scenario tests: readable patient stories.

Each builder returns a plain dict shaped like what an EHR sends, so scenarios exercise the
real mapping code. Dates are ISO strings; codes are the ones in docs/clinical-knowledge.md §5.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"

PATIENT_ID = "pat-1"
_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def iso(when: datetime) -> str:
    return when.isoformat()


def days_before(now: datetime, days: float) -> str:
    return iso(now - timedelta(days=days))


def patient(*, sex: str = "female", birth_date: str = "1970-05-01") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": PATIENT_ID, "gender": sex, "birthDate": birth_date}


def observation(
    loinc: str,
    *,
    when: str | None,
    value: dict[str, Any],
    status: str = "final",
    display: str | None = None,
    interpretation: str | None = None,
) -> dict[str, Any]:
    """`value` is the value[x] part, e.g. {"valueQuantity": {...}}."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id("obs"),
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": display or loinc}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        **value,
    }
    if when is not None:
        resource["effectiveDateTime"] = when
    if interpretation is not None:
        resource["interpretation"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": interpretation,
                    }
                ]
            }
        ]
    return resource


def quantity(value: float, unit: str) -> dict[str, Any]:
    return {"valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}


def coded(system: str, code: str, display: str = "") -> dict[str, Any]:
    return {
        "valueCodeableConcept": {"coding": [{"system": system, "code": code, "display": display}]}
    }


def lvef(percent: float, *, when: str | None, status: str = "final") -> dict[str, Any]:
    return observation("10230-1", when=when, value=quantity(percent, "%"), status=status)


def weight(kg: float, *, when: str) -> dict[str, Any]:
    return observation("29463-7", when=when, value=quantity(kg, "kg"))


def height(cm: float, *, when: str) -> dict[str, Any]:
    return observation("8302-2", when=when, value=quantity(cm, "cm"))


IHC_ANSWERS = {"0": "LA6111-4", "1+": "LA11841-6", "2+": "LA11842-4", "3+": "LA11843-2"}


def her2_ihc(score: str, *, when: str) -> dict[str, Any]:
    return observation("18474-7", when=when, value=coded(LOINC, IHC_ANSWERS[score], score))


def her2_ish(*, ratio: float, copies: float, when: str) -> list[dict[str, Any]]:
    return [
        observation("49683-6", when=when, value=quantity(ratio, "{ratio}")),
        observation("74860-8", when=when, value=quantity(copies, "{copies}/{nucleus}")),
    ]


def her2_positive(*, when: str) -> dict[str, Any]:
    return her2_ihc("3+", when=when)


def receptor(kind: str, *, percent: float, when: str) -> dict[str, Any]:
    code = {"er": "85329-1", "pr": "85325-9"}[kind]
    return observation(code, when=when, value=quantity(percent, "%"))


def condition(
    code: str,
    *,
    system: str = SNOMED,
    onset: str | None,
    display: str = "",
    clinical_status: str = "active",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": _id("cond"),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical_status,
                }
            ]
        },
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    if onset is not None:
        resource["onsetDateTime"] = onset
    return resource


def breast_cancer(*, onset: str) -> dict[str, Any]:
    return condition("254837009", onset=onset, display="Malignant neoplasm of breast")


def metastatic_breast_cancer(*, onset: str) -> dict[str, Any]:
    return condition("315004001", onset=onset, display="Metastasis from malignant tumor of breast")


def brain_metastases(*, onset: str) -> dict[str, Any]:
    return condition("94225005", onset=onset, display="Metastatic malignant neoplasm to brain")


def _medication(rxnorm: str | None, text: str) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": rxnorm, "display": text}]
    return concept


def _dosage(dose: float | None, unit: str, interval_days: int | None) -> list[dict[str, Any]]:
    if dose is None:
        return []
    dosage: dict[str, Any] = {
        "doseAndRate": [
            {"doseQuantity": {"value": dose, "unit": unit, "system": UCUM, "code": unit}}
        ]
    }
    if interval_days:
        dosage["timing"] = {"repeat": {"frequency": 1, "period": interval_days, "periodUnit": "d"}}
    return [dosage]


def medication_request(
    rxnorm: str | None,
    text: str,
    *,
    status: str = "active",
    authored: str | None,
    start: str | None = None,
    end: str | None = None,
    dose: float | None = None,
    unit: str = "mg",
    interval_days: int | None = None,
    resource_id: str | None = None,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": resource_id or _id("medrx"),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": _medication(rxnorm, text),
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    if authored is not None:
        resource["authoredOn"] = authored
    if start or end:
        period = {k: v for k, v in (("start", start), ("end", end)) if v}
        resource["dispenseRequest"] = {"validityPeriod": period}
    dosage = _dosage(dose, unit, interval_days)
    if dosage:
        resource["dosageInstruction"] = dosage
    return resource


def administration(
    rxnorm: str | None,
    text: str,
    *,
    when: str,
    dose: float | None = None,
    unit: str = "mg",
    status: str = "completed",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": _id("medadmin"),
        "status": status,
        "medicationCodeableConcept": _medication(rxnorm, text),
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": when,
    }
    if dose is not None:
        resource["dosage"] = {"dose": {"value": dose, "unit": unit, "system": UCUM, "code": unit}}
    return resource


def draft_order(
    rxnorm: str | None,
    text: str,
    *,
    dose: float | None = None,
    unit: str = "mg",
    interval_days: int | None = 21,
    resource_id: str | None = None,
) -> dict[str, Any]:
    resource = medication_request(
        rxnorm,
        text,
        status="draft",
        authored=None,
        dose=dose,
        unit=unit,
        interval_days=interval_days,
        resource_id=resource_id or _id("draft"),
    )
    return resource


def draft_bundle(*orders: dict[str, Any]) -> dict[str, Any]:
    """The draftOrders Bundle; `type` omitted on purpose, as the CDS Hooks sandbox does."""
    return {"resourceType": "Bundle", "entry": [{"resource": order} for order in orders]}


def selections(*orders: dict[str, Any]) -> list[str]:
    return [f"{o['resourceType']}/{o['id']}" for o in orders]
