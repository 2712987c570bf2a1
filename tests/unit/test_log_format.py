"""The JSON log line: its timestamp is what `datetime.isoformat` gives, to the millisecond, and
only allowlisted fields reach it, whatever a caller passes in `extra`; lines written by many
threads at once arrive whole."""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds_service.log_format import JsonFormatter, JsonLineHandler, lean_log_records


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


def test_lines_from_many_threads_arrive_whole(tmp_path: Path) -> None:
    """Written without a lock (one write each): no line is cut into or lost."""
    target = (tmp_path / "log.jsonl").open("w")
    handler = JsonLineHandler(target)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("her2cds.test-lines")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def log_many(n: int) -> None:
        for i in range(200):
            logger.info("request", extra={"request_id": f"t{n}-{i:04d}-" + "x" * 40})

    threads = [threading.Thread(target=log_many, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logger.removeHandler(handler)
    target.close()
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    ids = [json.loads(line)["request_id"] for line in lines]
    assert sorted(ids) == sorted(f"t{n}-{i:04d}-" + "x" * 40 for n in range(8) for i in range(200))


def test_a_stream_without_a_descriptor_is_written_under_the_lock() -> None:
    stream = io.StringIO()
    handler = JsonLineHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.handle(record(1_800_000_000.0, status=200))
    assert json.loads(stream.getvalue())["status"] == 200
    other = io.StringIO()
    handler.setStream(other)
    handler.handle(record(1_800_000_000.0, status=201))
    assert json.loads(other.getvalue())["status"] == 201


def test_lean_records_write_the_same_line_and_keep_the_process_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`her2-cds serve` skips the caller's frame and thread of each record: no line carries
    them. The line is unchanged; the pid, which gunicorn's own lines print, is kept."""
    for name in ("_srcfile", "logThreads", "logMultiprocessing", "logProcesses"):
        monkeypatch.setattr(logging, name, getattr(logging, name))  # restored afterwards
    stream = io.StringIO()
    handler = JsonLineHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("her2cds.test-lean")
    monkeypatch.setattr(logger, "handlers", [handler])
    monkeypatch.setattr(logger, "propagate", False)
    logger.setLevel(logging.INFO)
    captured: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "filter", lambda r: captured.append(r) or True)

    logger.info("request", extra={"status": 200, "hook": "order-select"})
    lean_log_records()
    logger.info("request", extra={"status": 200, "hook": "order-select"})

    full, lean = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {k: v for k, v in lean.items() if k != "ts"} == {
        k: v for k, v in full.items() if k != "ts"
    }
    assert captured[0].funcName == "test_lean_records_write_the_same_line_and_keep_the_process_id"
    assert captured[1].funcName == "(unknown function)"
    assert captured[1].threadName is None
    assert captured[1].process == captured[0].process is not None
