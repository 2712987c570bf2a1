"""PatientFacts for rule unit tests: an empty record by default, parts replaced by keyword.

Scenario tests go through FHIR JSON (tests/scenarios); unit tests of one rule build the
exact facts they need here, so a rule can be tested on both sides of each threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fhir_mappings import (
    BodyMeasurement,
    BodySize,
    BsaMethod,
    ConditionFlags,
    Demographics,
    DiseaseSetting,
    Dose,
    DoseEvent,
    DraftOrder,
    DrugExposure,
    Evidence,
    Her2Assessment,
    Her2Call,
    HormoneReceptors,
    LvefMeasurement,
    LvefSeries,
    MedicationConcept,
    PatientFacts,
    PregnancyState,
    PregnancyStatus,
    ReceptorCall,
    ReceptorStatus,
    Sex,
    TherapyHistory,
    TherapySetting,
    drug_info,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def evidence(
    resource_type: str = "Observation", *, when: datetime | None = None, value: str | None = None
) -> Evidence:
    return Evidence(
        resource_type=resource_type,
        resource_id="x1",
        code=None,
        display=resource_type,
        when=when,
        value=value,
    )


def lvef_measurement(
    percent: float, days_ago: float | None, *, preliminary: bool = False
) -> LvefMeasurement:
    when = ago(days_ago) if days_ago is not None else None
    return LvefMeasurement(
        percent=percent,
        when=when,
        preliminary=preliminary,
        method="by US",
        evidence=evidence(when=when, value=f"{percent:g} %"),
    )


def lvef_series(
    *measurements: LvefMeasurement,
    baseline: LvefMeasurement | None = None,
    regimen_start: datetime | None = None,
) -> LvefSeries:
    ordered = tuple(
        sorted(measurements, key=lambda m: m.when or datetime.min.replace(tzinfo=UTC), reverse=True)
    )
    return LvefSeries(measurements=ordered, baseline=baseline, current_regimen_start=regimen_start)


def body(
    weight_kg: float | None = 70.0, height_cm: float | None = 165.0, days_ago: float = 3
) -> BodySize:
    when = ago(days_ago)
    weights = (
        (BodyMeasurement(weight_kg, "kg", when, evidence(when=when, value=f"{weight_kg} kg")),)
        if weight_kg
        else ()
    )
    heights = (
        (BodyMeasurement(height_cm, "cm", when, evidence(when=when, value=f"{height_cm} cm")),)
        if height_cm
        else ()
    )
    bsa = ((weight_kg * height_cm / 3600) ** 0.5) if weight_kg and height_cm else None
    return BodySize(
        weights=weights,
        heights=heights,
        bsa_m2=bsa,
        bsa_method=BsaMethod.MOSTELLER if bsa else None,
    )


def exposure(
    drug: str,
    *,
    start_days: float | None = 120,
    end_days: float | None = None,
    last_dose_days: float | None = None,
    active: bool = True,
    setting: TherapySetting = TherapySetting.METASTATIC,
    doses: Sequence[tuple[float, Dose]] = (),
    record: Evidence | None = None,
) -> DrugExposure:
    """One drug on file, classes from the drug table; `doses` are (days ago, dose) pairs."""
    evidence_ = record or Evidence("MedicationRequest", f"rx-{drug}", None, drug, None, None)
    return DrugExposure(
        drug=drug,
        classes=drug_info(drug).classes,
        start=ago(start_days) if start_days is not None else None,
        end=ago(end_days) if end_days is not None else None,
        last_dose=ago(last_dose_days) if last_dose_days is not None else None,
        status="active" if active else "completed",
        active=active,
        setting=setting,
        doses=tuple(DoseEvent(ago(days), dose, None, evidence_) for days, dose in doses),
        evidence=(evidence_,),
        # an active order keeps the drug current, as the mapping records it
        open_orders=(evidence_,)
        if active and evidence_.resource_type == "MedicationRequest"
        else (),
    )


def draft(
    drug: str | None,
    classes: frozenset[str] = frozenset(),
    *,
    dose: Dose | None = None,
    interval_days: float | None = 21,
    order_id: str = "draft-1",
    selected: bool = True,
    components: tuple[str, ...] = (),
) -> DraftOrder:
    medication = (
        MedicationConcept(
            drug=drug,
            classes=classes,
            components=components,
            route=None,
            matched_by="rxnorm-ingredient",
            text=drug,
        )
        if drug
        else None
    )
    return DraftOrder(
        reference=f"MedicationRequest/{order_id}",
        resource_type="MedicationRequest",
        selected=selected,
        medication=medication,
        dose=dose,
        interval_days=interval_days,
        status="draft",
    )


def make_facts(**parts: Any) -> PatientFacts:
    """An adult woman of 56 with nothing on file, unless `parts` says otherwise."""
    defaults: dict[str, Any] = {
        "as_of": NOW,
        "demographics": Demographics(sex=Sex.FEMALE, age_years=56, reproductive_potential=False),
        "her2": Her2Assessment(
            call=Her2Call.UNKNOWN, negative_subtype=None, as_of=None, results=(), discordant=False
        ),
        "hormone_receptors": HormoneReceptors(
            er=ReceptorStatus(ReceptorCall.UNKNOWN, None, None),
            pr=ReceptorStatus(ReceptorCall.UNKNOWN, None, None),
        ),
        "lvef": LvefSeries(measurements=(), baseline=None, current_regimen_start=None),
        "body": BodySize(weights=(), heights=(), bsa_m2=None, bsa_method=None),
        "therapy": TherapyHistory(exposures=(), metastatic_lines=(), anthracyclines=()),
        "disease": DiseaseSetting(
            breast_cancer=False,
            metastatic=False,
            metastatic_since=None,
            brain_metastases=False,
            other_trastuzumab_cancers=(),
            adjuvant_trastuzumab_end=None,
            months_adjuvant_end_to_recurrence=None,
        ),
        "conditions": ConditionFlags(),
        "pregnancy": PregnancyStatus(state=PregnancyState.UNKNOWN, last_checked=None),
    }
    defaults.update(parts)
    return PatientFacts(**defaults)
