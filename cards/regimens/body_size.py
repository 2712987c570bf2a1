"""The weight and body surface area a dose is computed from, and what is wrong with them.

Doses use the latest weight (actual body weight, ASCO obese-dosing guideline) and a Mosteller
BSA computed here from the latest weight and height, so the card can name the exact inputs
and their dates. A BSA recorded by the EHR is used only when weight or height is missing.
What is missing or too old is reported, never silently replaced by a default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from cards.catalog import Basis
from cards.phrasing import format_date
from fhir_mappings import BodyMeasurement, BodySize, BsaMethod, Evidence


@dataclass(frozen=True)
class Bsa:
    m2: float  # rounded to 2 decimals, as written on the card and used for the dose
    how: str  # "Mosteller from 165 cm and 70 kg" | "as recorded"
    when: datetime | None  # date of the oldest input
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class DosingBody:
    weight: BodyMeasurement | None
    height: BodyMeasurement | None
    bsa: Bsa | None

    def per_basis_factor(self, basis: Basis) -> float | None:
        """Multiply a per-kg or per-m2 dose by this to get mg; None when it cannot be known."""
        if basis is Basis.FIXED:
            return 1.0
        if basis is Basis.PER_KG:
            return self.weight.value if self.weight else None
        return self.bsa.m2 if self.bsa else None

    def evidence_for(self, basis: Basis) -> tuple[Evidence, ...]:
        if basis is Basis.PER_KG and self.weight:
            return (self.weight.evidence,)
        if basis is Basis.PER_M2 and self.bsa:
            return self.bsa.evidence
        return ()

    def evidence_for_all(self) -> tuple[Evidence, ...]:
        items: list[Evidence] = []
        if self.weight:
            items.append(self.weight.evidence)
        if self.height:
            items.append(self.height.evidence)
        if self.bsa:
            items.extend(self.bsa.evidence)
        return tuple(dict.fromkeys(items))

    def describe(self, basis: Basis) -> str:
        """The inputs in words: "weight 70 kg on 2026-11-18"."""
        if basis is Basis.PER_KG and self.weight:
            return f"weight {self.weight.value:g} kg on {format_date(self.weight.when)}"
        if basis is Basis.PER_M2 and self.bsa:
            return f"BSA {self.bsa.m2:.2f} m², {self.bsa.how}, on {format_date(self.bsa.when)}"
        return ""


def mosteller_m2(height_cm: float, weight_kg: float) -> float:
    """BSA (m²) = sqrt(height cm × weight kg / 3600) (Mosteller, NEJM 1987)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


def _oldest(*dates: datetime | None) -> datetime | None:
    if any(d is None for d in dates):
        return None  # an undated input makes the result undated, never "recent"
    return min(d for d in dates if d is not None)


def _usable(measurement: BodyMeasurement | None) -> BodyMeasurement | None:
    """A zero or negative weight or height is a data error, not a body: treat it as missing."""
    return measurement if measurement is not None and measurement.value > 0 else None


def dosing_body(body: BodySize) -> DosingBody:
    weight, height = _usable(body.weight), _usable(body.height)
    bsa: Bsa | None = None
    if weight and height:
        bsa = Bsa(
            m2=round(mosteller_m2(height.value, weight.value), 2),
            how=f"Mosteller from {height.value:g} cm and {weight.value:g} kg",
            when=_oldest(weight.when, height.when),
            evidence=(height.evidence, weight.evidence),
        )
    elif body.bsa_m2 and body.bsa_method is BsaMethod.RECORDED:
        dates = [e.when for e in body.bsa_evidence]
        bsa = Bsa(
            m2=round(body.bsa_m2, 2),
            how="as recorded",
            when=_oldest(*dates) if dates else None,
            evidence=body.bsa_evidence,
        )
    return DosingBody(weight=weight, height=height, bsa=bsa)


def weight_on_or_before(body: BodySize, when: datetime) -> BodyMeasurement | None:
    """The weight a dose given on `when` was most likely computed from."""
    dated = [w for w in body.weights if w.when is not None and w.when <= when]
    return max(dated, key=lambda w: w.when or when) if dated else None
