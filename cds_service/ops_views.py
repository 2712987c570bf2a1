"""Operations endpoints: metrics for Prometheus (and, when enabled, the override report)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from cds_service.metrics import CONTENT_TYPE_LATEST
from cds_service.state import ServiceState

operations = Blueprint("operations", __name__)


def _state() -> ServiceState:
    return current_app.extensions["her2cds"]  # type: ignore[no-any-return]


@operations.get("/metrics")
def metrics() -> Response:
    """Behind the same authentication as the API; `serve` can also expose the metrics
    unauthenticated on a separate port (HER2CDS_METRICS_PORT) for a scraper."""
    _state().authenticate("/metrics")
    return Response(_state().metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
