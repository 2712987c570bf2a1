"""FHIR resources for card suggestions, written as R4B JSON.

What we send must validate: the builders write the JSON exactly as the `fhir.resources` R4B
models would dump it (elements in the models' order, no empty ones), and the tests validate
every suggested resource of the scenario corpus with those models and compare the dump byte for
byte (tests/scenarios/harness.py). Building the models on each request cost about 0.9 ms per
suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from cards.findings import Action
from fhir_mappings import DraftOrder

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"

# SNOMED CT route of administration codes (Route of administration value set, FHIR R4).
ROUTES: dict[str, tuple[str, str]] = {
    "iv": ("47625008", "Intravenous route"),
    "sc": ("34206005", "Subcutaneous route"),
    "oral": ("26643006", "Oral route"),
}


def _subject(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def _timing(interval_days: float, frequency: int = 1) -> dict[str, Any]:
    """`frequency` doses per `interval_days` (2 per 1 day = twice daily)."""
    if interval_days % 7 == 0:
        weeks = int(interval_days // 7)
        return {"repeat": {"frequency": frequency, "period": weeks, "periodUnit": "wk"}}
    return {"repeat": {"frequency": frequency, "period": interval_days, "periodUnit": "d"}}


@dataclass(frozen=True)
class DoseAmount:
    """One dose: mg for most drugs; mL for a fixed-volume product whose mg would be ambiguous
    (Phesgo holds two antibodies: 15 mL loading, 10 mL maintenance)."""

    value: float
    unit: Literal["mg", "mL"] = "mg"

    def quantity(self) -> dict[str, Any]:
        value = float(format_mg(self.value)) if self.unit == "mg" else self.value
        return {"value": value, "unit": self.unit, "system": UCUM, "code": self.unit}


@dataclass(frozen=True)
class LoadingDose:
    """A schedule's first dose when it differs from the maintenance dose: given once, before
    the maintenance doses (trastuzumab 8 mg/kg, then 6 mg/kg every 3 weeks). Written as its own
    dosage instruction, so the order does not repeat the loading dose."""

    amount: DoseAmount
    instruction: str


def _dosage(
    text: str,
    timing: dict[str, Any],
    amount: DoseAmount,
    route: str | None,
    sequence: int | None = None,
) -> dict[str, Any]:
    """An R4B Dosage, its elements in the model's order (sequence, text, timing, route,
    doseAndRate)."""
    dosage: dict[str, Any] = {} if sequence is None else {"sequence": sequence}
    dosage["text"] = text
    dosage["timing"] = timing
    if route in ROUTES:
        code, display = ROUTES[route]
        dosage["route"] = {"coding": [{"system": SNOMED, "code": code, "display": display}]}
    dosage["doseAndRate"] = [{"doseQuantity": amount.quantity()}]
    return dosage


def format_mg(mg: float) -> str:
    """Doses as an oncology pharmacist writes them: whole mg, one decimal below 10 mg."""
    if mg < 10:
        return str(Decimal(str(mg)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return str(Decimal(str(mg)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def medication_request(
    *,
    patient_id: str,
    rxnorm_code: str | None,
    drug_display: str,
    dose_mg: float | None,
    interval_days: float,
    route: str | None,
    instruction: str,
    frequency: int = 1,
    dose: DoseAmount | None = None,
    loading: LoadingDose | None = None,
    course_days: float | None = None,
) -> dict[str, Any]:
    """A draft MedicationRequest with an RxNorm-coded medication and a dose in mg.

    `frequency` is the number of doses per `interval_days` (oral TKIs: 2 per day). `dose`
    replaces `dose_mg` when the dose is not in mg. With `loading`, the first dosage instruction
    (sequence 1) is the loading dose given once and the second (sequence 2) the maintenance
    dose on its interval: a single repeating instruction would repeat the loading dose.
    `course_days` bounds the repeating dose (capecitabine: days 1-14); the cycle it repeats in
    (every 21 days) has no place in an R4 Timing, so the instruction text says it.
    """
    amount = dose if dose is not None else DoseAmount(_required(dose_mg))
    timing = _timing(interval_days, frequency)
    if course_days is not None:
        bounds = {"value": course_days, "unit": "days", "system": UCUM, "code": "d"}
        timing["repeat"] = {"boundsDuration": bounds, **timing["repeat"]}
    if loading is None:
        dosages = [_dosage(instruction, timing, amount, route)]
    else:
        dosages = [
            _dosage(loading.instruction, {"repeat": {"count": 1}}, loading.amount, route, 1),
            _dosage(instruction, timing, amount, route, 2),
        ]
    medication: dict[str, Any] = {}
    if rxnorm_code:
        medication["coding"] = [{"system": RXNORM, "code": rxnorm_code, "display": drug_display}]
    medication["text"] = drug_display
    return {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": medication,
        "subject": _subject(patient_id),
        "dosageInstruction": dosages,
    }


def _required(dose_mg: float | None) -> float:
    if dose_mg is None:
        raise ValueError("a medication request needs dose_mg or dose")
    return dose_mg


def service_request(
    *,
    patient_id: str,
    code_system: str,
    code: str,
    display: str,
    reason: str,
    occurrence: str | None = None,
) -> dict[str, Any]:
    """A draft ServiceRequest (echocardiogram, hCG, HER2 ISH) with the reason in words and,
    when the test is due later, its date (`occurrence`, ISO date). Elements in R4B order."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": code_system, "code": code, "display": display}]},
        "subject": _subject(patient_id),
    }
    if occurrence is not None:
        resource["occurrenceDateTime"] = occurrence
    resource["reasonCode"] = [{"text": reason}]
    return resource


def create(resource: dict[str, Any], description: str) -> Action:
    return Action(type="create", description=description, resource=resource)


def delete_order(order: DraftOrder, description: str) -> Action | None:
    """A delete action for a draft order; None when the order has no id to name."""
    if not order.reference:
        return None
    return Action(type="delete", description=description, resource_id=order.reference)
