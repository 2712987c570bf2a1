"""The LVEF course of one patient as data for a chart: the readings with date and modality, the
baseline the label rules compare against, the withhold thresholds of the label tables of the
HER2 drugs given, the periods of HER2-directed and anthracycline therapy, and when the next LVEF
is due. Everything comes from the same facts, tables and functions the cardiac rules use; the
due date is computed exactly as the patient-view cardiac summary states it (a test holds the
two together).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig
from cards.safety.cardiac_scope import baseline, cardiac_drugs, disease_context, latest_dated
from cards.safety.drugs import ANTHRACYCLINE, HER2_DIRECTED, safety_drug
from cards.safety.lvef_monitoring import label_repeat, requirement, strictest
from cards.safety.lvef_thresholds import LLN_THRESHOLD, Criterion, lvef_table
from fhir_mappings import LvefMeasurement, PatientFacts, drug_info


@dataclass(frozen=True)
class Reading:
    percent: float
    when: datetime
    modality: str | None  # "by 2D echo", "by Nuclear blood pool"; None when the code says none
    preliminary: bool


@dataclass(frozen=True)
class Threshold:
    percent: float
    drug: str  # the drug whose label table sets it
    words: str  # the label row, e.g. "an absolute fall of ≥16 points from baseline"


@dataclass(frozen=True)
class TherapyPeriod:
    kind: str  # "her2" | "anthracycline"
    drug: str  # display name
    start: datetime
    end: datetime | None  # None: still running


@dataclass(frozen=True)
class LvefCourse:
    readings: tuple[Reading, ...]  # oldest first, dated only
    baseline: Reading | None
    thresholds: tuple[Threshold, ...]
    periods: tuple[TherapyPeriod, ...]
    next_due: datetime | None  # None when no HER2 drug with an LVEF table is current
    as_of: datetime


def _reading(m: LvefMeasurement) -> Reading | None:
    if m.when is None:
        return None
    return Reading(m.percent, m.when, m.method, m.preliminary)


def _lines(criterion: Criterion, base: float | None, lln: float) -> list[float]:
    """Where a withhold row starts on the LVEF axis: its LVEF limit, or baseline minus its fall."""
    when = criterion.when
    values = [v for v in (when.lvef_below, when.lvef_at_most) if v is not None]
    if when.below_lln:
        values.append(lln)
    if not values and base is not None:
        fall = when.drop_at_least if when.drop_at_least is not None else when.drop_above
        if fall is not None:
            values.append(base - fall)
    return values


def _thresholds(facts: PatientFacts, config: CardsConfig, base: float | None) -> list[Threshold]:
    lln = config.threshold(LLN_THRESHOLD)
    found: dict[float, Threshold] = {}
    for exposure in facts.therapy.of_class(HER2_DIRECTED):
        drug = safety_drug(exposure.drug)
        if drug is None or drug.lvef_table is None:
            continue
        for table in lvef_table(drug.lvef_table).for_context(disease_context(facts, drug)):
            for criterion in table.criteria:
                if criterion.action != "withhold":
                    continue
                for value in _lines(criterion, base, lln):
                    found.setdefault(value, Threshold(value, drug.display, criterion.criterion))
    return sorted(found.values(), key=lambda t: -t.percent)


def _periods(facts: PatientFacts) -> list[TherapyPeriod]:
    periods = []
    for kind, drug_class in (("her2", HER2_DIRECTED), ("anthracycline", ANTHRACYCLINE)):
        for exposure in facts.therapy.of_class(drug_class):
            if exposure.start is None:
                continue
            end = None if exposure.active else (exposure.end or exposure.last_dose)
            name = drug_info(exposure.drug).display
            periods.append(TherapyPeriod(kind, name, exposure.start, end))
    return periods


def _next_due(facts: PatientFacts, config: CardsConfig) -> datetime | None:
    hook_input = HookInput(hook=Hook.PATIENT_VIEW, patient_id="lvef-course", facts=facts)
    drugs = cardiac_drugs(hook_input, config)
    if not drugs:
        return None
    latest = latest_dated(facts)
    if latest is None or latest.when is None:
        return facts.as_of  # none on file: due now
    due = latest.when + timedelta(
        days=strictest([requirement(hook_input, config, d) for d in drugs]).days
    )
    repeat = label_repeat(hook_input, config, drugs)
    if repeat is not None and repeat.criterion is not None:
        due = latest.when + timedelta(days=repeat.criterion.repeat_days)
    return due


def lvef_course(facts: PatientFacts, config: CardsConfig) -> LvefCourse:
    readings = [r for r in (_reading(m) for m in facts.lvef.measurements) if r is not None]
    base_measurement = baseline(facts, config)
    base = _reading(base_measurement) if base_measurement is not None else None
    return LvefCourse(
        readings=tuple(sorted(readings, key=lambda r: r.when)),
        baseline=base,
        thresholds=tuple(_thresholds(facts, config, base.percent if base else None)),
        periods=tuple(_periods(facts)),
        next_due=_next_due(facts, config),
        as_of=facts.as_of,
    )
