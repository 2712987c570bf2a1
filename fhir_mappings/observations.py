"""The Observations a request brought, sorted into the concepts the facts read.

Codes are matched on the raw JSON first, so only the few Observations a fact needs are
validated against the R4B model (a 600-entry Synthea bundle holds ~250 Observations, of which a
dozen matter). Withdrawn results (`entered-in-error`, `cancelled`) never reach a fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from fhir_mappings.chronology import newest_first
from fhir_mappings.fhir_json import (
    Coding,
    JsonObject,
    Quantity,
    as_object,
    as_objects,
    as_text,
    codings,
    concept_text,
    effective_time,
    quantity,
    reference_display,
    reference_text,
    status_code,
)
from fhir_mappings.model import Evidence
from fhir_mappings.resource_set import NoteBook, ResourceSet, read_leniently
from fhir_mappings.terminology import CodeEntry, CodeIndex, observation_codes

WITHDRAWN = frozenset({"entered-in-error", "cancelled"})


@dataclass(frozen=True)
class CodedObservation:
    """An Observation with the table row its code matched."""

    resource: JsonObject
    entry: CodeEntry
    when: datetime | None
    status: str | None

    @property
    def id(self) -> str | None:
        return as_text(self.resource.get("id"))

    @property
    def specimen_reference(self) -> str | None:
        return reference_text(self.resource.get("specimen"))

    @property
    def specimen_text(self) -> str | None:
        site = concept_text(self.resource.get("bodySite"))
        return site or reference_display(self.resource.get("specimen"))

    def evidence(self, value: str | None) -> Evidence:
        return Evidence(
            resource_type="Observation",
            resource_id=self.id,
            code=self.entry.system_code,
            display=self._display(),
            when=self.when,
            value=value,
        )

    def _display(self) -> str:
        """The record's own words for the test, else the table's name for its code: a display
        that only repeats the code ("10230-1") tells a clinician nothing."""
        text = concept_text(self.resource.get("code"))
        if text is None or text.strip() in (self.entry.code, self.entry.system_code):
            return self.entry.display
        return text


ObservationsByConcept = Mapping[str, tuple[CodedObservation, ...]]


def sort_observations(resources: ResourceSet, notes: NoteBook) -> ObservationsByConcept:
    """Every Observation whose code is in the tables, by concept, newest first (undated last)."""
    index = observation_codes()
    found: dict[str, list[CodedObservation]] = {}
    for resource in resources.of_type("Observation"):
        if not _may_match(resource, index):
            continue
        entries = _matching_entries(
            index.lookup(c.system, c.code) for c in codings(resource.get("code"))
        )
        if not entries:
            continue
        status = status_code(resource)
        if status in WITHDRAWN:
            continue
        read_leniently(resource, notes)
        when = effective_time(resource)
        for entry in entries:
            found.setdefault(entry.concept, []).append(
                CodedObservation(resource, entry, when, status)
            )
    return {concept: observations_newest_first(items) for concept, items in found.items()}


def _may_match(resource: JsonObject, index: CodeIndex) -> bool:
    """Any coding whose bare code is in the tables (most Observations of a bundle are not)."""
    code = resource.get("code")
    items = code.get("coding") if type(code) is dict else None
    if type(items) is not list:
        return bool(codings(code))  # an unusual shape: let the full reader decide
    may_hold = index.may_hold
    for item in items:  # noqa: SIM110 - a plain loop: any() of a generator costs more here
        if type(item) is dict and may_hold(item.get("code")):
            return True
    return False


def _matching_entries(groups: Iterable[tuple[CodeEntry, ...]]) -> list[CodeEntry]:
    """One row per concept (10230-1 and SNOMED 250908004 on one LVEF are one LVEF)."""
    by_concept: dict[str, CodeEntry] = {}
    for group in groups:
        for entry in group:
            by_concept.setdefault(entry.concept, entry)
    return list(by_concept.values())


def observations_newest_first(items: Iterable[CodedObservation]) -> tuple[CodedObservation, ...]:
    return tuple(newest_first(items, lambda o: o.when))


def value_quantity(resource: JsonObject) -> Quantity | None:
    """valueQuantity, or valueInteger as a unitless quantity."""
    found = quantity(resource.get("valueQuantity"))
    if found is not None:
        return found
    number = resource.get("valueInteger")
    if isinstance(number, int) and not isinstance(number, bool):
        return Quantity(float(number), None, None)
    return None


def value_ratio(resource: JsonObject) -> float | None:
    ratio = as_object(resource.get("valueRatio"))
    if ratio is None:
        return None
    numerator = quantity(ratio.get("numerator"))
    denominator = quantity(ratio.get("denominator"))
    if numerator is None:
        return None
    if denominator is None:
        return numerator.value
    return numerator.value / denominator.value if denominator.value else None


def value_codings(resource: JsonObject) -> tuple[Coding, ...]:
    return codings(resource.get("valueCodeableConcept"))


def value_text(resource: JsonObject) -> str | None:
    """What a person reads as the result: valueString, else the value concept's text/display."""
    return as_text(resource.get("valueString")) or concept_text(
        resource.get("valueCodeableConcept")
    )


def interpretation_codings(resource: JsonObject) -> tuple[Coding, ...]:
    return codings(resource.get("interpretation"))


def note_text(resource: JsonObject) -> str | None:
    texts = [as_text(n.get("text")) for n in as_objects(resource.get("note"))]
    joined = " | ".join(t for t in texts if t)
    return joined or None


def component_values(resource: JsonObject) -> list[tuple[tuple[Coding, ...], JsonObject]]:
    """(codings, component) for each component, for panels whose parts carry the values."""
    return [(codings(c.get("code")), c) for c in as_objects(resource.get("component"))]


def format_number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
