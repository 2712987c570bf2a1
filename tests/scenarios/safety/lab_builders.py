"""FHIR laboratory Observations for the organ-function scenarios, as a laboratory sends them:
LOINC-coded, UCUM units, with a reference range when the laboratory gives one."""

from __future__ import annotations

from typing import Any

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import days_ago

ALT = ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma")
AST = ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma")
BILIRUBIN = ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma")
BILIRUBIN_MOLAR = ("14631-6", "Bilirubin.total [Moles/volume] in Serum or Plasma")
CREATININE = ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma")
CREATININE_MOLAR = ("14682-9", "Creatinine [Moles/volume] in Serum or Plasma")
EGFR = ("98979-8", "Glomerular filtration rate/1.73 sq M.predicted (CKD-EPI 2021)")
CRCL = ("35591-7", "Creatinine renal clearance predicted by Cockcroft-Gault formula")
NEUTROPHILS = ("751-8", "Neutrophils [#/volume] in Blood by Automated count")
PLATELETS = ("777-3", "Platelets [#/volume] in Blood by Automated count")


def lab(
    test: tuple[str, str], value: float, unit: str, *, days: float = 1, uln: float | None = None
) -> dict[str, Any]:
    code, display = test
    resource = fb.observation(
        code, when=days_ago(days), value=fb.quantity(value, unit), display=display
    )
    if uln is not None:
        resource["referenceRange"] = [
            {"high": {"value": uln, "unit": unit, "system": fb.UCUM, "code": unit}}
        ]
    return resource


def liver(
    *, alt: float = 20, ast: float = 20, bilirubin: float = 0.6, days: float = 1
) -> list[dict[str, Any]]:
    """ALT and AST in U/L against an upper limit of 40, bilirubin in mg/dL against 1.0."""
    return [
        lab(ALT, alt, "U/L", days=days, uln=40),
        lab(AST, ast, "U/L", days=days, uln=40),
        lab(BILIRUBIN, bilirubin, "mg/dL", days=days, uln=1.0),
    ]


def blood_count(
    *, neutrophils: float = 4.0, platelets: float = 250, days: float = 1
) -> list[dict[str, Any]]:
    """Counts in 10*9/L."""
    return [
        lab(NEUTROPHILS, neutrophils, "10*9/L", days=days),
        lab(PLATELETS, platelets, "10*9/L", days=days),
    ]


def clearance(ml_min: float, *, days: float = 1) -> dict[str, Any]:
    return lab(CRCL, ml_min, "mL/min", days=days)


def recent_labs(days: float = 3) -> list[dict[str, Any]]:
    """Normal liver tests and blood count, recent enough for every drug's window: the record of
    a patient on treatment, so scenarios about other rules are not about missing labs."""
    return [*liver(days=days), *blood_count(days=days)]


def cirrhosis(days: float = 200) -> dict[str, Any]:
    return fb.condition("19943007", onset=days_ago(days), display="Cirrhosis of liver")


def child_pugh_class(letter: str, *, days: float = 10) -> dict[str, Any]:
    """A Child-Pugh assessment recorded as an Observation with the class as text."""
    resource = fb.observation(
        "3191000175106",
        when=days_ago(days),
        value={"valueString": f"Class {letter}"},
        display="Child-Pugh score",
    )
    resource["code"]["coding"][0]["system"] = fb.SNOMED
    return resource


def child_pugh_condition(letter: str, *, days: float = 10) -> dict[str, Any]:
    code = {"A": "710065009", "B": "710066005", "C": "710067001"}[letter]
    return fb.condition(code, onset=days_ago(days), display=f"Child-Pugh score class {letter}")
