"""The course-rules table (`cards/data/course_rules.json`), read once and checked.

Course limits (adjuvant T-DM1, 14 cycles), starting doses that depend on another drug on file
(tucatinib with a strong CYP2C8 inhibitor) and supportive care a label gives from the first
dose (loperamide with neratinib). Every drug id must be in the mapping's drug table and every
source in the regimen table's sources, so a typo stops the service at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.knowledge import KnowledgeError, load_table
from cards.sources import source_ids
from fhir_mappings import all_drugs


@dataclass(frozen=True)
class CourseLimit:
    id: str
    drug: str
    max_cycles: int
    statement: str
    counting: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class InteractionDose:
    id: str
    drug: str
    inhibitor_class: str
    label_mg: float
    with_inhibitor_mg: float
    times_per_day: int
    tolerance_percent: float
    product_mg: float | None  # tablet strength of the drug table's RxNorm product
    statement: str
    sources: tuple[str, ...]

    def matches(self, mg: float, target: float) -> bool:
        return abs(mg - target) <= target * self.tolerance_percent / 100


@dataclass(frozen=True)
class ProphylaxisOrder:
    drug: str
    dose_mg: float
    times_per_day: int
    course_days: int
    instruction: str


@dataclass(frozen=True)
class Prophylaxis:
    id: str
    drug: str
    prophylaxis_class: str
    full_dose_mg: float
    escalation: tuple[tuple[str, float], ...]  # (days, mg)
    statement: str
    suggest: ProphylaxisOrder
    sources: tuple[str, ...]

    def escalation_text(self) -> str:
        """'120 mg days 1-7, 160 mg days 8-14, 240 mg days 15 onwards'."""
        return ", ".join(f"{mg:g} mg days {days}" for days, mg in self.escalation)


@dataclass(frozen=True)
class CourseTable:
    course_limits: tuple[CourseLimit, ...]
    interaction_doses: tuple[InteractionDose, ...]
    prophylaxis: tuple[Prophylaxis, ...]


def _sources(raw: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(s) for s in raw["sources"])


def _check(table: CourseTable) -> None:
    drugs = {d.id for d in all_drugs()}
    classes = {c for d in all_drugs() for c in d.classes}
    known_sources = source_ids()
    named_drugs = [
        *(c.drug for c in table.course_limits),
        *(i.drug for i in table.interaction_doses),
        *(p.drug for p in table.prophylaxis),
        *(p.suggest.drug for p in table.prophylaxis),
    ]
    named_classes = [
        *(i.inhibitor_class for i in table.interaction_doses),
        *(p.prophylaxis_class for p in table.prophylaxis),
    ]
    named_sources = [
        *(s for c in table.course_limits for s in c.sources),
        *(s for i in table.interaction_doses for s in i.sources),
        *(s for p in table.prophylaxis for s in p.sources),
    ]
    problems = [
        *(f"unknown drug {d!r}" for d in named_drugs if d not in drugs),
        *(f"unknown class {c!r}" for c in named_classes if c not in classes),
        *(f"unknown source {s!r}" for s in named_sources if s not in known_sources),
    ]
    if problems:
        raise KnowledgeError("course_rules.json: " + "; ".join(problems))


@cache
def course_table() -> CourseTable:
    raw = cast(Mapping[str, Any], load_table("course_rules"))
    table = CourseTable(
        course_limits=tuple(
            CourseLimit(
                id=str(c["id"]),
                drug=str(c["drug"]),
                max_cycles=int(c["max_cycles"]),
                statement=str(c["statement"]),
                counting=str(c["counting"]),
                sources=_sources(c),
            )
            for c in raw["course_limits"]
        ),
        interaction_doses=tuple(
            InteractionDose(
                id=str(i["id"]),
                drug=str(i["drug"]),
                inhibitor_class=str(i["inhibitor_class"]),
                label_mg=float(i["label_mg"]),
                with_inhibitor_mg=float(i["with_inhibitor_mg"]),
                times_per_day=int(i["times_per_day"]),
                tolerance_percent=float(i["tolerance_percent"]),
                product_mg=float(i["product_mg"]) if i["product_mg"] is not None else None,
                statement=str(i["statement"]),
                sources=_sources(i),
            )
            for i in raw["interaction_doses"]
        ),
        prophylaxis=tuple(
            Prophylaxis(
                id=str(p["id"]),
                drug=str(p["drug"]),
                prophylaxis_class=str(p["prophylaxis_class"]),
                full_dose_mg=float(p["full_dose_mg"]),
                escalation=tuple((str(e["days"]), float(e["mg"])) for e in p["escalation"]),
                statement=str(p["statement"]),
                suggest=ProphylaxisOrder(
                    drug=str(p["suggest"]["drug"]),
                    dose_mg=float(p["suggest"]["dose_mg"]),
                    times_per_day=int(p["suggest"]["times_per_day"]),
                    course_days=int(p["suggest"]["course_days"]),
                    instruction=str(p["suggest"]["instruction"]),
                ),
                sources=_sources(p),
            )
            for p in raw["prophylaxis"]
        ),
    )
    _check(table)
    return table
