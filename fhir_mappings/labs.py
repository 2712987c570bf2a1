"""Organ-function laboratory results: liver tests, renal function and blood counts.

Each analyte of `data/labs.json` is read from the Observations `sort_observations` sorted into its
concept (so every filter on Observations applies here too), converted into one canonical unit
with `data/units.json` (creatinine in mg/dL or umol/L, counts in 10*3/uL or 10*9/L, ...), and
kept with the upper limit of normal its own laboratory reported (`referenceRange.high`). A value
in a unit the table does not know, or without a number, is skipped with a note: a unit is never
guessed. Whether a value is recent enough, and which default ULN applies when none was reported,
is for the rules to say (they know the drug's cycle and the institution's overrides).

Creatinine clearance is the one a Cockcroft-Gault label means: a recorded clearance, or computed
from the newest creatinine, the patient's age and sex and the newest actual body weight, and the
fact says which. When it cannot be computed, `clearance_note` says what was missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from fhir_mappings.conditions import ConditionsByConcept
from fhir_mappings.fhir_json import as_objects, quantity
from fhir_mappings.hepatic import child_pugh, liver_disease
from fhir_mappings.model import (
    BodySize,
    CreatinineClearance,
    Demographics,
    LabResult,
    LabResults,
    Sex,
)
from fhir_mappings.observations import (
    CodedObservation,
    ObservationsByConcept,
    format_number,
    value_quantity,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import UnitFactor, load_table, unit_factor

# How a canonical unit reads on a card.
_SHOWN_UNIT = {"10*9/L": "×10⁹/L", "mL/min/{1.73_m2}": "mL/min/1.73 m²"}


@dataclass(frozen=True)
class Analyte:
    id: str
    display: str
    quantity: str
    low: float
    high: float
    unit: str | None = None  # kept in this unit instead of the quantity's canonical one


@cache
def analytes() -> Mapping[str, Analyte]:
    table = load_table("labs")
    return {
        key: Analyte(
            key,
            str(row["display"]),
            str(row["quantity"]),
            float(row["plausible"][0]),
            float(row["plausible"][1]),
            unit=row.get("unit"),
        )
        for key, row in table["analytes"].items()
    }


@cache
def _cockcroft_gault() -> Mapping[str, Any]:
    return dict(load_table("labs")["cockcroft_gault"])


def shown_unit(unit: str) -> str:
    return _SHOWN_UNIT.get(unit, unit)


def lab_results(
    observations: ObservationsByConcept,
    people: Demographics,
    body: BodySize,
    notes: NoteBook,
    conditions: ConditionsByConcept | None = None,
) -> LabResults:
    """Every organ-function result on file and the creatinine clearance, with provenance."""
    results: list[LabResult] = []
    for analyte in analytes().values():
        for obs in observations.get(analyte.id, ()):
            result = _read(obs, analyte, notes)
            if result is not None:
                results.append(result)
    found = tuple(results)
    clearance, why_not = creatinine_clearance(found, people, body)
    conditions = conditions or {}
    return LabResults(
        found,
        clearance,
        why_not,
        child_pugh(observations, conditions),
        liver_disease(conditions),
    )


def _read(obs: CodedObservation, analyte: Analyte, notes: NoteBook) -> LabResult | None:
    amount = value_quantity(obs.resource)
    if amount is None:
        notes.add("Observation", f"{obs.entry.code} without a number; skipped")
        return None
    factor = unit_factor(analyte.quantity, amount.code, amount.unit)
    if factor is None:
        notes.add("Observation", f"{obs.entry.code} in a unit not in units.json; skipped")
        return None
    value = amount.value * factor.factor
    if not analyte.low <= value <= analyte.high:
        notes.add("Observation", f"{obs.entry.code} value outside the plausible range; skipped")
        return None
    upper = _upper_limit(obs, analyte, factor)
    unit = analyte.unit or factor.canonical
    shown = _number(value) + " " + shown_unit(unit)
    if amount.comparator:
        shown = f"{amount.comparator}{shown}"
    if factor.code != factor.canonical and factor.factor != 1.0:
        shown += f" ({format_number(amount.value)} {amount.spelling})"
    if upper is not None:
        shown += f"; upper limit of normal {_number(upper)} {shown_unit(unit)} (laboratory's)"
    return LabResult(analyte.id, value, unit, obs.when, upper, obs.evidence(shown))


def _upper_limit(obs: CodedObservation, analyte: Analyte, factor: UnitFactor) -> float | None:
    """referenceRange.high in the canonical unit (in the value's unit when it names none)."""
    for reference in as_objects(obs.resource.get("referenceRange")):
        high = quantity(reference.get("high"))
        if high is None:
            continue
        own = unit_factor(analyte.quantity, high.code, high.unit) if high.spelling else factor
        if own is None or high.value <= 0:
            return None
        return high.value * own.factor
    return None


def _number(value: float) -> str:
    """Two significant decimals for small values (bilirubin 0.84), whole numbers for large."""
    if abs(value) >= 100:
        return str(round(value))
    if abs(value) >= 10:
        return format_number(round(value, 1))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def creatinine_clearance(
    results: tuple[LabResult, ...], people: Demographics, body: BodySize
) -> tuple[CreatinineClearance | None, str | None]:
    """The newest of a recorded clearance and a Cockcroft-Gault one, and why none, if none."""
    recorded = next((r for r in results if r.analyte == "creatinine-clearance" and r.when), None)
    creatinine = next((r for r in results if r.analyte == "creatinine" and r.when), None)
    computed, why_not = (None, None) if creatinine is None else _cockcroft(creatinine, people, body)
    if (
        recorded is not None
        and recorded.when is not None
        and (computed is None or computed.when is None or recorded.when >= computed.when)
    ):
        return CreatinineClearance(
            recorded.value, recorded.when, "recorded", (recorded.evidence,)
        ), None
    return computed, why_not


def _cockcroft(
    creatinine: LabResult, people: Demographics, body: BodySize
) -> tuple[CreatinineClearance | None, str | None]:
    weight = body.weight
    missing = []
    if people.age_years is None:
        missing.append("age")
    if people.sex not in (Sex.FEMALE, Sex.MALE):
        missing.append("sex")
    if weight is None:
        missing.append("weight")
    if missing or weight is None or people.age_years is None or creatinine.value <= 0:
        what = " and ".join(missing) or "a usable creatinine"
        return None, f"Cockcroft-Gault creatinine clearance not computed: no {what} on file"
    cg = _cockcroft_gault()
    clearance = (
        (float(cg["age_constant"]) - people.age_years)
        * weight.value
        / (float(cg["creatinine_factor"]) * creatinine.value)
    )
    if people.sex is Sex.FEMALE:
        clearance *= float(cg["female_factor"])
    clearance = max(clearance, 0.0)
    evidence = (creatinine.evidence, weight.evidence, *people.evidence[:1])
    return CreatinineClearance(clearance, creatinine.when, "cockcroft-gault", evidence), None
