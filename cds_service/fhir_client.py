"""Reads from the EHR's FHIR server with the token the EHR handed over.

The token is sent to the `fhirServer` of the request and nowhere else: redirects are not
followed automatically (a redirect is followed only to the same origin), `next` links are
followed only on the same origin, and every query has a hard timeout. Failures are typed so
that the caller can say precisely what could not be obtained, without URLs (which hold
patient ids) in any message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests

from cds_service.fhir_server_policy import same_origin

FHIR_JSON = "application/fhir+json"
_MAX_REDIRECTS = 3
_RETRY_STATUSES = frozenset({429, 502, 503, 504})


# Told of each HTTP request: its duration (None when none was sent or it is counted already)
# and "ok" or an error kind (cds_service.metrics.FHIR_ERROR_KINDS).
Observer = Callable[[float | None, str], None]


def _outcome(response: requests.Response) -> str:
    if response.status_code >= 500:
        return "http_5xx"
    if response.status_code >= 400:
        return "http_4xx"
    return "ok" if response.status_code == 200 or response.is_redirect else "invalid_response"


class FhirQueryError(Exception):
    """A FHIR query failed. `reason` is safe to log and to show: no URL, no token."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class SearchResult:
    resources: tuple[dict[str, Any], ...]
    truncated: bool  # a page or entry cap was reached: more data exist than we read


class FhirClient:
    """One FHIR server, one access token, one deadline. Not shared between threads."""

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str | None,
        timeout_s: float,
        deadline: float,
        max_pages: int,
        max_entries: int,
        session: requests.Session | None = None,
        retries: int = 1,
        clock: Callable[[], float] = time.monotonic,
        observer: Observer | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._token = access_token
        self._timeout_s = timeout_s
        self._deadline = deadline  # on the `clock`'s scale; shared by the queries of one call
        self._max_pages = max_pages
        self._max_entries = max_entries
        self._session = session or requests.Session()
        self._session.trust_env = False  # no proxies or .netrc credentials from the environment
        self._retries = retries
        self._clock = clock
        self._observer = observer

    def _observe(self, started: float | None, outcome: str) -> None:
        if self._observer is not None:
            elapsed = None if started is None else time.perf_counter() - started
            self._observer(elapsed, outcome)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": FHIR_JSON}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _remaining(self) -> float:
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            self._observe(None, "budget_exhausted")
            raise FhirQueryError("the time budget for FHIR queries ran out")
        return remaining

    def _get(self, url: str) -> dict[str, Any]:
        """GET one URL on this server: same-origin redirects only, bounded retries."""
        attempt = 0
        redirects = 0
        while True:
            timeout = min(self._timeout_s, self._remaining())
            started = time.perf_counter()
            try:
                response = self._session.get(
                    url, headers=self._headers(), timeout=timeout, allow_redirects=False
                )
            except requests.Timeout as exc:
                self._observe(started, "timeout")
                raise FhirQueryError("the FHIR server timed out") from exc
            except requests.RequestException as exc:
                self._observe(started, "unreachable")
                raise FhirQueryError("the FHIR server could not be reached") from exc
            self._observe(started, _outcome(response))
            if response.is_redirect:
                location = urljoin(url, response.headers.get("Location", ""))
                if not same_origin(location, self.base_url) or redirects >= _MAX_REDIRECTS:
                    self._observe(None, "redirect_refused")
                    raise FhirQueryError(
                        "the FHIR server redirected elsewhere; not followed with the token",
                        status=response.status_code,
                    )
                redirects += 1
                url = location
                continue
            if response.status_code in _RETRY_STATUSES and attempt < self._retries:
                attempt += 1
                backoff = min(0.2 * 2**attempt, 1.0)
                if self._remaining() > backoff + 0.1:
                    time.sleep(backoff)
                    continue
            if response.status_code != 200:
                raise FhirQueryError(
                    f"the FHIR server answered HTTP {response.status_code}",
                    status=response.status_code,
                )
            try:
                body = response.json()
            except ValueError as exc:
                self._observe(None, "invalid_response")
                raise FhirQueryError("the FHIR server sent a body that is not JSON") from exc
            if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
                self._observe(None, "invalid_response")
                raise FhirQueryError("the FHIR server sent something that is not a FHIR resource")
            return body

    def read(self, relative_url: str) -> dict[str, Any]:
        body = self._get(urljoin(self.base_url, relative_url))
        if body["resourceType"] == "OperationOutcome":
            raise FhirQueryError("the FHIR server answered with an OperationOutcome")
        return body

    def search(self, relative_url: str) -> SearchResult:
        """A search, following `next` links on the same origin up to the page and entry caps."""
        return self.collect(self._get(urljoin(self.base_url, relative_url)))

    def collect(self, bundle: Mapping[str, Any]) -> SearchResult:
        """The resources of a searchset Bundle and of its `next` pages (prefetch too)."""
        if bundle.get("resourceType") != "Bundle":
            raise FhirQueryError("the FHIR server answered a search with something not a Bundle")
        resources: list[dict[str, Any]] = []
        seen_pages: set[str] = set()
        page: Mapping[str, Any] = bundle
        pages = 1
        while True:
            entries = page.get("entry")
            for entry in entries if isinstance(entries, list) else ():
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if (
                    isinstance(resource, dict)
                    and resource.get("resourceType") != "OperationOutcome"
                ):
                    if len(resources) >= self._max_entries:
                        return SearchResult(tuple(resources), truncated=True)
                    resources.append(resource)
            next_url = _next_link(page)
            if next_url is None:
                return SearchResult(tuple(resources), truncated=False)
            if next_url in seen_pages or pages >= self._max_pages:
                return SearchResult(tuple(resources), truncated=True)
            if not same_origin(next_url, self.base_url):
                return SearchResult(tuple(resources), truncated=True)
            seen_pages.add(next_url)
            page = self._get(next_url)
            if page.get("resourceType") != "Bundle":
                raise FhirQueryError("a next page of a search was not a Bundle")
            pages += 1


def _next_link(bundle: Mapping[str, Any]) -> str | None:
    links = bundle.get("link")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if isinstance(url, str) and url:
                return url
    return None
