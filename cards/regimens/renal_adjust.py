"""The label's renal starting dose in the dose check: capecitabine at creatinine clearance
30-50 mL/min is expected at 75 % of the regimen's dose, and below 30 mL/min no dose is
computed (the organ-function card says not to give it), so that the dose check never suggests
the full dose next to a renal card. The rows are those of `cards/data/safety_labs.json` with a
`dose_fraction` (or a withholding action); `cards/regimens/renal_start.py` has the card side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cards.catalog import Drug, Schedule
from cards.knowledge import CardsConfig
from cards.regimens.situation import Situation
from cards.safety.lab_table import WITHHOLDING, Bound, Criterion, criteria_for, lab_drugs
from cards.safety.lab_values import LabView
from fhir_mappings import PatientFacts

RENAL_MEASURE = "creatinine-clearance"


@dataclass(frozen=True)
class RenalStart:
    criterion: Criterion
    fraction: float | None  # None: the label says not to give the drug at this clearance


def renal_start(facts: PatientFacts, config: CardsConfig, drug_id: str) -> RenalStart | None:
    """The most severe renal row of the lab table the current clearance meets, if any."""
    drug = lab_drugs().get(drug_id)
    if drug is None:
        return None
    view = LabView(facts, config, drug)
    setting = "metastatic" if facts.disease.metastatic else "early"
    for criterion in criteria_for(drug_id, setting):
        if not any(b.measure == RENAL_MEASURE for b in criterion.when):
            continue
        if not all(_holds(view, b) for b in criterion.when):
            continue
        if criterion.action in WITHHOLDING:
            return RenalStart(criterion, None)
        if criterion.dose_fraction is not None:
            return RenalStart(criterion, criterion.dose_fraction)
    return None


def _holds(view: LabView, bound: Bound) -> bool:
    measured = view.measure(bound.measure)
    return measured is not None and bound.holds(measured.value)


def renal_adjusted(
    sit: Situation, drug: Drug, schedules: tuple[Schedule, ...]
) -> tuple[Schedule, ...]:
    """The label schedules with the renal starting dose applied; none when the drug is not to
    be given at this clearance (the organ-function card says so; no dose is suggested)."""
    renal = renal_start(sit.facts, sit.config, drug.id)
    if renal is None:
        return schedules
    if renal.fraction is None:
        return ()
    fraction = renal.fraction
    grade = renal.criterion.grade
    why = f"{fraction * 100:g} % of {{full:g}} mg/m², the label's starting dose in {grade}"
    return tuple(
        replace(
            s,
            maintenance=s.maintenance * fraction,
            cycle="; ".join(x for x in (s.cycle, why.format(full=s.maintenance)) if x),
        )
        for s in schedules
    )
