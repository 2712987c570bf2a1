"""Prometheus metrics: what the service did, counted, never what a record or a token said.

One `Metrics` object per application. In a single process (tests, `flask run`) its metrics
live in the object's own registry. Under `her2-cds serve` every gunicorn worker writes its
values to files in one directory (prometheus-client's multiprocess mode, chosen by
`enable_multiprocess` before the app is built) and a scrape sums the files of all workers.

Label values come only from closed sets (endpoints, service ids, rule ids, indicators,
prefetch keys, the reason classes below): nothing a client sends can create a new series.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector

from cds_service.process_id import current_pid

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "auth_reason_class", "enable_multiprocess"]

PREFIX = "her2cds"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BODY_BUCKETS = (1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)

# JwtVerifier reasons (free text for the log) to a closed set of label values.
_AUTH_CLASSES: Mapping[str, str] = {
    "no Authorization header": "no_token",
    "bad signature": "bad_signature",
    "wrong aud": "wrong_aud",
    "token expired": "expired",
    "token too old": "expired",
    "iat in the future": "not_yet_valid",
    "token not yet valid": "not_yet_valid",
    "replayed jti": "replay",
    "missing iss": "unknown_issuer",
    "untrusted iss": "unknown_issuer",
    "wrong iss": "unknown_issuer",
    "tenant claim required for this iss": "unknown_issuer",
    "tenant not allowed for this iss": "unknown_issuer",
    "unknown kid": "unknown_key",
    "JWK Set unavailable": "unknown_key",
    "jku not allowed for this iss": "unknown_key",
    "alg not allowed": "bad_algorithm",
    "alg does not match the key": "bad_algorithm",
    "malformed Authorization header": "malformed",
    "not a Bearer Authorization header": "malformed",
    "token too long": "malformed",
    "malformed token": "malformed",
    "missing typ": "malformed",
    "typ is not JWT": "malformed",
    "missing kid": "malformed",
    "invalid kid": "malformed",
    "invalid jku": "malformed",
    "critical header extensions are not supported": "malformed",
    "invalid tenant claim": "malformed",
    "tenant claim changed": "malformed",
    "exp before iat": "malformed",
    "invalid jti": "malformed",
}
AUTH_REASONS = (*sorted(set(_AUTH_CLASSES.values())), "other", "replay_cache_unavailable")

# How a prefetch key was satisfied (cds_service.prefetch.Source) to the label value.
PREFETCH_RESOLUTIONS: Mapping[str, str] = {
    "prefetch": "prefetch",
    "prefetch-null": "null",
    "fhir": "fetched",
    "unavailable": "failed",
}

FHIR_ERROR_KINDS = (
    "timeout",
    "unreachable",
    "http_4xx",
    "http_5xx",
    "redirect_refused",
    "invalid_response",
    "budget_exhausted",
    "refused_by_policy",
)


def auth_reason_class(reason: str) -> str:
    """The label for a JwtVerifier reason; reasons not listed count as `other`."""
    if reason in _AUTH_CLASSES:
        return _AUTH_CLASSES[reason]
    return "malformed" if reason.startswith("missing ") else "other"  # "missing exp", …


def enable_multiprocess(directory: Path) -> None:
    """Make every metric created from now on in this process (and its forks) write to
    `directory`. Call it before the app is built; `clean_directory` first, in the master."""
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    # As `values.get_value_class()` would choose, but asking `current_pid` rather than
    # `os.getpid` (a system call) on each of the ~15 increments of a hook call.
    values.ValueClass = values.MultiProcessValue(process_identifier=current_pid)  # type: ignore[no-untyped-call]


def clean_directory(directory: Path) -> None:
    """Remove the files a previous run left (its counts would be summed into this run's)."""
    if directory.exists():
        for child in directory.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)


def multiprocess_registry(directory: Path) -> CollectorRegistry:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return registry


class _Children:
    """A labelled metric's children, each looked up once: `labels()` checks and converts the
    values and takes a lock on every call, and a hook call counts about a dozen series. Label
    values come from closed sets, so the cache stays small."""

    __slots__ = ("_children", "_metric")

    def __init__(self, metric: Counter | Histogram) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Any] = {}

    def __call__(self, *values: str) -> Any:
        child = self._children.get(values)
        if child is None:  # two threads may both look it up: labels() returns the same child
            child = self._children[values] = self._metric.labels(*values)
        return child


