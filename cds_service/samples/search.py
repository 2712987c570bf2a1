"""The few FHIR search features the service's prefetch templates use, over a sample patient's
resources: reads (`Type/id`) and searches by `patient`, `code` (system|code tokens), `status`,
`_sort=-date` and `_count`. The demo page fills its prefetch with these, as an EHR would from
its own FHIR server; anything else is refused rather than answered wrongly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

JsonDict = dict[str, Any]

_DATE_FIELDS = ("effectiveDateTime", "authoredOn", "onsetDateTime", "recordedDate", "issued")


class UnsupportedQuery(ValueError):
    """A query outside the subset this module answers."""


def _date(resource: JsonDict) -> str:
    for field in _DATE_FIELDS:
        if isinstance(resource.get(field), str):
            return str(resource[field])
    period = resource.get("effectivePeriod") or {}
    return str(period.get("start", ""))


def _tokens(resource: JsonDict) -> set[str]:
    concept = resource.get("code") or resource.get("medicationCodeableConcept") or {}
    return {f"{c.get('system', '')}|{c.get('code', '')}" for c in concept.get("coding", [])}


def _matches(resource: JsonDict, name: str, value: str) -> bool:
    wanted = value.split(",")
    if name == "patient":
        subject = (resource.get("subject") or {}).get("reference", "")
        return subject in {f"Patient/{w}" for w in wanted} | set(wanted)
    if name == "code":
        return bool(_tokens(resource) & set(wanted))
    if name == "status":
        return resource.get("status") in wanted
    raise UnsupportedQuery(f"search parameter {name!r} is not supported")


def search(resources: Sequence[JsonDict], query: str) -> JsonDict | None:
    """A read (`Patient/x`) returns the resource or None; a search returns a searchset."""
    path, _, text = query.partition("?")
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and not text:
        kind, ident = parts
        return next(
            (r for r in resources if r.get("resourceType") == kind and r.get("id") == ident),
            None,
        )
    if len(parts) != 1:
        raise UnsupportedQuery(f"{path!r} is neither a read nor a type search")
    found = [r for r in resources if r.get("resourceType") == parts[0]]
    count: int | None = None
    newest_first = False
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name == "_count":
            count = int(value)
        elif name == "_sort":
            if value != "-date":
                raise UnsupportedQuery(f"_sort={value} is not supported")
            newest_first = True
        else:
            found = [r for r in found if _matches(r, name, value)]
    if newest_first:
        found.sort(key=_date, reverse=True)
    if count is not None:
        found = found[:count]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in found],
    }
