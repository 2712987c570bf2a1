"""Conditions sorted into the concepts the facts read, and the flags cards check directly.

A Condition counts unless it was refuted or entered in error. Whether it is still active is kept
in the evidence (`value`), because a cardiomyopathy that resolved still matters before an
anthracycline, while a pregnancy that ended does not (pregnancy.py applies its own rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from fhir_mappings.chronology import newest_first
from fhir_mappings.fhir_json import (
    Coding,
    JsonObject,
    as_text,
    codings,
    concept_text,
    parse_datetime,
    period,
    status_code,
)
from fhir_mappings.model import ConditionFlags, Evidence
from fhir_mappings.resource_set import NoteBook, ResourceSet, read_leniently
from fhir_mappings.terminology import CodeEntry, condition_codes

_NOT_TRUE = frozenset({"refuted", "entered-in-error"})
_ENDED = frozenset({"inactive", "resolved", "remission"})


@dataclass(frozen=True)
class CodedCondition:
    resource: JsonObject
    entries: tuple[CodeEntry, ...]
    codings: tuple[Coding, ...]
    when: datetime | None  # onset, else when it was recorded
    abated: datetime | None
    clinical_status: str | None

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(e.concept for e in self.entries)

    @property
    def ended(self) -> bool:
        return self.clinical_status in _ENDED or self.abated is not None

    def ended_by(self, now: datetime) -> bool:
        """Ended as of `now`: an abatement dated later (an expected end, such as a delivery
        date) has not happened yet, unless the clinical status itself says it has ended."""
        return self.clinical_status in _ENDED or (self.abated is not None and self.abated <= now)

    def evidence(self, concept: str | None = None) -> Evidence:
        entry = next((e for e in self.entries if concept in (None, e.concept)), self.entries[0])
        return Evidence(
            resource_type="Condition",
            resource_id=as_text(self.resource.get("id")),
            code=f"{entry.system}|{self._matched_code(entry)}",
            display=concept_text(self.resource.get("code")) or entry.display,
            when=self.when,
            value=self.clinical_status,
        )

    def _matched_code(self, entry: CodeEntry) -> str:
        for coding in self.codings:
            if entry in condition_codes().lookup(coding.system, coding.code) and coding.code:
                return coding.code
        return entry.code


ConditionsByConcept = Mapping[str, tuple[CodedCondition, ...]]


def sort_conditions(resources: ResourceSet, notes: NoteBook) -> ConditionsByConcept:
    """Every Condition whose code is in the tables, by concept, newest onset first."""
    index = condition_codes()
    found: dict[str, list[CodedCondition]] = {}
    for resource in resources.of_type("Condition"):
        items = codings(resource.get("code"))
        entries = tuple(e for c in items for e in index.lookup(c.system, c.code))
        if not entries or status_code(resource, "verificationStatus") in _NOT_TRUE:
            continue
        read_leniently(resource, notes)
        condition = CodedCondition(
            resource=resource,
            entries=entries,
            codings=items,
            when=_onset(resource, notes),
            abated=_abatement(resource),
            clinical_status=status_code(resource, "clinicalStatus"),
        )
        for concept in condition.concepts:
            found.setdefault(concept, []).append(condition)
    return {c: tuple(newest_first(items, lambda i: i.when)) for c, items in found.items()}


def _onset(resource: JsonObject, notes: NoteBook) -> datetime | None:
    onset = parse_datetime(resource.get("onsetDateTime")) or period(resource.get("onsetPeriod"))[0]
    if onset is not None:
        return onset
    recorded = parse_datetime(resource.get("recordedDate"))
    if recorded is not None:
        notes.add("Condition", "no onset date: the date it was recorded is used instead")
    return recorded


def _abatement(resource: JsonObject) -> datetime | None:
    abated = parse_datetime(resource.get("abatementDateTime"))
    return abated or period(resource.get("abatementPeriod"))[1]


def condition_flags(conditions: ConditionsByConcept) -> ConditionFlags:
    return ConditionFlags(
        heart_failure=tuple(
            c.evidence("heart-failure") for c in conditions.get("heart-failure", ())
        ),
        interstitial_lung_disease=tuple(
            c.evidence("interstitial-lung-disease")
            for c in conditions.get("interstitial-lung-disease", ())
        ),
    )
