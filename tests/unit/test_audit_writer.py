"""The audit writer's promises, with a recording trail in place of the database: everything
submitted is written exactly once (flush, close, a full queue written by the caller), a
failing call is counted and logged without what it carried, and nothing raises to the caller.
The same writer against SQLite and PostgreSQL is in tests/service/test_audit.py."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from cds_service.audit import AuditEntry
from cds_service.audit_writer import AuditWriter


class RecordingTrail:
    """Keeps what it is asked to write; `fail_on` hook instances raise; `hold` blocks the
    writer thread's first write until released."""

    def __init__(self, *, fail_on: frozenset[str] = frozenset(), hold: bool = False) -> None:
        self.written: list[tuple[str, str]] = []  # (hook instance, thread name)
        self.batches: list[int] = []
        self.fail_on = fail_on
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def write(self, entries: Sequence[AuditEntry]) -> list[str]:
        thread = threading.current_thread().name
        if thread == "her2cds-audit-writer":
            self.entered.set()
            self.release.wait(30)
        if any(e.hook_instance in self.fail_on for e in entries):
            raise RuntimeError("patient-123 Bearer secret-token")  # must not reach the log
        self.batches.append(len(entries))
        self.written += [(e.hook_instance, thread) for e in entries]
        return [e.hook_instance for e in entries]


class Counts:
    def __init__(self) -> None:
        self.failed = 0
        self.full = 0

    def on_failed(self, n: int) -> None:
        self.failed += n

    def on_full(self) -> None:
        self.full += 1


def writer(trail: RecordingTrail, counts: Counts, **options: Any) -> AuditWriter:
    return AuditWriter(
        trail,  # type: ignore[arg-type]
        on_failed=counts.on_failed,
        on_queue_full=counts.on_full,
        **options,
    )


def submit(audit: AuditWriter, name: str) -> None:
    audit.submit(
        hook_instance=name,
        service_id="svc",
        client_iss=None,
        knowledge_version="k",
        cards=[{"uuid": f"{name}-card", "indicator": "info", "source": {"topic": {"code": "C1"}}}],
    )


def test_flush_writes_everything_submitted_once_and_in_batches() -> None:
    trail, counts = RecordingTrail(), Counts()
    audit = writer(trail, counts, linger_s=30)
    names = [f"call-{n}" for n in range(50)]
    for name in names:
        submit(audit, name)
    assert audit.flush()
    assert sorted(n for n, _ in trail.written) == sorted(names)
    assert {thread for _, thread in trail.written} == {"her2cds-audit-writer"}
    assert len(trail.batches) < len(names)  # several calls per transaction
    audit.close()
    assert (counts.failed, counts.full) == (0, 0)


def test_a_full_queue_is_written_by_the_caller_not_dropped() -> None:
    trail, counts = RecordingTrail(hold=True), Counts()
    audit = writer(trail, counts, capacity=2, linger_s=0.001)
    submit(audit, "first")
    assert trail.entered.wait(30)  # the writer thread holds "first" and is stuck writing it
    for name in ("queued-1", "queued-2", "overflow"):
        submit(audit, name)
    assert counts.full == 1
    assert trail.written == [("overflow", threading.current_thread().name)]
    trail.release.set()
    assert audit.flush()
    assert sorted(n for n, _ in trail.written) == ["first", "overflow", "queued-1", "queued-2"]
    audit.close()


def test_a_failing_call_costs_only_itself_and_is_counted_without_its_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    trail, counts = RecordingTrail(fail_on=frozenset({"bad"})), Counts()
    audit = writer(trail, counts, linger_s=30)
    with caplog.at_level(logging.ERROR, logger="her2cds.audit"):
        for name in ("good-1", "bad", "good-2"):
            submit(audit, name)  # never raises
        assert audit.flush()
    assert sorted(n for n, _ in trail.written) == ["good-1", "good-2"]
    assert counts.failed == 1
    [record] = caplog.records
    assert record.getMessage() == "audit record not written"
    assert (record.error_type, record.audit_records) == ("RuntimeError", 1)  # type: ignore[attr-defined]
    assert "patient-123" not in caplog.text and "secret-token" not in caplog.text
    audit.close()


def test_close_writes_what_is_queued_and_later_calls_are_written_at_once() -> None:
    trail, counts = RecordingTrail(), Counts()
    audit = writer(trail, counts, linger_s=30)
    for name in ("a", "b", "c"):
        submit(audit, name)
    audit.close()
    assert sorted(n for n, _ in trail.written) == ["a", "b", "c"]
    submit(audit, "after-close")
    assert trail.written[-1] == ("after-close", threading.current_thread().name)
    audit.close()  # twice is harmless
    assert audit.flush()


def test_flush_without_any_call_returns_at_once() -> None:
    trail, counts = RecordingTrail(), Counts()
    audit = writer(trail, counts)
    assert audit.flush(timeout_s=0)
    audit.close()
    assert trail.written == []
