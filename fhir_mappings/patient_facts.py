"""FHIR resources in, one immutable `PatientFacts` out.

The order matters only where one fact needs another: the metastatic date decides the setting of
each therapy course, therapy decides the LVEF baseline (the start of the current HER2 regimen)
and the end of adjuvant trastuzumab, and BSA converts anthracycline doses given in mg.

A request must never fail because of its data: the readers are total, and each fact is built
behind a guard that turns an unexpected error into an "unknown" fact and a data-quality note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
    record = _read(resources, now, config or MappingConfig())
    people, her2, receptors, body = _patient(record)
    findings, therapy, lvef = _treatment(record, body)
    flags = record.guard("conditions", ConditionFlags, lambda: condition_flags(record.conditions))
    pregnancy = record.guard(
        "pregnancy",
        lambda: PregnancyStatus(PregnancyState.UNKNOWN, None),
        lambda: pregnancy_status(
            record.conditions, record.observations, now, record.config, record.notes
        ),
    )
    labs = record.guard(
        "laboratory results",
        LabResults,
        lambda: lab_results(record.observations, people, body, record.notes, record.conditions),
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
        data_quality=record.notes.notes(),
        set_aside=record.set_aside,
        labs=labs,
    )


@dataclass(frozen=True)
class _Record:
    """The request's resources, screened and sorted by concept, and what each step shares."""

    index: ResourceSet
    notes: NoteBook
    now: datetime
    config: MappingConfig
    set_aside: tuple[SetAsideRecord, ...]
    observations: ObservationsByConcept
    conditions: ConditionsByConcept

    def guard(self, what: str, fallback: Callable[[], T], build: Callable[[], T]) -> T:
        return _guard(what, self.notes, fallback, build)


def _read(resources: Sequence[Mapping[str, Any]], now: datetime, config: MappingConfig) -> _Record:
    """Index the resources; set aside those dated after `now` before any fact reads them."""
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
    return _Record(index, notes, now, config, set_aside, observations, conditions)


def _patient(record: _Record) -> tuple[Demographics, Her2Assessment, HormoneReceptors, BodySize]:
    """Who the patient is: demographics, HER2, ER/PR and body size."""
    notes, observations = record.notes, record.observations
    people = record.guard(
        "demographics",
        lambda: Demographics(Sex.UNKNOWN, None, None),
        lambda: demographics(record.index, record.now, record.config, notes),
    )
    her2 = record.guard(
        "HER2",
        lambda: Her2Assessment(Her2Call.UNKNOWN, None, None, (), False),
        lambda: assess_her2(
            observations, record.conditions.get("breast-cancer", ()), record.config, notes
        ),
    )
    receptors = record.guard(
        "ER/PR",
        lambda: HormoneReceptors(_UNKNOWN_RECEPTOR, _UNKNOWN_RECEPTOR),
        lambda: hormone_receptors(observations, notes),
    )
    body = record.guard(
        "body size",
        lambda: BodySize((), (), None, None),
        lambda: body_size(observations, notes),
    )
    return people, her2, receptors, body


def _treatment(
    record: _Record, body: BodySize
) -> tuple[MetastaticFindings, TherapyBuild, LvefSeries]:
    """The disease setting, the therapy given in it, and the LVEF series against its start."""
    findings = record.guard(
        "disease setting",
        lambda: MetastaticFindings(False, False, None, False, (), ()),
        lambda: metastatic_findings(record.conditions, record.observations),
    )
    therapy = record.guard(
        "therapy history",
        lambda: TherapyBuild(TherapyHistory((), (), ()), None, None),
        lambda: therapy_history(
            record.index,
            now=record.now,
            metastatic_since=findings.since,
            bsa_m2=body.bsa_m2,
            config=record.config,
            notes=record.notes,
        ),
    )
    lvef = record.guard(
        "LVEF",
        lambda: LvefSeries((), None, None),
        lambda: lvef_series(record.observations, therapy.regimen_start, record.notes),
    )
    return findings, therapy, lvef


def _nothing() -> dict[str, Any]:
    return {}


def _guard(what: str, notes: NoteBook, fallback: Callable[[], T], build: Callable[[], T]) -> T:
    """Build one fact; an unexpected error becomes an unknown fact and a note, never a 500."""
    try:
        return build()
    except Exception as error:  # the last line of defence for client data we did not foresee
        notes.add("Resource", f"{what}: internal error ({type(error).__name__}); left unknown")
        return fallback()
