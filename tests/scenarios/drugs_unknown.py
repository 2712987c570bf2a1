"""A scenario's data with the call's drugs made unknown: the check of `needs_a_drug`.

What names the call's drug is the draft orders on an order hook and the medication record on
patient-view (`cards.engine.answer`). Each of them keeps its status, dates, dose and links, but
names an analgesic the drug table does not know (acetaminophen), by code and by words; a
Medication resource does too, and loses its ingredients. What stays is everything else: on an
order hook the whole record, the patient's HER2 drugs included; on patient-view the conditions,
HER2, LVEF, labs, pregnancy. A rule registered as needing a drug on the hook must then have
nothing to say there (`harness.run_hook`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

_UNKNOWN = {
    "coding": [
        {
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
            "code": "161",
            "display": "acetaminophen",
        }
    ],
    "text": "acetaminophen",
}
_NAMING = ("medicationCodeableConcept", "medicationReference")
_MEDICATION_TYPES = {
    "MedicationRequest",
    "MedicationAdministration",
    "MedicationStatement",
    "MedicationDispense",
}


def with_drugs_unknown(
    resources: Sequence[dict[str, Any]], draft_orders: dict[str, Any] | None, *, hook: str
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Copies of the resources and of the draft-order bundle, the drugs that name the call's
    drug made unknown: the drafts on an order hook, the record's on patient-view."""
    if hook == "patient-view":
        return [_unknown(copy.deepcopy(r)) for r in resources], copy.deepcopy(draft_orders)
    return [copy.deepcopy(r) for r in resources], _unknown(copy.deepcopy(draft_orders))


def _unknown(resource: Any) -> Any:
    """The resource, changed in place (a list or a Bundle: each resource in it)."""
    if isinstance(resource, list):
        return [_unknown(item) for item in resource]
    if not isinstance(resource, dict):
        return resource
    for contained in resource.get("contained") or ():
        _unknown(contained)
    for entry in resource.get("entry") or () if resource.get("resourceType") == "Bundle" else ():
        if isinstance(entry, dict):
            _unknown(entry.get("resource"))
    kind = resource.get("resourceType")
    if kind == "Medication":
        resource["code"] = copy.deepcopy(_UNKNOWN)
        resource.pop("ingredient", None)
    elif kind in _MEDICATION_TYPES:
        for key in _NAMING:
            resource.pop(key, None)
        resource["medicationCodeableConcept"] = copy.deepcopy(_UNKNOWN)
    return resource
