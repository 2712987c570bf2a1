"""Operations endpoints: metrics for Prometheus (and, when enabled, the override report)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, request

from cds_service.errors import ApiError
from cds_service.metrics import CONTENT_TYPE_LATEST
from cds_service.report import build_report, report_period
from cds_service.report_formats import render
from cds_service.report_page import CONTENT_SECURITY_POLICY, render_page
from cds_service.state import ServiceState

operations = Blueprint("operations", __name__)
_DOWNLOADS = {"csv": "text/csv", "json": "application/json"}


def _state() -> ServiceState:
    return current_app.extensions["her2cds"]  # type: ignore[no-any-return]


@operations.after_app_request
def count_request(response: Response) -> Response:
    """Every request of the app, counted once it has its status."""
    started = g.get("started")
    _state().metrics.request(
        endpoint=(request.endpoint or "unmatched").rpartition(".")[2],
        service=g.get("service_id") or "-",
        status=response.status_code,
        seconds=time.perf_counter() - started if started is not None else 0.0,
        body_bytes=g.get("body_bytes"),
    )
    if response.status_code == 412 and request.endpoint == "cds.call_service":
        _state().metrics.prefetch_failed(_missing_keys(response))
    return response


def _missing_keys(response: Response) -> list[str]:
    """The required prefetch keys a 412 names (its OperationOutcome's expressions)."""
    outcome = response.get_json(silent=True)
    issues = outcome.get("issue") if isinstance(outcome, dict) else None
    return [
        expression.removeprefix("prefetch.")
        for issue in (issues if isinstance(issues, list) else ())
        if isinstance(issue, dict)
        for expression in issue.get("expression") or ()
        if isinstance(expression, str) and expression.startswith("prefetch.")
    ]


@operations.get("/metrics")
def metrics() -> Response:
    """Behind the same authentication as the API; `serve` can also expose the metrics
    unauthenticated on a separate port (HER2CDS_METRICS_PORT) for a scraper."""
    _state().authenticate("/metrics")
    return Response(_state().metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


@operations.get("/report")
def report() -> Response:
    """The override report page: only when HER2CDS_REPORT_PAGE is on, and then behind the
    same authentication as the API."""
    state = _state()
    if not state.settings.report_page:
        raise ApiError(404, "The report page is not enabled (HER2CDS_REPORT_PAGE).")
    state.authenticate("/report")
    try:
        since, until = report_period(
            request.args.get("since") or None, request.args.get("until") or None
        )
    except ValueError as exc:
        raise ApiError(400, str(exc).replace("--", ""), expression=["since", "until"]) from exc
    fmt = request.args.get("format") or "html"
    if fmt != "html" and fmt not in _DOWNLOADS:
        raise ApiError(400, "format must be html, csv or json.", expression=["format"])
    state.flush_audit()  # the calls this process answered so far are in the report
    built = build_report(state.feedback.engine, since=since, until=until)
    if fmt == "html":
        response = Response(render_page(built), mimetype="text/html")
    else:
        response = Response(render(built, fmt), mimetype=_DOWNLOADS[fmt])
        response.headers["Content-Disposition"] = f"attachment; filename=override-report.{fmt}"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response
