"""The organ-function table (`cards/data/safety_labs.json`): what must be recent before each
drug, and the labels' dose-modification criteria as rows.

Loading checks what the schema cannot: every source, panel, order code and drug named exists,
and only a criterion verified or corroborated against its label may be critical (a false
critical card is the worst defect; an unverified threshold can at most warn).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.findings import Indicator
from cards.knowledge import KnowledgeError, load_table
from cards.safety.codes import orderable
from cards.sources import source_ids
from fhir_mappings import drug_info

# Severity of an action, for choosing the criterion a card leads with.
ACTION_RANK = {
    "discontinue": 4,
    "contraindicated": 4,
    "withhold-reduce": 3,
    "withhold": 2,
    "reduce-start": 1,
}
WITHHOLDING = frozenset({"discontinue", "contraindicated", "withhold-reduce", "withhold"})
ULN_MEASURES = frozenset({"alt", "ast", "transaminases", "bilirubin-total"})
_CRITICAL_ALLOWED = frozenset({"verified", "corroborated"})


@dataclass(frozen=True)
class Bound:
    """One condition of a criterion: `measure` above / at most / below / at least a number
    (a multiple of the ULN for liver tests, the canonical unit otherwise)."""

    measure: str
    above: float | None = None
    at_most: float | None = None
    below: float | None = None
    at_least: float | None = None

    def holds(self, value: float) -> bool:
        return (
            (self.above is None or value > self.above)
            and (self.at_most is None or value <= self.at_most)
            and (self.below is None or value < self.below)
            and (self.at_least is None or value >= self.at_least)
        )

    @property
    def uln_multiple(self) -> bool:
        return self.measure in ULN_MEASURES


@dataclass(frozen=True)
class Criterion:
    id: str
    drug: str
    setting: str  # "any" | "metastatic" | "early"
    when: tuple[Bound, ...]
    grade: str  # the label's words for the row: "grade 3 AST/ALT (>5 to ≤20× ULN)"
    action: str
    indicator: Indicator
    instruction: str
    source: str
    verification: str
    note: str | None = None
    dose_fraction: float | None = None  # a reduce-start row: the share of the regimen's dose

    @property
    def rank(self) -> tuple[int, int]:
        return (self.indicator.severity, ACTION_RANK[self.action])


@dataclass(frozen=True)
class Panel:
    id: str
    analytes: tuple[str, ...]
    words: str
    order: str  # a code name of safety_codes.json
    order_label: str


@dataclass(frozen=True)
class HepaticDose:
    dose: str
    source: str
    verification: str


@dataclass(frozen=True)
class LabDrug:
    id: str
    panels: tuple[Panel, ...]
    recent_days: float
    initial: tuple[float, float] | None  # (first days of the course, recent days in them)
    monitoring: str
    source: str
    verification: str
    hepatic: HepaticDose | None
    breast_cancer_only: bool = False  # a drug also given for other cancers (capecitabine)


def _bound(raw: Mapping[str, Any]) -> Bound:
    def number(key: str) -> float | None:
        return float(raw[key]) if key in raw else None

    return Bound(
        str(raw["measure"]), number("above"), number("at_most"), number("below"), number("at_least")
    )


def _criterion(raw: Mapping[str, Any]) -> Criterion:
    found = Criterion(
        id=str(raw["id"]),
        drug=str(raw["drug"]),
        setting=str(raw["setting"]),
        when=tuple(_bound(b) for b in raw["when"]),
        grade=str(raw["grade"]),
        action=str(raw["action"]),
        indicator=Indicator(raw["indicator"]),
        instruction=str(raw["instruction"]),
        source=str(raw["source"]),
        verification=str(raw["verification"]),
        note=raw.get("note"),
        dose_fraction=float(raw["dose_fraction"]) if "dose_fraction" in raw else None,
    )
    if found.indicator is Indicator.CRITICAL and found.verification not in _CRITICAL_ALLOWED:
        raise KnowledgeError(f"safety_labs.json: {found.id} is critical but {found.verification}")
    return found


@cache
def _table() -> Mapping[str, Any]:
    return cast(Mapping[str, Any], load_table("safety_labs"))


@cache
def panels() -> Mapping[str, Panel]:
    found = {
        key: Panel(
            key, tuple(raw["analytes"]), str(raw["words"]), str(raw["order"]), raw["order_label"]
        )
        for key, raw in _table()["panels"].items()
    }
    for panel in found.values():
        orderable(panel.order)  # a KeyError here is a broken table
    return found


@cache
def lab_drugs() -> Mapping[str, LabDrug]:
    known_panels = panels()
    drugs: dict[str, LabDrug] = {}
    for drug_id, raw in _table()["drugs"].items():
        drug_info(drug_id)  # an unknown drug id is a broken table
        missing = [p for p in raw["panels"] if p not in known_panels]
        if missing:
            raise KnowledgeError(f"safety_labs.json: {drug_id} names unknown panels {missing}")
        initial = raw.get("initial")
        hepatic = raw.get("severe_hepatic_impairment")
        drugs[drug_id] = LabDrug(
            id=drug_id,
            panels=tuple(known_panels[p] for p in raw["panels"]),
            recent_days=float(raw["recent_days"]),
            initial=(float(initial["period_days"]), float(initial["recent_days"]))
            if initial
            else None,
            monitoring=str(raw["monitoring"]),
            source=str(raw["source"]),
            verification=str(raw["verification"]),
            hepatic=HepaticDose(str(hepatic["dose"]), hepatic["source"], hepatic["verification"])
            if hepatic
            else None,
            breast_cancer_only=bool(raw.get("breast_cancer_only", False)),
        )
    _check_sources(drugs)
    return drugs


@cache
def criteria() -> tuple[Criterion, ...]:
    """Every criterion, most severe first (a stable order: the table's within one rank)."""
    rows = [_criterion(raw) for raw in _table()["criteria"]]
    unknown = [r.id for r in rows if r.drug not in lab_drugs() or r.source not in source_ids()]
    if unknown:
        raise KnowledgeError(f"safety_labs.json: unknown drug or source in {unknown}")
    return tuple(sorted(rows, key=lambda r: r.rank, reverse=True))


def criteria_for(drug: str, setting: str) -> tuple[Criterion, ...]:
    return tuple(c for c in criteria() if c.drug == drug and c.setting in ("any", setting))


def _check_sources(drugs: Mapping[str, LabDrug]) -> None:
    known = source_ids()
    for drug in drugs.values():
        named = [drug.source] + ([drug.hepatic.source] if drug.hepatic else [])
        unknown = [s for s in named if s not in known]
        if unknown:
            raise KnowledgeError(f"safety_labs.json: {drug.id} names unknown sources {unknown}")


@cache
def load_lab_tables() -> None:
    """Check the whole table now (start-up and tests), not at the first order."""
    panels()
    lab_drugs()
    criteria()
