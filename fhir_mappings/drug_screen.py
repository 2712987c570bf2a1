"""Whether a hook call names a drug the drug table knows, read before any fact is built.

Most order-select calls a hospital sends draft no drug this service is about: an analgesic for
a man with hypertension, or for a woman on trastuzumab. Every order-hook rule needs a drafted
drug the drug table knows (`needs_a_drug` in `cards/data/rules.json`), so such a call is
answered with no cards without building the patient's facts. (The caller decides what to ask:
`cards.engine.answer` asks about the drafts on an order hook, about the record on patient-view.)

The screen reads medications exactly as the rules do (the draft orders' own reading, and
`recognise_with` for the record) and errs one way only. A draft counts when it names a drug by
code or words, even one the table cannot tell apart. In the record, any medication record counts
whatever its status or date (the facts keep fewer); one that points elsewhere for its medication
(`medicationReference`, an ingredient's `itemReference`) counts without being followed, and so
does a Bundle nested deeper than the screen reads. So it can say "a drug is named" when the
rules would find none, never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fhir_mappings.fhir_json import JsonObject, as_object, as_objects
from fhir_mappings.medications import recognise_with
from fhir_mappings.model import DraftOrder, MedicationConcept

_MEDICATION_TYPES = frozenset(
    {
        "MedicationRequest",
        "MedicationAdministration",
        "MedicationStatement",
        "MedicationDispense",
        "Medication",
    }
)


def drafts_name_a_drug(orders: Iterable[DraftOrder]) -> bool:
    """True when a draft order names a drug by code or words, even one the table cannot tell
    apart from another (a text naming two drugs)."""
    return any(_names(order.medication) for order in orders)


def records_name_a_drug(resources: Iterable[Mapping[str, Any]]) -> bool:
    """True when a medication record names (or may name) a known drug."""
    return any(_item_names(item, 0) for item in resources)


_DEPTH = 8  # Bundles in Bundles: the facts read two levels; deeper ones count unread


def _item_names(item: object, depth: int) -> bool:
    """As `ResourceSet` unpacks what it is given (a Bundle's entries; an entry handed over on
    its own, whose `resourceType` is absent or not a non-empty string; what is not an object
    is skipped), into deeper Bundles than it reads."""
    resource = as_object(item)
    if resource is None:
        return False
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        return _item_names(resource.get("resource"), depth)
    if rtype in _MEDICATION_TYPES:
        return _record_names(resource)
    if rtype != "Bundle":
        return False
    if depth >= _DEPTH:
        return True  # not read: counted
    entries = as_objects(resource.get("entry"))
    return any(_item_names(entry.get("resource"), depth + 1) for entry in entries)


def _record_names(resource: JsonObject) -> bool:
    if "medicationReference" in resource or any(
        "itemReference" in ingredient for ingredient in as_objects(resource.get("ingredient"))
    ):
        return True  # not followed: counted
    return _names(recognise_with(resource, _unresolved))


def _names(concept: MedicationConcept | None) -> bool:
    """A drug is named by code or by words, even when the table cannot say which one."""
    return concept is not None and (
        concept.drug is not None or concept.matched_by != "none" or bool(concept.also_named)
    )


def _unresolved(_reference: str | None, _container: JsonObject | None) -> JsonObject | None:
    return None
