"""HTTP endpoints. Views only translate between HTTP and the pipeline; they decide nothing."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from cds_service.auth import AuthenticatedClient
from cds_service.errors import ApiError
from cds_service.fhir_client import FhirClient
from cds_service.hook_request import HookRequest
from cds_service.pipeline import gap_summary, run_hook
from cds_service.prefetch import ClientFactory, monotonic_deadline
from cds_service.services import CdsService, discovery_document, find_service
from cds_service.state import ServiceState
from cds_service.validation import check

log = logging.getLogger("her2cds.service")

blueprint = Blueprint("cds", __name__)

JSON_TYPES = ("application/json", "application/fhir+json")


def state() -> ServiceState:
    return current_app.extensions["her2cds"]  # type: ignore[no-any-return]


def _service_or_404(service_id: str) -> CdsService:
    service = find_service(service_id)
    if service is None:
        raise ApiError(404, "No CDS service with this id; see GET /cds-services.")
    g.service_id = service.id
    return service


_CHUNK = 64 * 1024


def _read_body(limit: int) -> bytes:
    """The body, refused with 413 beyond `limit` bytes before anything is parsed. A declared
    Content-Length over the limit is refused by Werkzeug before reading; a chunked body is
    cut off here (Werkzeug's own limit would silently truncate it). Read in chunks: asking
    the stream for `limit` bytes at once would allocate the whole limit for every request."""
    chunks: list[bytes] = []
    size = 0
    while chunk := request.stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "The request body is larger than this service accepts.")
        chunks.append(chunk)
    g.body_bytes = size
    return b"".join(chunks)


def _json_body() -> Any:
    if request.mimetype not in JSON_TYPES:
        raise ApiError(415, "Send the request body as application/json.")
    raw = _read_body(state().settings.max_body_bytes)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "The request body is not valid JSON.") from exc
    except RecursionError as exc:  # the parser's own limit: ~1,000 levels of arrays/objects
        raise ApiError(400, "The request body is nested too deeply.") from exc


def _client_factory(
    hook_request: HookRequest, client: AuthenticatedClient | None
) -> ClientFactory | None:
    """Queries go only to the request's `fhirServer`, once it has passed the server policy."""
    if not hook_request.fhir_server:
        return None
    base_url = state().checked_fhir_server(hook_request, client)
    settings = state().settings
    token = hook_request.access_token
    deadline = monotonic_deadline(settings.fhir_budget_s)
    observer = state().metrics.fhir_query

    def factory() -> FhirClient:
        return FhirClient(
            base_url,
            access_token=token,
            timeout_s=settings.fhir_timeout_s,
            deadline=deadline,
            max_pages=settings.fhir_max_pages,
            max_entries=settings.fhir_max_entries,
            observer=observer,
        )

    return factory


@blueprint.get("/cds-services")
def discovery() -> Response:
    state().authenticate("/cds-services")
    return jsonify(discovery_document(state().cards_config.identifiers))


@blueprint.post("/cds-services/<service_id>")
def call_service(service_id: str) -> Response:
    service = _service_or_404(service_id)
    client = state().authenticate(f"/cds-services/{service.id}")
    body = _json_body()
    check("request", body)
    hook_request = HookRequest.from_body(body)
    g.hook = hook_request.hook
    result = run_hook(
        service,
        hook_request,
        cards_config=state().cards_config,
        client_factory=_client_factory(hook_request, client),
        mapping_config=state().settings.mapping_config,
    )
    state().metrics.hook_answered(
        service.id,
        result.evaluation.cards,
        result.data.sources,
        result.evaluation.rule_errors,
        no_known_drug=result.evaluation.no_known_drug,
    )
    state().record_audit(service.id, hook_request.hook_instance, result.evaluation.cards, client)
    g.log_extra = {
        "cards": len(result.evaluation.cards),
        "prefetch_sources": dict(result.data.sources),
        "data_gaps": gap_summary(result.data.gaps),
        "rule_errors": list(result.evaluation.rule_errors) or None,
        "dropped_resources": result.data.foreign_dropped or None,
        "no_known_drug": result.evaluation.no_known_drug or None,
    }
    if result.evaluation.rule_errors:
        log.error("rule failed", extra={"rule_errors": list(result.evaluation.rule_errors)})
    return jsonify(result.response)


@blueprint.post("/cds-services/<service_id>/feedback")
def feedback(service_id: str) -> Response:
    service = _service_or_404(service_id)
    client = state().authenticate(f"/cds-services/{service.id}/feedback")
    body = _json_body()
    check("feedback", body)
    try:
        saved = state().feedback.save(
            service.id, body["feedback"], client_iss=client.iss if client else None
        )
    except ValueError as exc:
        raise ApiError(400, "outcomeTimestamp is not a valid date-time.") from exc
    g.log_extra = {"feedback_items": saved}
    return jsonify({"saved": saved})


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})
