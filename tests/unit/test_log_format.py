"""The JSON log line: its timestamp is what `datetime.isoformat` gives, to the millisecond, and
only allowlisted fields reach it, whatever a caller passes in `extra`."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cds_service.log_format import JsonFormatter


def record(created: float, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("her2cds.service", logging.INFO, __file__, 1, "request", None, None)
    made.created = created
    made.__dict__.update(extra)
    return made


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))  # up to 2100
def test_the_timestamp_is_datetimes_to_the_millisecond(created: float) -> None:
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    assert json.loads(JsonFormatter().format(record(created)))["ts"] == expected


def test_one_formatter_keeps_each_seconds_text_apart() -> None:
    formatter = JsonFormatter()
    for created in (1_800_000_000.5, 1_800_000_001.25, 1_800_000_000.9999996, 1_800_000_061.0):
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        assert json.loads(formatter.format(record(created)))["ts"] == expected


def test_only_allowlisted_fields_are_written() -> None:
    line = JsonFormatter().format(
        record(
            1_800_000_000.0,
            request_id="r-12345678",
            status=200,
            prefetch_sources={"patient": "prefetch"},
            patient_id="pat-1",
            authorization="Bearer x",
            cards=None,
        )
    )
    entry = json.loads(line)
    assert entry == {
        "ts": "2027-01-15T08:00:00.000+00:00",
        "level": "INFO",
        "logger": "her2cds.service",
        "msg": "request",
        "request_id": "r-12345678",
        "status": 200,
        "prefetch_sources": {"patient": "prefetch"},
    }
