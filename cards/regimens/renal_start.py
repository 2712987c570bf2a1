"""The label's renal starting dose on the organ-function card (capecitabine at creatinine
clearance 30-50 mL/min: 75 % of the regimen's dose, which the partner drug decides:
1000 mg/m² with tucatinib or lapatinib, 750 mg/m² with neratinib). The card is silent when
the draft already follows it, and its example is the drafted regimen's dose in mg/m² and mg.
The dose check expects the same reduced dose (`cards/regimens/renal_adjust.py`). No import
of `cards.safety` here: the organ-function rule imports this module.
"""

from __future__ import annotations

from cards.catalog import Basis, Drug, Schedule
from cards.regimens.doses import Phase, compute_dose, drafted_amount
from cards.regimens.situation import Situation
from cards.suggestions import format_mg
from fhir_mappings import DraftOrder


def _regimen_schedule(sit: Situation, drug: Drug) -> Schedule | None:
    """The schedule of the regimen drafted or given (capecitabine: by its partner drug)."""
    present = sit.present_ids()
    schedules = [s for s in drug.schedules if s.partners & present]
    return max(schedules, key=lambda s: s.maintenance) if schedules else None


def at_or_below_renal_start(
    sit: Situation, drug: Drug, orders: tuple[DraftOrder, ...], fraction: float
) -> bool:
    """Every drafted order of the drug is already at or below the renal starting dose of the
    regimen (within the dose tolerance); False when the regimen or the BSA is unknown."""
    schedule = _regimen_schedule(sit, drug)
    if schedule is None or not orders:
        return False
    limit = (
        schedule.maintenance * fraction * (1 + sit.config.threshold("dose_tolerance_percent") / 100)
    )
    for order in orders:
        if order.dose is None:
            return False
        per_basis = drafted_amount(order.dose, drug, sit.body).per_basis
        if per_basis is None or per_basis > limit:
            return False
    return True


def renal_example(sit: Situation, drug: Drug, fraction: float) -> str | None:
    """'With tucatinib: 75 % of 1000 mg/m² twice daily, 1343 mg at 1.79 m² (rounded to
    1300 mg (2 × 500 mg + 2 × 150 mg tablets)).'"""
    schedule = _regimen_schedule(sit, drug)
    if schedule is None or drug.basis is not Basis.PER_M2:
        return None
    reduced = schedule.maintenance * fraction
    dose = compute_dose(drug, schedule, Phase.MAINTENANCE, sit.body, reduced)
    partners = " or ".join(
        sorted(d.display for p in schedule.partners if (d := sit.catalog.drug(p)) is not None)
    )
    mg = ""
    if dose.exact_mg is not None:
        rounding = f" ({dose.rounding})" if dose.rounding else ""
        mg = f", {format_mg(dose.exact_mg)} mg at {dose.factor_text}{rounding}"
    return (
        f"With {partners}: {fraction * 100:g} % of {schedule.maintenance:g} mg/m² twice daily{mg}."
    )