class Metrics:
    """The service's metrics. `multiprocess_dir` None: one process, own registry; else the
    values of this process and its forks go to files there (see `enable_multiprocess`)."""

    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self._dir = multiprocess_dir
        if multiprocess_dir is not None:
            enable_multiprocess(multiprocess_dir)
        # `_created` series exist only in one process; without them both modes read alike.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self._registry = CollectorRegistry()
        # In multiprocess mode values go to files; the registry is built per scrape.
        self._define(None if multiprocess_dir is not None else self._registry)
        self._look_up_children_once()

    def _define(self, registry: CollectorRegistry | None) -> None:
        def counter(name: str, doc: str, labels: Sequence[str]) -> Counter:
            return Counter(f"{PREFIX}_{name}", doc, labels, registry=registry)

        def histogram(
            name: str, doc: str, labels: Sequence[str], buckets: Sequence[float]
        ) -> Histogram:
            return Histogram(f"{PREFIX}_{name}", doc, labels, registry=registry, buckets=buckets)

        self.requests = counter(
            "requests", "HTTP requests answered", ("endpoint", "service", "status")
        )
        self.request_seconds = histogram(
            "request_duration_seconds",
            "Time to answer an HTTP request",
            ("endpoint", "service", "status"),
            _LATENCY_BUCKETS,
        )
        self.body_bytes = histogram(
            "request_body_bytes", "Size of request bodies", ("endpoint", "service"), _BODY_BUCKETS
        )
        self.cards = counter("cards", "Cards returned", ("service", "rule", "indicator"))
        self.suggestions = counter("suggestions", "Suggestions offered", ("service", "rule"))
        self.prefetch = counter(
            "prefetch_keys", "How each prefetch key was satisfied", ("key", "resolution")
        )
        self.fhir_seconds = histogram(
            "fhir_query_duration_seconds",
            "Time of each HTTP request to the EHR's FHIR server",
            ("outcome",),
            _LATENCY_BUCKETS,
        )
        self.fhir_errors = counter("fhir_errors", "FHIR queries that failed, by kind", ("kind",))
        self.auth_rejections = counter(
            "auth_rejections", "Requests refused by JWT authentication", ("reason",)
        )
        self.rule_errors = counter("rule_errors", "Rules that raised an error", ("rule",))
        self.without_known_drug = counter(
            "calls_without_known_drug",
            "Order-hook calls whose drafts named no drug the rules know: no cards, no facts built",
            ("service",),
        )
        self.audit_failures = counter(
            "audit_write_failures", "Hook calls whose audit record could not be written", ()
        )
        self.audit_queue_full = counter(
            "audit_queue_full",
            "Hook calls whose audit record the request wrote itself: the audit queue was full",
            (),
        )

    def _look_up_children_once(self) -> None:
        self._requests = _Children(self.requests)
        self._request_seconds = _Children(self.request_seconds)
        self._body_bytes = _Children(self.body_bytes)
        self._cards = _Children(self.cards)
        self._suggestions = _Children(self.suggestions)
        self._prefetch = _Children(self.prefetch)
        self._rule_errors = _Children(self.rule_errors)
        self._without_known_drug = _Children(self.without_known_drug)
        self._fhir_seconds = _Children(self.fhir_seconds)
        self._fhir_errors = _Children(self.fhir_errors)
        self._auth_rejections = _Children(self.auth_rejections)

    # -- recording ---------------------------------------------------------------------------

    def request(
        self,
        *,
        endpoint: str,
        service: str,
        status: int,
        seconds: float,
        body_bytes: int | None,
    ) -> None:
        labels = (endpoint, service, str(status))
        self._requests(*labels).inc()
        self._request_seconds(*labels).observe(seconds)
        if body_bytes is not None:
            self._body_bytes(endpoint, service).observe(body_bytes)

    def hook_answered(
        self,
        service: str,
        cards: Iterable[Mapping[str, Any]],
        sources: Mapping[str, str],
        rule_errors: Iterable[str],
        *,
        no_known_drug: bool = False,
    ) -> None:
        if no_known_drug:
            self._without_known_drug(service).inc()
        for card in cards:
            rule = str(card["source"]["topic"]["code"])
            self._cards(service, rule, str(card["indicator"])).inc()
            suggestions = card.get("suggestions") or ()
            if suggestions:
                self._suggestions(service, rule).inc(len(suggestions))
        for key, source in sources.items():
            self._prefetch(key, PREFETCH_RESOLUTIONS.get(source, "failed")).inc()
        for error in rule_errors:  # "C2: ZeroDivisionError": the rule id only
            self._rule_errors(error.split(":", 1)[0]).inc()

    def prefetch_failed(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._prefetch(key, "failed").inc()

    def fhir_query(self, seconds: float | None, outcome: str) -> None:
        """One HTTP request to a FHIR server; `outcome` "ok" or one of FHIR_ERROR_KINDS."""
        if seconds is not None:
            self._fhir_seconds("ok" if outcome == "ok" else "error").observe(seconds)
        if outcome != "ok":
            self._fhir_errors(outcome).inc()

    def auth_rejected(self, reason_class: str) -> None:
        self._auth_rejections(reason_class).inc()

    # -- exposition --------------------------------------------------------------------------

    def registry(self) -> CollectorRegistry:
        if self._dir is not None:
            return multiprocess_registry(self._dir)
        return self._registry

    def exposition(self) -> bytes:
        return generate_latest(self.registry())
