"""Doses computed for this patient, and drafted doses read in the same units.

A regimen dose is written per kg, per m² or fixed; the patient's weight or BSA turns it into
mg. A drafted dose may be written in mg, mg/kg or mg/m² (or, for the subcutaneous products,
in mL): it is converted to the drug's own basis before comparing, so like is compared with
like.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cards.catalog import Basis, Drug, Schedule
from cards.phrasing import interval_text
from cards.regimens.body_size import DosingBody
from cards.suggestions import format_mg
from fhir_mappings import Dose, count_unit


class Phase(StrEnum):
    LOADING = "loading"
    MAINTENANCE = "maintenance"


def per_basis_text(value: float, basis: Basis) -> str:
    unit = {Basis.PER_KG: "mg/kg", Basis.PER_M2: "mg/m²", Basis.FIXED: "mg"}[basis]
    if basis is Basis.PER_M2:  # whole mg/m², as doses per m² are written (562.5 -> 563)
        return f"{int(value + 0.5)} {unit}"
    return f"{value:g} {unit}"


@dataclass(frozen=True)
class ComputedDose:
    """One dose of one drug for this patient: "trastuzumab 560 mg (8 mg/kg × 70 kg)"."""

    drug: Drug
    schedule: Schedule
    phase: Phase
    per_basis: float
    mg: float | None  # None when weight or BSA is missing; oral: what the tablets make
    factor_text: str  # "70 kg" | "1.79 m²" | ""
    exact_mg: float | None = None  # the computed mg before rounding to tablets
    tablets: tuple[tuple[int, float], ...] = ()  # (count, strength) making `mg`

    @property
    def rounding(self) -> str:
        """ "rounded to 1300 mg (2 × 500 mg + 2 × 150 mg tablets)"; "" when exact."""
        if self.exact_mg is None or self.mg is None or not self.tablets:
            return ""
        if format_mg(self.exact_mg) == format_mg(self.mg):
            return ""
        made = " + ".join(f"{n} × {strength:g} mg" for n, strength in self.tablets if n)
        return f"rounded to {format_mg(self.mg)} mg ({made} tablets)"

    @property
    def is_loading(self) -> bool:
        return self.phase is Phase.LOADING and self.schedule.loading is not None

    @property
    def volume_ml(self) -> float | None:
        if self.is_loading:
            return self.schedule.volume_loading_ml
        return self.schedule.volume_maintenance_ml

    @property
    def amount(self) -> str:
        """ "560 mg (8 mg/kg)", "840 mg", "1200 mg pertuzumab (15 mL)" or "8 mg/kg"."""
        basis_text = per_basis_text(self.per_basis, self.drug.basis)
        if self.drug.dose_component:
            volume = f" ({self.volume_ml:g} mL)" if self.volume_ml else ""
            return f"{basis_text} {self.drug.dose_component}{volume}"
        if self.drug.basis is Basis.FIXED:
            return basis_text
        if self.mg is None:
            return basis_text
        return f"{format_mg(self.mg)} mg ({basis_text})"

    @property
    def phrase(self) -> str:
        """ "trastuzumab 560 mg (8 mg/kg) loading dose"."""
        suffix = " loading dose" if self.is_loading else ""
        return f"{self.drug.short} {self.amount}{suffix}"

    @property
    def calculation(self) -> str:
        """ "8 mg/kg × 70 kg = 560 mg"; empty for fixed doses."""
        if self.drug.basis is Basis.FIXED or self.mg is None:
            return ""
        basis_text = per_basis_text(self.per_basis, self.drug.basis)
        exact = self.exact_mg if self.exact_mg is not None else self.mg
        text = f"{basis_text} × {self.factor_text} = {format_mg(exact)} mg"
        return f"{text}, {self.rounding}" if self.rounding else text


def schedule_dose(schedule: Schedule, phase: Phase) -> float:
    if phase is Phase.LOADING and schedule.loading is not None:
        return schedule.loading
    return schedule.maintenance


def compute_dose(
    drug: Drug, schedule: Schedule, phase: Phase, body: DosingBody, per_basis: float | None = None
) -> ComputedDose:
    value = schedule_dose(schedule, phase) if per_basis is None else per_basis
    factor = body.per_basis_factor(drug.basis)
    factor_text = ""
    if drug.basis is Basis.PER_KG and body.weight:
        factor_text = f"{body.weight.value:g} kg"
    elif drug.basis is Basis.PER_M2 and body.bsa:
        factor_text = f"{body.bsa.m2:.2f} m²"
    exact = value * factor if factor is not None else None
    tablets = tablet_combination(exact, drug.tablet_mg) if exact is not None else ()
    return ComputedDose(
        drug=drug,
        schedule=schedule,
        phase=phase,
        per_basis=value,
        mg=sum(n * strength for n, strength in tablets) if tablets else exact,
        factor_text=factor_text,
        exact_mg=exact,
        tablets=tablets,
    )


def tablet_combination(mg: float, strengths: tuple[float, ...]) -> tuple[tuple[int, float], ...]:
    """The tablets a pharmacy dispenses for `mg`: the nearest amount the strengths make, the
    smaller strength used fewer times than it takes to make one larger tablet (the Xeloda
    label's dose tables: 1343 mg is 2 × 500 mg + 2 × 150 mg = 1300 mg), then fewer tablets.
    Empty when the drug has no tablet strengths (infused doses stay exact)."""
    if not strengths or mg <= 0:
        return ()
    large = strengths[0]
    small = strengths[1] if len(strengths) > 1 else None
    most_small = int(large // small) if small else 0
    best: tuple[float, int, tuple[tuple[int, float], ...]] | None = None
    for n_large in range(int(mg // large) + 2):
        for n_small in range(most_small + 1):
            total = n_large * large + n_small * (small or 0)
            if total <= 0:
                continue
            combo = ((n_large, large),) + (((n_small, small),) if small else ())
            key = (abs(total - mg), n_large + n_small, combo)
            if best is None or key[:2] < best[:2]:
                best = key
    return best[2] if best is not None else ()


def schedule_text(schedule: Schedule) -> str:
    """How often, in words: "every 3 weeks", "weekly", "twice daily", with the cycle."""
    text = interval_text(schedule.interval_days)
    return f"{text}, {schedule.cycle}" if schedule.cycle else text


def regimen_dose_text(drug: Drug, schedule: Schedule, body: DosingBody) -> str:
    """A whole schedule for this patient: "trastuzumab 560 mg (8 mg/kg) loading, then 420 mg
    (6 mg/kg) every 3 weeks"."""
    maintenance = compute_dose(drug, schedule, Phase.MAINTENANCE, body)
    how_often = schedule_text(schedule)
    if schedule.loading is None:
        return f"{drug.short} {maintenance.amount} {how_often}"
    loading = compute_dose(drug, schedule, Phase.LOADING, body)
    return f"{drug.short} {loading.amount} loading, then {maintenance.amount} {how_often}"


_UNIT_ALIASES = {
    "mg": "mg",
    "milligram": "mg",
    "g": "g",
    "mcg": "mcg",
    "ug": "mcg",
    "mg/kg": "mg/kg",
    "mg/m2": "mg/m2",
    "mg/m^2": "mg/m2",
    "mg/m²": "mg/m2",
    "ml": "ml",
}


def normalise_unit(unit: str) -> str | None:
    return _UNIT_ALIASES.get(unit.strip().lower().replace(" ", ""))


@dataclass(frozen=True)
class DraftedAmount:
    """A drafted dose in the drug's basis, and how it was written."""

    per_basis: float | None  # None: could not be converted (missing weight/BSA, odd unit)
    written: str  # "448 mg", "6.4 mg/kg", "15 mL"
    volume_ml: float | None = None  # subcutaneous products ordered by volume


def _mg_of(dose: Dose, unit: str | None, body: DosingBody) -> float | None:
    if unit == "mg":
        return dose.value
    if unit == "g":
        return dose.value * 1000
    if unit == "mcg":
        return dose.value / 1000
    if unit == "mg/kg":
        return dose.value * body.weight.value if body.weight else None
    if unit == "mg/m2":
        return dose.value * body.bsa.m2 if body.bsa else None
    return dose.mg


def written_dose(dose: Dose) -> str:
    """The dose as drafted: "448 mg", "2 tablets (1000 mg)" when the tablet strength is known,
    "2 tablets" when it is not, and any other unit "5 (unit not read)"."""
    unit = normalise_unit(dose.unit)
    shown = {"mg/m2": "mg/m²", "ml": "mL"}.get(unit or "", unit or "")
    if shown:
        return f"{dose.value:g} {shown}"
    count = count_unit(dose.unit)
    if count is not None:
        counted = f"{dose.value:g} {count}{'' if dose.value == 1 else 's'}"
        return f"{format_mg(dose.mg)} mg ({counted})" if dose.mg is not None else counted
    # a unit we do not read is not echoed (the data table shows the order as written)
    return (
        f"{dose.value:g} (no unit)" if not dose.unit.strip() else f"{dose.value:g} (unit not read)"
    )


def drafted_amount(dose: Dose, drug: Drug, body: DosingBody) -> DraftedAmount:
    unit = normalise_unit(dose.unit)
    written = written_dose(dose)
    if unit == "ml":
        return DraftedAmount(per_basis=None, written=written, volume_ml=dose.value)
    if unit is not None and unit == drug.basis.value:
        return DraftedAmount(per_basis=dose.value, written=written)
    mg = _mg_of(dose, unit, body)
    factor = body.per_basis_factor(drug.basis)
    if mg is None or factor is None or factor <= 0:
        return DraftedAmount(per_basis=None, written=written)
    return DraftedAmount(per_basis=mg / factor, written=written)


def drafted_text(amount: DraftedAmount, drug: Drug) -> str:
    """ "448 mg (6.4 mg/kg)": as written, plus the drug's basis when it differs."""
    if drug.dose_component and amount.volume_ml is None and amount.per_basis is not None:
        return f"{amount.written} {drug.dose_component}"
    if amount.per_basis is None or drug.basis is Basis.FIXED:
        return amount.written
    # mg/m² in whole numbers as pharmacists write them; mg/kg to 3 significant figures, so
    # a dose just above a label maximum (253 mg = 3.61 mg/kg) does not read as the maximum
    shown = (
        round(amount.per_basis) if drug.basis is Basis.PER_M2 else float(f"{amount.per_basis:.3g}")
    )
    basis_text = per_basis_text(shown, drug.basis)
    if amount.written == basis_text:
        return amount.written
    return f"{amount.written} ({basis_text})"
