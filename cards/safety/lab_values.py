"""The laboratory values a drug's organ-function check may use now, and those it may not.

A value is *recent* when it is dated and no older than the drug's monitoring window (its cycle,
or the label's interval); anything older is "not recent", named with its date and never used
as current. Liver tests are judged as multiples of the upper limit of normal: the laboratory's
own (`referenceRange.high`) when it sent one, else the service default of
`safety_thresholds.json` (`uln_default_*`, overridable per institution), and the card says which.
Creatinine clearance is the Cockcroft-Gault one the capecitabine label means; an eGFR stands in
only when no clearance can be had, and is then marked as a substitute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cards.knowledge import CardsConfig
from cards.phrasing import format_date as date
from cards.safety.lab_table import LabDrug
from fhir_mappings import Evidence, LabResult, PatientFacts

FULL_DAY = 86400.0
_NAMES = {
    "alt": "ALT",
    "ast": "AST",
    "bilirubin-total": "total bilirubin",
    "creatinine": "serum creatinine",
    "egfr": "eGFR",
    "creatinine-clearance": "creatinine clearance",
    "neutrophils": "neutrophils",
    "platelets": "platelets",
}
_UNITS = {"10*9/L": "×10⁹/L", "mL/min/{1.73_m2}": "mL/min/1.73 m²"}
_DEFAULT_ULN = {
    "alt": "uln_default_alt_u_l",
    "ast": "uln_default_ast_u_l",
    "bilirubin-total": "uln_default_bilirubin_total_mg_dl",
}


def analyte_name(analyte: str) -> str:
    return _NAMES.get(analyte, analyte)


def number(value: float) -> str:
    if value >= 100:
        return str(round(value))
    if value >= 10:
        return f"{round(value, 1):g}"
    return f"{round(value, 2):g}"


@dataclass(frozen=True)
class Measured:
    """One measure as a criterion reads it, and the words and records that show it."""

    measure: str
    value: float  # a multiple of the ULN for liver tests, the canonical unit otherwise
    short: str  # for a summary: "ALT 6.2× ULN", "platelets 40 ×10⁹/L"
    detail: str  # for the detail: "ALT 248 U/L on 2026-11-19 = 6.2× the ULN of 40 U/L (...)"
    when: datetime | None
    evidence: tuple[Evidence, ...]
    substitute: bool = False  # eGFR standing in for a creatinine clearance


@dataclass(frozen=True)
class Stale:
    """A value the check needed that is missing or too old to count."""

    analyte: str
    last: LabResult | None  # the newest value on file, when there is one
    why: str  # "not on file", "not recent: last 2026-09-01 (81 days before this order)"


class LabView:
    """The facts' lab results seen from one drafted drug on one date."""

    def __init__(self, facts: PatientFacts, config: CardsConfig, drug: LabDrug) -> None:
        self.facts = facts
        self.config = config
        self.window = recent_window(facts, drug)

    def _age_days(self, when: datetime | None) -> float | None:
        if when is None:
            return None
        return (self.facts.as_of - when).total_seconds() / FULL_DAY

    def recent(self, when: datetime | None) -> bool:
        age = self._age_days(when)
        # Results dated after now beyond the clock tolerance never get here: the mapping sets
        # them aside (fhir_mappings/future_dated.py) and the card names them.
        return age is not None and age <= self.window

    def newest(self, analyte: str) -> LabResult | None:
        """The newest dated result (an undated one cannot be judged recent)."""
        return next((r for r in self.facts.labs.of(analyte) if r.when is not None), None)

    def current(self, analyte: str) -> LabResult | None:
        found = self.newest(analyte)
        return found if found is not None and self.recent(found.when) else None

    def stale(self, analyte: str) -> Stale | None:
        """None when a recent value is on file; else what is missing, with its last date."""
        if analyte == "creatinine-clearance":
            return self._stale_clearance()
        if self.current(analyte) is not None:
            return None
        return self._why(analyte, self.newest(analyte))

    def _why(self, analyte: str, last: LabResult | None) -> Stale:
        if last is None or last.when is None:
            if self.facts.labs.of(analyte):
                return Stale(analyte, None, "on file without a date")
            return Stale(analyte, None, "not on file")
        age = max(self._age_days(last.when) or 0.0, 0.0)
        return Stale(
            analyte,
            last,
            f"not recent: last {number(last.value)} {_UNITS.get(last.unit, last.unit)} on "
            f"{date(last.when)}, {int(age)} days ago",
        )

    def _stale_clearance(self) -> Stale | None:
        clearance = self.facts.labs.clearance
        if clearance is not None and self.recent(clearance.when):
            return None
        if self.current("egfr") is not None:
            return None
        creatinine = self.newest("creatinine")
        if creatinine is not None and self.recent(creatinine.when):
            note = self.facts.labs.clearance_note or "no Cockcroft-Gault clearance"
            return Stale("creatinine-clearance", None, note)
        return self._why("creatinine", creatinine)

    def measure(self, measure: str) -> Measured | None:
        """The value a criterion compares, from recent results only; None when not at hand."""
        if measure == "transaminases":
            found = [m for m in (self._uln("alt"), self._uln("ast")) if m is not None]
            return max(found, key=lambda m: m.value, default=None)
        if measure in _DEFAULT_ULN:
            return self._uln(measure)
        if measure == "creatinine-clearance":
            return self._clearance()
        return self._absolute(measure)

    def uln(self, result: LabResult) -> tuple[float, bool]:
        """The upper limit of normal of a result, and whether it is the service default."""
        if result.upper_limit is not None and result.upper_limit > 0:
            return result.upper_limit, False
        return self.config.threshold(_DEFAULT_ULN[result.analyte]), True

    def _uln(self, analyte: str) -> Measured | None:
        result = self.current(analyte)
        if result is None:
            return None
        limit, default = self.uln(result)
        multiple = result.value / limit
        unit = result.unit
        whose = (
            "the service default; the laboratory sent no reference range"
            if default
            else "the laboratory's reference range"
        )
        name = analyte_name(analyte)
        return Measured(
            analyte,
            multiple,
            f"{name} {multiple:.1f}× ULN",
            f"{name} {number(result.value)} {unit} on {date(result.when)} = {multiple:.1f}× the "
            f"upper limit of normal of {number(limit)} {unit} ({whose})",
            result.when,
            (result.evidence,),
        )

    def _absolute(self, analyte: str) -> Measured | None:
        result = self.current(analyte)
        if result is None:
            return None
        shown = (
            f"{analyte_name(analyte)} {number(result.value)} {_UNITS.get(result.unit, result.unit)}"
        )
        return Measured(
            analyte,
            result.value,
            shown,
            f"{shown} on {date(result.when)}",
            result.when,
            (result.evidence,),
        )

    def _clearance(self) -> Measured | None:
        clearance = self.facts.labs.clearance
        if clearance is not None and self.recent(clearance.when):
            how = (
                "computed by Cockcroft-Gault from the serum creatinine, age, sex and actual body "
                "weight (no measured clearance on file)"
                if clearance.method == "cockcroft-gault"
                else "as recorded"
            )
            value = round(clearance.ml_per_min)
            return Measured(
                "creatinine-clearance",
                clearance.ml_per_min,
                f"creatinine clearance {value} mL/min"
                + (" (Cockcroft-Gault)" if clearance.method == "cockcroft-gault" else ""),
                f"Creatinine clearance {value} mL/min on {date(clearance.when)}, {how}",
                clearance.when,
                clearance.evidence,
            )
        egfr = self.current("egfr")
        if egfr is None:
            return None
        why = self.facts.labs.clearance_note or "no recent creatinine clearance on file"
        return Measured(
            "creatinine-clearance",
            egfr.value,
            f"eGFR {number(egfr.value)} mL/min/1.73 m²",
            f"eGFR {number(egfr.value)} mL/min/1.73 m² on {date(egfr.when)}, used in place of a "
            f"Cockcroft-Gault creatinine clearance ({why}); the label's bands are for the "
            "Cockcroft-Gault clearance",
            egfr.when,
            (egfr.evidence,),
            substitute=True,
        )


def recent_window(facts: PatientFacts, drug: LabDrug) -> float:
    """The drug's monitoring window in days: the label's tighter one early in a course."""
    if drug.initial is None:
        return drug.recent_days
    period, tighter = drug.initial
    exposure = facts.therapy.of_drug(drug.id)
    started = None
    if exposure is not None:
        dated = [d.when for d in exposure.doses if d.when is not None]
        started = min(dated, default=exposure.start)
    if started is None or (facts.as_of - started).total_seconds() / FULL_DAY <= period:
        return tighter
    return drug.recent_days
