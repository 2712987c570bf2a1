"""Records dated after the request's time: set aside before any fact reads them, and named.

A weight dated three weeks ahead is a data-entry error, not the newest weight; taken as the
latest it would change every dose. So before the facts are built, every Observation, Condition
and medication record whose clinically relevant date lies after "now" (the request's time, plus
`MappingConfig.future_tolerance_hours` for clock skew) is taken out of the `ResourceSet` the
fact readers use, and listed on `PatientFacts.set_aside` with what it would have fed, so the
cards that would have used it can say so. One screen for every fact, present and future (a new
reader of Observations gets it for free).

The date screened is the one the facts read:
- Observation: effective[x] (dateTime, instant, period start, else end), else `issued`;
- Condition: onset (dateTime or period start), else `recordedDate`;
- MedicationAdministration / MedicationStatement: effective[x] (dateTime, else period start);
- MedicationRequest: `authoredOn` (an order written in the future). A validity period or dosing
  bounds starting later are a plan, not an error: they are the therapy readers' business.

A date without a time (``2026-12-05``) is a day in the EHR's own time zone: it counts as after
now only if that day has not begun anywhere yet, i.e. from 00:00 at UTC+14.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from fhir_mappings.config import MappingConfig
from fhir_mappings.fhir_json import (
    JsonObject,
    as_objects,
    as_text,
    codings,
    concept_text,
    parse_datetime,
)
from fhir_mappings.medications import drug_info, recognise_with
from fhir_mappings.model import Evidence, SetAsideRecord
from fhir_mappings.observations import format_number, value_quantity, value_text
from fhir_mappings.resource_set import NoteBook, ResourceSet, resource_type_of
from fhir_mappings.terminology import CodeIndex, condition_codes, observation_codes

FUTURE_REASON = "dated after the time of this request"
MEDICATION = "medication"  # the concept every medication record feeds
_EARLIEST_ZONE = timedelta(hours=14)  # UTC+14: where a calendar day begins first
_DAY_ONLY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# Per type, the dates its facts read, in the order they read them (the first valid one counts):
# (element, part of a Period or None).
_DATES: Mapping[str, tuple[tuple[str, str | None], ...]] = {
    "Observation": (
        ("effectiveDateTime", None),
        ("effectiveInstant", None),
        ("effectivePeriod", "start"),
        ("effectivePeriod", "end"),
        ("issued", None),
    ),
    "Condition": (("onsetDateTime", None), ("onsetPeriod", "start"), ("recordedDate", None)),
    "MedicationAdministration": (("effectiveDateTime", None), ("effectivePeriod", "start")),
    "MedicationStatement": (("effectiveDateTime", None), ("effectivePeriod", "start")),
    "MedicationRequest": (("authoredOn", None),),
}


def _future_date(
    resource: JsonObject, paths: tuple[tuple[str, str | None], ...], limit: datetime, past: str
) -> datetime | None:
    """The record's date when it is after `limit`; None when it is not (or it has none).

    `past` is a day two days before now: a date string starting before it cannot be after now
    in any time zone, so the common case is decided without parsing. Dates are read lazily,
    the first present one deciding: a long record has thousands of Observations."""
    for key, part in paths:
        value = resource.get(key)
        if value is None:
            continue
        if part is not None:
            value = value.get(part) if type(value) is dict else None
        text = as_text(value)
        if text is None:
            continue
        if text[:10] < past:
            return None
        moment = earliest_moment(text)
        if moment is not None:
            return parse_datetime(text) if moment > limit else None
    return None


def earliest_moment(text: str) -> datetime | None:
    """The first moment a FHIR date/dateTime can mean: a bare day begins at UTC+14."""
    parsed = parse_datetime(text)
    if parsed is None:
        return None
    return parsed - _EARLIEST_ZONE if _DAY_ONLY.match(text.strip()) else parsed


def screen_future_dated(
    resources: ResourceSet, now: datetime, config: MappingConfig, notes: NoteBook
) -> tuple[SetAsideRecord, ...]:
    """Take the records dated after `now` (plus the tolerance) out of `resources`; list them."""
    limit = now + timedelta(hours=config.future_tolerance_hours)
    past = (now - timedelta(days=2)).date().isoformat()
    found: list[tuple[JsonObject, datetime | None]] = []
    for rtype, paths in _DATES.items():
        for resource in resources.of_type(rtype):
            when = _future_date(resource, paths, limit, past)
            if when is not None:
                found.append((resource, when))
    if not found:
        return ()
    resources.drop(r for r, _ in found)
    for resource, _ in found:
        notes.add(resource_type_of(resource), "dated after the time of the request: set aside")
    return tuple(_record(r, when, resources) for r, when in found)


def _record(resource: JsonObject, when: datetime | None, resources: ResourceSet) -> SetAsideRecord:
    rtype = resource_type_of(resource)
    concepts: frozenset[str] | None
    if rtype == "Observation":
        concepts = _concepts(observation_codes(), resource)
        display, value = concept_text(resource.get("code")), _observation_value(resource)
    elif rtype == "Condition":
        concepts = _concepts(condition_codes(), resource)
        display, value = concept_text(resource.get("code")), None
    else:
        concept = recognise_with(resource, resources.resolve)
        drug = concept.drug if concept is not None else None
        concepts = frozenset({MEDICATION, drug, *concept.classes}) if concept and drug else None
        text = concept.text if concept is not None else None
        display, value = text or (drug_info(drug).display if drug else None), None
    first = next(iter(codings(resource.get("code"))), None)
    code = f"{first.system}|{first.code}" if first and first.system and first.code else None
    evidence = Evidence(rtype, as_text(resource.get("id")), code, display, when, value)
    return SetAsideRecord(concepts or frozenset(), FUTURE_REASON, evidence)


def _concepts(index: CodeIndex, resource: JsonObject) -> frozenset[str]:
    """Concepts of the code and of each component's code (an echo panel feeds LVEF)."""
    items = [*codings(resource.get("code"))]
    for component in as_objects(resource.get("component")):
        items.extend(codings(component.get("code")))
    return frozenset(e.concept for c in items for e in index.lookup(c.system, c.code))


def _observation_value(resource: JsonObject) -> str | None:
    """The value as written (a number with its unit, or the result's words)."""
    for part in (resource, *as_objects(resource.get("component"))):
        amount = value_quantity(part)
        if amount is not None:
            shown = f"{format_number(amount.value)} {amount.spelling or ''}".strip()
            name = concept_text(part.get("code")) if part is not resource else None
            return f"{name}: {shown}" if name else shown
        words = value_text(part)
        if words:
            return words
    return None
