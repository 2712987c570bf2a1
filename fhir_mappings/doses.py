"""Doses and dosing intervals as an order or administration writes them.

Epic sends several `doseAndRate` entries for one dosage (calculated, admin-amount, ordered):
the one that carries the dosing basis wins (`ordered` in mg, mg/kg or mg/m2, then any mg/kg or
mg/m2, then mg), and a sibling entry in mg gives the absolute amount. The unit is kept as
written; only spellings of the same UCUM unit are unified (mg/m² is mg/m2).
"""

from __future__ import annotations

from collections.abc import Iterable

from fhir_mappings.calendar_days import DAYS_PER_MONTH, DAYS_PER_YEAR
from fhir_mappings.fhir_json import (
    JsonObject,
    Quantity,
    as_number,
    as_object,
    as_objects,
    codings,
    quantity,
)
from fhir_mappings.model import Dose
from fhir_mappings.terminology import unit_factor

_PER_AREA = "mg/m2"
_PER_WEIGHT = "mg/kg"
_PERIOD_DAYS = {
    "s": 1 / 86400,
    "min": 1 / 1440,
    "h": 1 / 24,
    "d": 1.0,
    "wk": 7.0,
    "mo": DAYS_PER_MONTH,
    "a": DAYS_PER_YEAR,
}


def dose_of(amount: Quantity) -> Dose:
    """A Dose in the unit as written, with mg filled in when the unit is a mass."""
    for basis in ("dose-per-area", "dose-per-weight"):
        factor = unit_factor(basis, amount.code, amount.unit)
        if factor is not None:
            return Dose(amount.value, factor.canonical)
    mass = unit_factor("dose-mass", amount.code, amount.unit)
    if mass is not None:
        return Dose(amount.value, amount.spelling or mass.code, amount.value * mass.factor)
    return Dose(amount.value, amount.spelling or "")


def _is_mass(dose: Dose) -> bool:
    return dose.mg is not None


def dose_from_dosages(dosages: Iterable[JsonObject]) -> Dose | None:
    """The dose of the first dosage that has one, choosing among Epic's doseAndRate entries."""
    for dosage in dosages:
        entries: list[tuple[str | None, Dose]] = []
        for item in as_objects(dosage.get("doseAndRate")):
            amount = quantity(item.get("doseQuantity"))
            if amount is None:
                continue
            kind = next((c.code.lower() for c in codings(item.get("type")) if c.code), None)
            entries.append((kind, dose_of(amount)))
        if not entries:
            single = quantity(dosage.get("dose"))  # MedicationAdministration.dosage.dose
            if single is None:
                continue
            return dose_of(single)
        chosen = _choose(entries)
        if chosen.mg is None:
            sibling = next((d for _, d in entries if _is_mass(d)), None)
            if sibling is not None and chosen.unit in (_PER_AREA, _PER_WEIGHT):
                chosen = Dose(chosen.value, chosen.unit, sibling.mg)
        return chosen
    return None


def _choose(entries: list[tuple[str | None, Dose]]) -> Dose:
    def basis(dose: Dose) -> bool:
        return dose.unit in (_PER_AREA, _PER_WEIGHT) or _is_mass(dose)

    for kind, dose in entries:
        if kind == "ordered" and basis(dose):
            return dose
    for _, dose in entries:
        if dose.unit in (_PER_AREA, _PER_WEIGHT):
            return dose
    for _, dose in entries:
        if _is_mass(dose):
            return dose
    return entries[0][1]


def interval_days(dosages: Iterable[JsonObject]) -> float | None:
    """Days between doses from timing.repeat: period 3 wk -> 21; 1 wk -> 7; twice per 1 d -> 0.5."""
    for dosage in dosages:
        timing = as_object(dosage.get("timing"))
        repeat = as_object(timing.get("repeat")) if timing else None
        if repeat is None:
            continue
        period = as_number(repeat.get("period"))
        unit = repeat.get("periodUnit")
        if period is None or period <= 0 or not isinstance(unit, str) or unit not in _PERIOD_DAYS:
            continue
        frequency = as_number(repeat.get("frequency")) or 1.0
        if frequency <= 0:
            continue
        return period * _PERIOD_DAYS[unit] / frequency
    return None


def dose_text(dose: Dose | None) -> str | None:
    if dose is None:
        return None
    value = f"{dose.value:g}"
    # the UCUM code as a clinician writes it; other units stay as the record has them
    unit = "mg/m²" if dose.unit == _PER_AREA else dose.unit
    return f"{value} {unit}".strip()


def count_unit(unit: str) -> str | None:
    """'tablet' or 'capsule' for a dose written as a count ('{tbl}', '{pill}', 'caps')."""
    found = unit_factor("dose-count", unit)
    if found is None:
        return None
    return "capsule" if found.code == "{capsule}" else "tablet"


def with_strength(dose: Dose | None, strength_mg: float | None) -> Dose | None:
    """A dose written in tablets or capsules, with its mg when the product strength is known;
    any other dose unchanged (a count is never taken for mg)."""
    if dose is None or dose.mg is not None or strength_mg is None:
        return dose
    if count_unit(dose.unit) is None:
        return dose
    return Dose(dose.value, dose.unit, dose.value * strength_mg)
