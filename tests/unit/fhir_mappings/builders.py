"""Small FHIR R4 resource builders for the mapping tests: each writes only what a test states."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def coding(code: str, system: str = LOINC, display: str | None = None) -> dict[str, Any]:
    item = {"system": system, "code": code}
    if display:
        item["display"] = display
    return item


def concept(code: str, system: str = SNOMED, text: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"coding": [coding(code, system)]}
    if text:
        result["text"] = text
    return result


def qty(value: float, code: str | None = "%", unit: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"value": value}
    if code is not None:
        result.update(system=UCUM, code=code)
    if unit is not None:
        result["unit"] = unit
    return result


def observation(
    code: str,
    *,
    system: str = LOINC,
    when: str | None = "2026-01-10",
    status: str = "final",
    **value: Any,
) -> dict[str, Any]:
    """An Observation; `value` are value[x] / other elements, e.g. valueQuantity=qty(55)."""
    result: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id("obs"),
        "status": status,
        "code": {"coding": [coding(code, system)]},
        "subject": {"reference": "Patient/p1"},
    }
    if when is not None:
        result["effectiveDateTime"] = when
    result.update(value)
    return result


def answer(code: str, system: str = LOINC) -> dict[str, Any]:
    return {"valueCodeableConcept": {"coding": [coding(code, system)]}}


def condition(
    code: str,
    *,
    system: str = SNOMED,
    onset: str | None = "2025-01-10",
    clinical: str | None = "active",
    verification: str | None = None,
    abated: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "resourceType": "Condition",
        "id": _id("cond"),
        "code": {"coding": [coding(code, system)]},
        "subject": {"reference": "Patient/p1"},
    }
    if clinical:
        result["clinicalStatus"] = {
            "coding": [coding(clinical, "http://terminology.hl7.org/CodeSystem/condition-clinical")]
        }
    if verification:
        result["verificationStatus"] = {
            "coding": [
                coding(verification, "http://terminology.hl7.org/CodeSystem/condition-ver-status")
            ]
        }
    if onset:
        result["onsetDateTime"] = onset
    if abated:
        result["abatementDateTime"] = abated
    return result


def medication(code: str | None = None, text: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if code:
        result["coding"] = [coding(code, RXNORM)]
    if text:
        result["text"] = text
    return result


def request(
    code: str | None = None,
    *,
    text: str | None = None,
    status: str = "active",
    authored: str | None = "2026-01-05",
    validity: tuple[str | None, str | None] | None = None,
    bounds: tuple[str | None, str | None] | None = None,
    dose: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": _id("mr"),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": medication(code, text),
        "subject": {"reference": "Patient/p1"},
    }
    if authored:
        result["authoredOn"] = authored
    dosage: dict[str, Any] = {}
    if bounds:
        dosage["timing"] = {"repeat": {"boundsPeriod": _period(*bounds)}}
    if dose:
        dosage["doseAndRate"] = [{"doseQuantity": dose}]
    if dosage:
        result["dosageInstruction"] = [dosage]
    if validity:
        result["dispenseRequest"] = {"validityPeriod": _period(*validity)}
    result.update(extra)
    return result


def administration(
    code: str | None = None,
    *,
    text: str | None = None,
    when: str | None = "2026-01-05",
    status: str = "completed",
    dose: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": _id("ma"),
        "status": status,
        "medicationCodeableConcept": medication(code, text),
        "subject": {"reference": "Patient/p1"},
    }
    if when:
        result["effectiveDateTime"] = when
    if dose:
        result["dosage"] = {"dose": dose}
    result.update(extra)
    return result


def statement(
    code: str | None = None,
    *,
    text: str | None = None,
    status: str = "active",
    period: tuple[str | None, str | None] | None = None,
    when: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": _id("ms"),
        "status": status,
        "medicationCodeableConcept": medication(code, text),
        "subject": {"reference": "Patient/p1"},
    }
    if period:
        result["effectivePeriod"] = _period(*period)
    if when:
        result["effectiveDateTime"] = when
    return result


def patient(gender: str | None = "female", birth: str | None = "1970-05-20") -> dict[str, Any]:
    result: dict[str, Any] = {"resourceType": "Patient", "id": "p1"}
    if gender:
        result["gender"] = gender
    if birth:
        result["birthDate"] = birth
    return result


def _period(start: str | None, end: str | None) -> dict[str, str]:
    result = {}
    if start:
        result["start"] = start
    if end:
        result["end"] = end
    return result


def at(text: str) -> datetime:
    """A date in the tests' time zone (UTC), from 'YYYY-MM-DD'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
