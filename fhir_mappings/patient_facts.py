"""FHIR resources in, one immutable `PatientFacts` out.

The order matters only where one fact needs another: the metastatic date decides the setting of
each therapy course, therapy decides the LVEF baseline (the start of the current HER2 regimen)
and the end of adjuvant trastuzumab, and BSA converts anthracycline doses given in mg.

A request must never fail because of its data: the readers are total, and each fact is built
behind a guard that turns an unexpected error into an "unknown" fact and a data-quality note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from fhir_mappings.body_size import body_size
from fhir_mappings.conditions import ConditionsByConcept, condition_flags, sort_conditions
from fhir_mappings.config import MappingConfig
from fhir_mappings.demographics import demographics
from fhir_mappings.disease import MetastaticFindings, disease_setting, metastatic_findings
from fhir_mappings.future_dated import screen_future_dated
from fhir_mappings.her2 import assess_her2
from fhir_mappings.labs import lab_results
from fhir_mappings.lvef import lvef_series
from fhir_mappings.model import (
    BodySize,
    ConditionFlags,
    Demographics,
    Her2Assessment,
    Her2Call,
    HormoneReceptors,
    LabResults,
    LvefSeries,
    PatientFacts,
    PregnancyState,
    PregnancyStatus,
    ReceptorCall,
    ReceptorStatus,
    SetAsideRecord,
    Sex,
    TherapyHistory,
)
from fhir_mappings.observations import ObservationsByConcept, sort_observations
from fhir_mappings.pregnancy import pregnancy_status
from fhir_mappings.receptors import hormone_receptors
from fhir_mappings.resource_set import NoteBook, ResourceSet
from fhir_mappings.therapy import TherapyBuild, therapy_history

T = TypeVar("T")

_UNKNOWN_RECEPTOR = ReceptorStatus(ReceptorCall.UNKNOWN, None, None)


def build_patient_facts(
    resources: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    config: MappingConfig | None = None,
) -> PatientFacts:
    """Every fact the rules read, with provenance, from a flat list of FHIR resources.

    Bundles in the list are unpacked. `now` must be timezone-aware: it decides what is "active"
    and how old a pregnancy test is.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    config = config or MappingConfig()
    notes = NoteBook()
    index = ResourceSet(resources, notes)
    set_aside: tuple[SetAsideRecord, ...] = _guard(  # before any fact reads: never used
        "dates", notes, tuple, lambda: screen_future_dated(index, now, config, notes)
    )
    observations: ObservationsByConcept = _guard(
        "observations", notes, _nothing, lambda: sort_observations(index, notes)
    )
    conditions: ConditionsByConcept = _guard(
        "conditions", notes, _nothing, lambda: sort_conditions(index, notes)
    )

    people = _guard(
        "demographics",
        notes,
        lambda: Demographics(Sex.UNKNOWN, None, None),
        lambda: demographics(index, now, config, notes),
    )
    her2 = _guard(
        "HER2",
        notes,
        lambda: Her2Assessment(Her2Call.UNKNOWN, None, None, (), False),
        lambda: assess_her2(observations, conditions.get("breast-cancer", ()), config, notes),
    )
    receptors = _guard(
        "ER/PR",
        notes,
        lambda: HormoneReceptors(_UNKNOWN_RECEPTOR, _UNKNOWN_RECEPTOR),
        lambda: hormone_receptors(observations, notes),
    )
    body = _guard(
        "body size",
        notes,
        lambda: BodySize((), (), None, None),
        lambda: body_size(observations, notes),
    )
    findings = _guard(
        "disease setting",
        notes,
        lambda: MetastaticFindings(False, False, None, False, (), ()),
        lambda: metastatic_findings(conditions, observations),
    )
    therapy = _guard(
        "therapy history",
        notes,
        lambda: TherapyBuild(TherapyHistory((), (), ()), None, None),
        lambda: therapy_history(
            index,
            now=now,
            metastatic_since=findings.since,
            bsa_m2=body.bsa_m2,
            config=config,
            notes=notes,
        ),
    )
    lvef = _guard(
        "LVEF",
        notes,
        lambda: LvefSeries((), None, None),
        lambda: lvef_series(observations, therapy.regimen_start, notes),
    )
    flags = _guard("conditions", notes, ConditionFlags, lambda: condition_flags(conditions))
    pregnancy = _guard(
        "pregnancy",
        notes,
        lambda: PregnancyStatus(PregnancyState.UNKNOWN, None),
        lambda: pregnancy_status(conditions, observations, now, config, notes),
    )
    labs = _guard(
        "laboratory results",
        notes,
        LabResults,
        lambda: lab_results(observations, people, body, notes, conditions),
    )
    return PatientFacts(
        as_of=now,
        demographics=people,
        her2=her2,
        hormone_receptors=receptors,
        lvef=lvef,
        body=body,
        therapy=therapy.history,
        disease=disease_setting(findings, therapy.adjuvant_trastuzumab_end),
        conditions=flags,
        pregnancy=pregnancy,
        data_quality=notes.notes(),
        set_aside=set_aside,
        labs=labs,
    )


def _nothing() -> dict[str, Any]:
    return {}


def _guard(what: str, notes: NoteBook, fallback: Callable[[], T], build: Callable[[], T]) -> T:
    """Build one fact; an unexpected error becomes an unknown fact and a note, never a 500."""
    try:
        return build()
    except Exception as error:  # the last line of defence for client data we did not foresee
        notes.add("Resource", f"{what}: internal error ({type(error).__name__}); left unknown")
        return fallback()
