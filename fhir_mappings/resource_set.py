"""The resources one request brought, indexed once, and the notes about the ones we doubted.

`ResourceSet` unpacks Bundles, groups resources by type and resolves references (contained,
`Type/id`, `urn:uuid:` full URLs). `NoteBook` collects data-quality notes while facts are built.
`read_leniently` is the single R4B gate: the elements a fact reads (`READ_ELEMENTS`) of a resource
a fact needs are validated with the `fhir.resources.R4B` model of its type; when a sloppy client's
resource fails, the few fields we need are still read from the raw JSON and the doubt is noted,
so one bad field never costs a fact.

The facts are read from the raw JSON whatever the check says, so no rule waits for it: the check
runs when the notes are first read (`PatientFacts.data_quality`), not on the request path, where
it was a quarter of a typical call's CPU. The notes keep the order they would have had.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, overload

from fhir_mappings.fhir_json import JsonObject, as_object, as_objects, as_text
from fhir_mappings.model import DataQualityNote


@cache
def _r4b_models() -> Mapping[str, Any]:
    """The R4B models, imported on the first check: the service never reads the notes, so
    its workers never load `fhir.resources` (about 0.2 s of start-up and tens of MB)."""
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.medication import Medication
    from fhir.resources.R4B.medicationadministration import MedicationAdministration
    from fhir.resources.R4B.medicationrequest import MedicationRequest
    from fhir.resources.R4B.medicationstatement import MedicationStatement
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient

    return {
        "Condition": Condition,
        "Medication": Medication,
        "MedicationAdministration": MedicationAdministration,
        "MedicationRequest": MedicationRequest,
        "MedicationStatement": MedicationStatement,
        "Observation": Observation,
        "Patient": Patient,
    }


# The elements the facts read, plus those R4B requires: only these are validated. A Synthea
# Patient's extensions or an order's `category` cannot cost a fact, and validation stays cheap.
_MEDICATION_USE = frozenset(
    {"subject", "medicationCodeableConcept", "medicationReference", "effectiveDateTime",
     "effectivePeriod", "dosage"}
)  # fmt: skip
READ_ELEMENTS: Mapping[str, frozenset[str]] = {
    "Observation": frozenset(
        {"status", "code", "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued",
         "valueQuantity", "valueCodeableConcept", "valueString", "valueInteger", "valueRatio",
         "interpretation", "specimen", "bodySite", "method", "component", "note",
         "referenceRange"}
    ),
    "Condition": frozenset(
        {"subject", "code", "clinicalStatus", "verificationStatus", "onsetDateTime",
         "onsetPeriod", "recordedDate", "abatementDateTime", "abatementPeriod"}
    ),
    "MedicationRequest": frozenset(
        {"status", "intent", "subject", "medicationCodeableConcept", "medicationReference",
         "authoredOn", "dosageInstruction", "dispenseRequest"}
    ),
    "MedicationAdministration": _MEDICATION_USE | {"status"},
    "MedicationStatement": _MEDICATION_USE | {"status"},
    "Medication": frozenset({"code", "ingredient"}),
    "Patient": frozenset({"gender", "birthDate"}),
}  # fmt: skip


class NoteBook:
    """Data-quality notes for one build, each message once (with a count), in first-seen order.

    Messages name resource types, codes and field names only: never ids, names or values that
    could identify a patient. R4B checks are queued in their place (`check_later`) and run
    when the notes are first read.
    """

    def __init__(self) -> None:
        self._events: list[tuple[str, str] | JsonObject] = []

    def add(self, resource_type: str, message: str) -> None:
        self._events.append((resource_type or "Resource", message))

    def check_later(self, resource: JsonObject) -> None:
        self._events.append(resource)

    def notes(self) -> Sequence[DataQualityNote]:
        """The notes, computed on first read (see `LazyNotes`)."""
        return LazyNotes(list(self._events))


class LazyNotes(Sequence[DataQualityNote]):
    """A tuple of notes that runs the queued R4B checks the first time it is read."""

    def __init__(self, events: list[tuple[str, str] | JsonObject]) -> None:
        self._events: list[tuple[str, str] | JsonObject] | None = events
        self._notes: tuple[DataQualityNote, ...] = ()

    def _resolved(self) -> tuple[DataQualityNote, ...]:
        if self._events is not None:
            counts: dict[tuple[str, str], int] = {}
            for event in self._events:
                found = (event,) if isinstance(event, tuple) else conformance_notes(event)
                for key in found:
                    counts[key] = counts.get(key, 0) + 1
            self._notes = tuple(
                DataQualityNote(rtype, message if count == 1 else f"{message} (x{count})")
                for (rtype, message), count in counts.items()
            )
            self._events = None
        return self._notes

    @overload
    def __getitem__(self, index: int) -> DataQualityNote: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[DataQualityNote, ...]: ...
    def __getitem__(self, index: int | slice) -> DataQualityNote | tuple[DataQualityNote, ...]:
        return self._resolved()[index]

    def __len__(self) -> int:
        return len(self._resolved())

    def __iter__(self) -> Iterator[DataQualityNote]:
        return iter(self._resolved())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyNotes):
            return self._resolved() == other._resolved()
        if isinstance(other, tuple | list):
            return list(self._resolved()) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._resolved())

    def __repr__(self) -> str:
        return repr(self._resolved())


def resource_type_of(resource: JsonObject) -> str:
    return as_text(resource.get("resourceType")) or "Resource"


def read_leniently(resource: JsonObject, notes: NoteBook) -> None:
    """Queue the R4B check of `resource`; its notes appear when the notes are read.

    Either way the caller goes on to read the raw JSON with the total readers of `fhir_json`:
    one reading path for both cases, so a valid and a repaired resource cannot be read apart.
    """
    if resource_type_of(resource) in READ_ELEMENTS:
        notes.check_later(resource)


def conformance_notes(resource: JsonObject) -> tuple[tuple[str, str], ...]:
    """Validate against the R4B model; on failure, (type, message) naming the fields that
    failed. Empty when it conformed or has no model here."""
    from pydantic import ValidationError

    rtype = resource_type_of(resource)
    if rtype not in READ_ELEMENTS:
        return ()
    model = _r4b_models()[rtype]
    wanted = READ_ELEMENTS[rtype]
    projection = {k: v for k, v in resource.items() if k in wanted}
    projection["resourceType"] = rtype
    try:
        model.model_validate(projection)
    except ValidationError as error:
        # only the top-level element names, which come from READ_ELEMENTS, never client text
        fields = sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]} & wanted)
        shown = ", ".join(fields[:3]) + (", ..." if len(fields) > 3 else "")
        where = f" ({shown})" if shown else ""
        return ((rtype, f"did not validate as FHIR R4B{where}; needed fields read leniently"),)
    except Exception:  # read lazily, outside the fact guards: it must never raise
        return ((rtype, "did not validate as FHIR R4B; needed fields read leniently"),)
    return ()


class ResourceSet:
    """Resources by type and by reference, with Bundles unpacked (entries, nested once).

    The reference index is built on the first `resolve`: most requests never follow a
    reference, and a 600-entry bundle should not pay for one.
    """

    def __init__(self, resources: Iterable[object], notes: NoteBook | None = None) -> None:
        self._by_type: dict[str, list[JsonObject]] = {}
        self._urls: list[tuple[str, JsonObject]] = []
        self._by_reference: dict[str, JsonObject] | None = None
        self._notes = notes if notes is not None else NoteBook()
        for item in resources:
            self._add(item, full_url=None, depth=0)

    def _add(self, item: object, full_url: str | None, depth: int) -> None:
        resource = item if isinstance(item, dict) else as_object(item)
        if resource is None:
            self._notes.add("Resource", "entry is not a JSON object; skipped")
            return
        rtype = resource.get("resourceType")
        if not isinstance(rtype, str) or not rtype:
            if isinstance(resource.get("resource"), Mapping):
                # a Bundle entry handed over on its own (cqf-ruler's prefetch shape)
                self._add(resource["resource"], as_text(resource.get("fullUrl")), depth)
            else:
                self._notes.add("Resource", "resource without resourceType; skipped")
            return
        if rtype == "Bundle":
            if depth > 1:
                self._notes.add("Bundle", "Bundle nested more than twice; inner Bundle skipped")
                return
            for entry in as_objects(resource.get("entry")):
                if "resource" in entry:
                    self._add(entry["resource"], as_text(entry.get("fullUrl")), depth + 1)
            return
        self._by_type.setdefault(rtype, []).append(resource)
        if full_url:
            self._urls.append((full_url, resource))

    def _references(self) -> dict[str, JsonObject]:
        if self._by_reference is None:
            index: dict[str, JsonObject] = {}
            for rtype, items in self._by_type.items():
                for resource in items:
                    rid = as_text(resource.get("id"))
                    if rid:
                        index.setdefault(f"{rtype}/{rid}", resource)
            for url, resource in self._urls:
                index.setdefault(url, resource)
            self._by_reference = index
        return self._by_reference

    @property
    def notes(self) -> NoteBook:
        return self._notes

    def of_type(self, *rtypes: str) -> tuple[JsonObject, ...]:
        found: list[JsonObject] = []
        for rtype in rtypes:
            found.extend(self._by_type.get(rtype, ()))
        return tuple(found)

    def drop(self, resources: Iterable[JsonObject]) -> None:
        """Leave these resources out of `of_type` from now on (records set aside, unread)."""
        gone = {id(r) for r in resources}
        for rtype, items in self._by_type.items():
            self._by_type[rtype] = [r for r in items if id(r) not in gone]

    def resolve(
        self, reference: str | None, container: JsonObject | None = None
    ) -> JsonObject | None:
        """The resource a reference points to: '#id' in the container, 'Type/id', a fullUrl."""
        if not reference:
            return None
        if reference.startswith("#"):
            if container is None:
                return None
            contained = as_objects(container.get("contained"))
            return next((r for r in contained if as_text(r.get("id")) == reference[1:]), None)
        references = self._references()
        found = references.get(reference)
        if found is not None:
            return found
        parts = reference.rstrip("/").split("/")
        if len(parts) >= 2:  # an absolute URL or a versioned reference: try its Type/id tail
            if len(parts) >= 4 and parts[-2] == "_history":
                parts = parts[:-2]
            return references.get(f"{parts[-2]}/{parts[-1]}")
        return None
