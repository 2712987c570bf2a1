"""Prefetch resolution per CDS Hooks 2.0 §Prefetch, key by key.

- a key present with data is used (a searchset Bundle's `next` pages are followed when the
  FHIR server can be asked);
- a key present with `null` means the client has no such data: an empty result, not a gap;
- a key holding an OperationOutcome, or absent, means "fetch it yourself" from `fhirServer`
  with the `fhirAuthorization` token; all such queries run in parallel under one deadline;
- data that can be had neither way is a `DataGap` the rules speak about, except for the keys
  marked required: without them the service answers 412.

Resources naming another patient are dropped: a card computed on someone else's data is
worse than none.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from cards import DataGap
from cds_service.fhir_client import FhirClient, FhirQueryError, SearchResult

_TOKEN = re.compile(r"\{\{\s*([A-Za-z.]+)\s*\}\}")


@dataclass(frozen=True)
class PrefetchKey:
    key: str
    template: str  # relative FHIR read or search URL with {{context.x}} tokens
    what: str  # in words, for cards and 412s: "LVEF observations"
    required: bool = False  # without it the service cannot answer at all: 412
    newest_first: bool = False  # sorted by date: a cut list still holds what the rules read


Source = Literal["prefetch", "prefetch-null", "fhir", "unavailable"]


@dataclass(frozen=True)
class ResolvedData:
    resources: tuple[dict[str, Any], ...]
    gaps: tuple[DataGap, ...]
    sources: Mapping[str, Source]  # how each key was satisfied (for logs and tests)
    foreign_dropped: int = 0  # resources that named another patient, left out


class PrefetchUnavailable(Exception):
    """Required data could be obtained neither from prefetch nor from the FHIR server."""

    def __init__(self, missing: Sequence[DataGap]) -> None:
        self.missing = tuple(missing)
        names = "; ".join(f"{g.what} ({g.reason})" for g in self.missing)
        super().__init__(f"Required data could not be obtained: {names}.")


ClientFactory = Callable[[], FhirClient]


def render_template(template: str, context: Mapping[str, Any]) -> str | None:
    """The query with its tokens filled from the context; None when a token has no value."""
    values = {f"context.{k}": v for k, v in context.items() if isinstance(v, str | int)}
    user = context.get("userId")
    if isinstance(user, str) and "/" in user:
        kind, _, ident = user.partition("/")
        values[f"user{kind}Id"] = ident
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        if value is None:
            missing = True
            return ""
        return str(value)

    rendered = _TOKEN.sub(substitute, template)
    return None if missing else rendered


_PATIENT_REFERENCE = re.compile(r"(?:^|/)Patient/([^/]+?)(?:/_history/.*)?$")


def _patient_ref_id(reference: object) -> str | None:
    if not isinstance(reference, dict):
        return None
    ref = reference.get("reference")
    if not isinstance(ref, str):
        return None
    if ref.startswith("urn:uuid:"):
        return ref.removeprefix("urn:uuid:")
    match = _PATIENT_REFERENCE.search(ref)
    return match.group(1) if match else None


def belongs_to_patient(resource: Mapping[str, Any], patient_id: str) -> bool:
    """False only when the resource clearly names another patient."""
    if resource.get("resourceType") == "Patient":
        return resource.get("id") in (None, patient_id)
    expected = f"Patient/{patient_id}"
    for field in ("subject", "patient"):
        reference = resource.get(field)
        if reference is None:
            continue
        if type(reference) is dict and reference.get("reference") == expected:
            return True  # the common case, without the pattern
        ref_id = _patient_ref_id(reference)
        if ref_id is not None:
            return ref_id == patient_id
    return True


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _unpack(value: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    if value.get("resourceType") == "Bundle":
        return tuple(
            e["resource"]
            for e in _list(value.get("entry"))
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
        )
    return (dict(value),)


def _has_next(bundle: Mapping[str, Any]) -> bool:
    return any(
        isinstance(link, dict) and link.get("relation") == "next"
        for link in _list(bundle.get("link"))
    )


def _fetch(spec: PrefetchKey, query: str, client: FhirClient) -> SearchResult:
    if "?" in query:
        return client.search(query)
    return SearchResult((client.read(query),), truncated=False)


@dataclass
class _Outcome:
    resources: tuple[dict[str, Any], ...] = ()
    source: Source = "unavailable"
    gap: DataGap | None = None


def resolve_prefetch(
    keys: Sequence[PrefetchKey],
    *,
    context: Mapping[str, Any],
    prefetch: Mapping[str, Any] | None,
    client_factory: ClientFactory | None,
    max_workers: int = 8,
) -> ResolvedData:
    """All the FHIR data one hook call needs, from prefetch first, then the FHIR server."""
    given = prefetch or {}
    outcomes: dict[str, _Outcome] = {}
    to_fetch: list[tuple[PrefetchKey, str]] = []
    for spec in keys:
        value = given.get(spec.key, ...)
        outcome = _prefetched(spec, value, client_factory)
        if outcome is None:
            query = render_template(spec.template, context)
            if client_factory is not None and query is not None:
                to_fetch.append((spec, query))
                continue
            reason = (
                "the client sent an error instead of the data"
                if isinstance(value, dict)
                else "not in prefetch and no FHIR server to ask"
            )
            outcome = _Outcome(gap=DataGap(spec.key, spec.what, reason))
        outcomes[spec.key] = outcome
    if to_fetch:
        assert client_factory is not None
        outcomes.update(_fetch_all(to_fetch, client_factory, max_workers))
    missing_required = [
        outcomes[spec.key].gap
        for spec in keys
        if spec.required and outcomes[spec.key].source == "unavailable"
    ]
    if missing_required:
        raise PrefetchUnavailable([gap for gap in missing_required if gap is not None])
    return _resolved(keys, outcomes, str(context.get("patientId", "")))


def _prefetched(
    spec: PrefetchKey, value: Any, client_factory: ClientFactory | None
) -> _Outcome | None:
    """The outcome of a prefetch value (null, or resources, a Bundle's `next` pages followed);
    None when it must be queried (absent, or an OperationOutcome in its place)."""
    if value is None:
        return _Outcome(source="prefetch-null")
    if not isinstance(value, dict) or value.get("resourceType") == "OperationOutcome":
        return None
    if value.get("resourceType") == "Bundle" and _has_next(value) and client_factory:
        try:
            result = client_factory().collect(value)
            return _Outcome(result.resources, "prefetch", _truncated(spec, result))
        except FhirQueryError as exc:
            return _Outcome(_unpack(value), "prefetch", DataGap(spec.key, spec.what, exc.reason))
    unfollowed = value.get("resourceType") == "Bundle" and _has_next(value)
    return _Outcome(
        _unpack(value),
        "prefetch",
        _truncated(spec, SearchResult((), truncated=True)) if unfollowed else None,
    )


def _fetch_all(
    to_fetch: Sequence[tuple[PrefetchKey, str]], client_factory: ClientFactory, max_workers: int
) -> dict[str, _Outcome]:
    """The queries run in parallel; outcomes in the order of `to_fetch`."""
    outcomes: dict[str, _Outcome] = {}
    with ThreadPoolExecutor(max_workers=min(max_workers, len(to_fetch))) as pool:
        futures = {
            spec.key: pool.submit(_fetch, spec, query, client_factory()) for spec, query in to_fetch
        }
        for spec, _query in to_fetch:
            try:
                result = futures[spec.key].result()
            except FhirQueryError as exc:
                outcomes[spec.key] = _Outcome(gap=DataGap(spec.key, spec.what, exc.reason))
                continue
            outcomes[spec.key] = _Outcome(result.resources, "fhir", _truncated(spec, result))
    return outcomes


def _resolved(
    keys: Sequence[PrefetchKey], outcomes: Mapping[str, _Outcome], patient_id: str
) -> ResolvedData:
    """The resources of the context's patient (others dropped and counted), gaps and sources."""
    resources: list[dict[str, Any]] = []
    dropped = 0
    for spec in keys:
        for resource in outcomes[spec.key].resources:
            if belongs_to_patient(resource, patient_id):
                resources.append(resource)
            else:
                dropped += 1
    return ResolvedData(
        resources=tuple(resources),
        gaps=tuple(o.gap for o in outcomes.values() if o.gap is not None),
        sources={key: o.source for key, o in outcomes.items()},
        foreign_dropped=dropped,
    )


def _truncated(spec: PrefetchKey, result: SearchResult) -> DataGap | None:
    """A cut-off search is a gap only where the part not read may matter: for lists sorted
    newest first the rules read the newest values, which were kept."""
    if not result.truncated or spec.newest_first:
        return None
    return DataGap(spec.key, spec.what, "only part of the records could be read")


def monotonic_deadline(budget_s: float) -> float:
    return time.monotonic() + budget_s
