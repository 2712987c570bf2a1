"""Which HER2 drugs the cardiac rules judge, against which baseline and table.

On order hooks the drafted HER2 drugs with a label LVEF table are judged; on patient-view
the ones the patient is on. That is every HER2 antibody, and lapatinib, whose label asks
for a normal LVEF before starting and stops it below the lower limit of normal; which
drugs have a table is said in `safety_drugs.json`, not here. The fall in LVEF is measured
from the regimen's baseline (the last LVEF before its first dose), because the heart has
been exposed since then whatever the product; the pre-treatment requirement applies when a
drug is being started. Which drugs are current, and which are of the current course, is read
with the rule's `CardsConfig` (its grace and current-course window), as the regimen rules read
them, so that an institution's override reaches both families alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cards.current import state
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig
from cards.safety.drugs import ANTHRACYCLINE, HER2_DIRECTED, SafetyDrug, safety_drug
from cards.safety.lvef_thresholds import DiseaseContext
from cards.safety.triggers import drug_ids, last_given
from fhir_mappings import DrugExposure, Evidence, LvefMeasurement, PatientFacts, TherapySetting

CURRENT_COURSE = "line_current_days"


def has_lvef_table(drug_id: str | None) -> bool:
    drug = safety_drug(drug_id)
    return drug is not None and drug.lvef_table is not None


def cardiac_drugs(hook_input: HookInput, config: CardsConfig) -> tuple[SafetyDrug, ...]:
    """The HER2 drugs with a label LVEF table that this call is about."""
    if hook_input.hook is Hook.PATIENT_VIEW:
        current = current_cardiac_exposures(hook_input.facts, config)
        ids = tuple(dict.fromkeys(e.drug for e in current))
    else:
        ids = drug_ids(hook_input.drafted.selected_in_class(HER2_DIRECTED))
    drugs = (safety_drug(d) for d in ids)
    return tuple(d for d in drugs if d is not None and d.lvef_table is not None)


def current_cardiac_exposures(facts: PatientFacts, config: CardsConfig) -> tuple[DrugExposure, ...]:
    """The HER2 drugs with a label LVEF table that the patient is on: the mapping's one
    definition of current (`fhir_mappings.exposure`): an open order, or a last dose within the
    drug's cycle plus the grace where no order or statement says it stopped. Records often
    show every cycle only as administrations; such a patient is on trastuzumab all the same,
    and her LVEF fall must be judged."""
    return tuple(
        e
        for e in facts.therapy.of_class(HER2_DIRECTED)
        if has_lvef_table(e.drug) and state(e, facts.as_of, config).current
    )


def _in_current_course(exposure: DrugExposure, as_of: datetime, config: CardsConfig) -> bool:
    """In the current course (not the same as current): current, or given within the
    current-course window (`line_current_days`, the regimen rules' window) whatever its orders
    say. The heart has been exposed since the regimen's first dose: trastuzumab restarted five
    weeks after a stopped order is judged against that regimen's baseline, not as a start."""
    if state(exposure, as_of, config).current:
        return True
    last = exposure.last_dose or exposure.end
    window = timedelta(days=config.threshold(CURRENT_COURSE))
    return last is not None and timedelta(0) <= as_of - last <= window


def course_cardiac_exposures(facts: PatientFacts, config: CardsConfig) -> tuple[DrugExposure, ...]:
    """The HER2 drugs with a label LVEF table of the current course (see _in_current_course)."""
    return tuple(
        e
        for e in facts.therapy.of_class(HER2_DIRECTED)
        if has_lvef_table(e.drug) and _in_current_course(e, facts.as_of, config)
    )


def is_continuing(hook_input: HookInput, config: CardsConfig, drug: SafetyDrug) -> bool:
    """The patient is already on this drug (or a product judged by the same LVEF table)."""
    if hook_input.hook is Hook.PATIENT_VIEW:
        return True
    for exposure in course_cardiac_exposures(hook_input.facts, config):
        other = safety_drug(exposure.drug)
        if other is not None and other.lvef_table == drug.lvef_table:
            return True
    return False


def regimen_start(facts: PatientFacts, config: CardsConfig) -> datetime | None:
    """First dose of the current HER2 regimen: the mapping's, else the earliest active start."""
    if facts.lvef.current_regimen_start is not None:
        return facts.lvef.current_regimen_start
    starts = [e.start for e in course_cardiac_exposures(facts, config) if e.start is not None]
    return min(starts) if starts else None


def latest_dated(facts: PatientFacts) -> LvefMeasurement | None:
    return next((m for m in facts.lvef.measurements if m.when is not None), None)


def baseline(facts: PatientFacts, config: CardsConfig) -> LvefMeasurement | None:
    """The mapping's baseline, else the last dated LVEF on or before the regimen's start."""
    if facts.lvef.baseline is not None:
        return facts.lvef.baseline
    start = regimen_start(facts, config)
    if start is None:
        return None
    return next(
        (m for m in facts.lvef.measurements if m.when is not None and m.when <= start), None
    )


def on_treatment_readings(facts: PatientFacts, config: CardsConfig) -> tuple[LvefMeasurement, ...]:
    """Dated LVEFs taken after the regimen's first dose, newest first."""
    start = regimen_start(facts, config)
    if start is None or not course_cardiac_exposures(facts, config):
        return ()
    return tuple(m for m in facts.lvef.measurements if m.when is not None and m.when > start)


def disease_context(facts: PatientFacts, drug: SafetyDrug) -> DiseaseContext:
    """Metastatic or early disease, for the tables that differ (pertuzumab, T-DM1)."""
    if facts.disease.metastatic:
        return DiseaseContext.METASTATIC
    exposure = facts.therapy.of_drug(drug.id)
    if exposure is not None and exposure.setting is TherapySetting.METASTATIC:
        return DiseaseContext.METASTATIC
    if facts.disease.breast_cancer:
        return DiseaseContext.EARLY
    if exposure is not None and exposure.setting is TherapySetting.EARLY:
        return DiseaseContext.EARLY
    return DiseaseContext.UNKNOWN


def had_anthracycline(facts: PatientFacts) -> bool:
    return bool(facts.therapy.of_class(ANTHRACYCLINE) or facts.therapy.anthracyclines)


def last_anthracycline(facts: PatientFacts) -> tuple[datetime, tuple[Evidence, ...]] | None:
    """The last anthracycline dose on file (exposures and counted administrations), with
    the record that shows it."""
    found: list[tuple[datetime, tuple[Evidence, ...]]] = []
    for exposure in facts.therapy.of_class(ANTHRACYCLINE):
        given = last_given(exposure)
        if given is not None:
            found.append((given, exposure.evidence[:1]))
    for total in facts.therapy.anthracyclines:
        found.extend((e.when, (e,)) for e in total.evidence if e.when is not None)
    return max(found, key=lambda f: f[0]) if found else None
