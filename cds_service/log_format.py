"""Structured JSON logs: one object per line, with an allowlist of fields.

Only the fields named here ever reach the log: a request id, the service id, status,
duration and similar. No patient identifiers, no tokens, no request bodies or query
strings, whatever a caller passes in `extra`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

ALLOWED_FIELDS = (
    "request_id",
    "service_id",
    "hook",
    "method",
    "endpoint",
    "status",
    "duration_ms",
    "cards",
    "prefetch_sources",
    "data_gaps",
    "rule_errors",
    "error_type",
    "error_where",
    "auth_reason",
    "client_iss",
    "jti",
    "feedback_items",
    "dropped_resources",
    "audit_records",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for field in ALLOWED_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        return json.dumps(entry, default=str)


# Third-party loggers that write request URLs (which carry patient ids) at DEBUG/INFO.
QUIET_LOGGERS = ("urllib3", "requests", "werkzeug")


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the service's own loggers (`her2cds.*`); libraries that
    would log FHIR query URLs are held at WARNING whatever the level."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logger = logging.getLogger("her2cds")
    logger.setLevel(level)
    if not any(getattr(h, "her2cds", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.her2cds = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = True
