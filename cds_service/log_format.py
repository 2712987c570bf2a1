"""Structured JSON logs: one object per line, with an allowlist of fields.

Only the fields named here ever reach the log: a request id, the service id, status,
duration and similar. No patient identifiers, no tokens, no request bodies or query
strings, whatever a caller passes in `extra`.
"""

from __future__ import annotations

import json
import logging
import os
import select
from datetime import UTC, datetime
from typing import TextIO

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
    "no_known_drug",
    "audit_records",
)


_ENCODER = json.JSONEncoder(default=str)  # one encoder, not one per line (json.dumps)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts (UTC, milliseconds), level, logger, msg, then the
    allowlisted fields the record carries. Cheap, since every request writes one: the
    timestamp's date and time are formatted once per second, not per line."""

    _second: tuple[int, str] = (-1, "")  # (epoch second, its text), replaced as a whole

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = record.__dict__
        for field in ALLOWED_FIELDS:
            value = fields.get(field)
            if value is not None:
                entry[field] = value
        return _ENCODER.encode(entry)

    def _timestamp(self, created: float) -> str:
        """As `datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`:
        2026-12-04T10:00:00.123+00:00 (microseconds rounded as datetime does, then cut)."""
        second = int(created)
        micros = round((created - second) * 1_000_000)
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        cached = self._second
        if cached[0] != second:
            text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = cached = (second, text)
        return f"{cached[1]}.{micros // 1000:03d}+00:00"


_ATOMIC_WRITE = getattr(select, "PIPE_BUF", 512)  # bytes one write() keeps together


def _descriptor(stream: TextIO) -> int | None:
    """The stream's file descriptor, its buffer written out first; None if it has none."""
    try:
        stream.flush()
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # no descriptor (a test's capture)
        return None


class JsonLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler for one JSON line per record, cheap for many threads logging at once.

    Each line is formatted before any lock is taken. When the stream is a real file
    descriptor (a pipe, a file, a terminal) a line of at most PIPE_BUF bytes goes out as one
    `os.write`, which the kernel does not interleave with other writers' lines, so no lock is
    held at all: the request threads of a worker, all logging one line per request, queued on
    the handler's lock while its holder waited for the write (py-spy: ~7 % of the GIL time of
    a loaded worker). Anything else (a longer line, a replaced stream) takes the usual lock.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._fd = _descriptor(self.stream)

    def setStream(self, stream: TextIO) -> TextIO | None:  # logging names it so
        replaced = super().setStream(stream)
        self._fd = _descriptor(self.stream)
        return replaced

    def handle(self, record: logging.LogRecord) -> bool:
        kept = self.filter(record)
        if not kept:
            return False
        if isinstance(kept, logging.LogRecord):  # Python 3.12+: a filter may replace it
            record = kept
        try:
            line = self.format(record) + self.terminator
            data = line.encode("utf-8", "backslashreplace")
            if self._fd is not None and len(data) <= _ATOMIC_WRITE:
                written = os.write(self._fd, data)
                if written == len(data):
                    return True
                line = data[written:].decode("utf-8", "replace")  # a short write: the rest
            with self.lock:  # type: ignore[union-attr]
                self.stream.write(line)
                self.stream.flush()
        except Exception:
            self.handleError(record)
        return True


# Third-party loggers that write request URLs (which carry patient ids) at DEBUG/INFO.
QUIET_LOGGERS = ("urllib3", "requests", "werkzeug")


def lean_log_records() -> None:
    """For a process that only writes these JSON lines (`her2-cds serve`): log records skip the
    caller's frame, thread and process name, which no line carries, the switches the Logging
    HOWTO names under "Optimization" (~25 us a call in a loaded worker). The process id stays:
    gunicorn's own log lines print it."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the service's own loggers (`her2cds.*`); libraries that
    would log FHIR query URLs are held at WARNING whatever the level."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logger = logging.getLogger("her2cds")
    logger.setLevel(level)
    if not any(getattr(h, "her2cds", False) for h in logger.handlers):
        handler = JsonLineHandler()
        handler.setFormatter(JsonFormatter())
        handler.her2cds = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = True
