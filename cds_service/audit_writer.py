"""The audit trail written off the request path: a bounded queue and one writer thread per
process, which wakes every `LINGER_S` and writes what has queued up in one transaction.

No row is dropped silently:
- when the queue is full, the request thread writes its own record (backpressure, counted);
- a batch that fails is retried call by call; what still fails is logged (error type and count
  only) and counted (`her2cds_audit_write_failures_total`), and the cards have gone out anyway;
- `flush` writes everything queued before it returns: readers in this process (the report page)
  call it first; `close` flushes and stops the thread, and runs at exit (atexit, gunicorn's
  `worker_exit`, the store's `dispose`).

What can be lost is what a process killed without warning (SIGKILL, power cut) had queued:
the calls of the last moment (`LINGER_S` plus one write), at most `CAPACITY` of them.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cds_service.audit import AuditEntry, AuditTrail
from cds_service.process_id import current_pid

log = logging.getLogger("her2cds.audit")

CAPACITY = 2_000  # calls queued per process before the request threads write their own
MAX_BATCH = 100  # calls per transaction
LINGER_S = 0.02  # the writer wakes this often and writes what has queued since
FLUSH_TIMEOUT_S = 10.0


class _Marker:
    """Put in the queue by `flush` and `close`: set once everything queued before it is
    written; `stop` ends the writer thread."""

    __slots__ = ("done", "stop")

    def __init__(self, *, stop: bool) -> None:
        self.done = threading.Event()
        self.stop = stop


class AuditWriter:
    """Queues `AuditEntry`s for `trail`; `on_failed(n)` and `on_queue_full()` count them.
    The thread starts with the first call of the process (never in a gunicorn master,
    which builds the app only to check it and forks).

    The request thread takes no lock and wakes no thread: it puts its entry in a
    `SimpleQueue`, and the writer wakes on its own every `linger_s` to write what is there.
    (Waking the writer from the request thread, or a shared lock, cost more than the write
    saved: each wake-up handed the GIL over while the request was still running.)"""

    def __init__(
        self,
        trail: AuditTrail,
        *,
        on_failed: Callable[[int], None],
        on_queue_full: Callable[[], None],
        capacity: int = CAPACITY,
        linger_s: float = LINGER_S,
    ) -> None:
        self.trail = trail
        self._on_failed = on_failed
        self._on_queue_full = on_queue_full
        self._capacity = capacity
        self._linger_s = linger_s
        self._start_lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        """Fresh state for this process (a fork inherits the parent's queue, not its thread:
        the parent writes what it queued)."""
        self._pid = current_pid()
        self._queue: queue.SimpleQueue[AuditEntry | _Marker] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- the request thread ------------------------------------------------------------------

    def submit(
        self,
        *,
        hook_instance: str,
        service_id: str,
        client_iss: str | None,
        knowledge_version: str,
        cards: Sequence[Mapping[str, Any]],
    ) -> None:
        entry = AuditEntry(
            hook_instance, service_id, client_iss, knowledge_version, cards, datetime.now(UTC)
        )
        if self._thread is None or self._pid != current_pid():
            self._start()
        if self._closed:
            self._write([entry])
            return
        if self._queue.qsize() >= self._capacity:  # the bound, give or take a thread or two
            self._on_queue_full()
            self._write([entry])
            return
        self._queue.put(entry)
        if self._closed:  # close() ran meanwhile, perhaps after its last look at the queue
            self._drain_here()

    def _start(self) -> None:
        with self._start_lock:
            if self._pid != current_pid():
                self._reset()
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(
                target=self._run, name="her2cds-audit-writer", daemon=True
            )
            self._thread.start()
            atexit.register(self.close)

    # -- the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        stop = False
        while not stop:
            if self._queue.empty():
                self._wake.wait(self._linger_s)  # cut short by flush() and close()
                self._wake.clear()
            stop = self._write_queued()

    def _write_queued(self) -> bool:
        """Write up to MAX_BATCH queued calls in one transaction, then release the markers
        met on the way; True if one of them was `close`'s."""
        batch: list[AuditEntry] = []
        markers: list[_Marker] = []
        while len(batch) < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Marker):
                markers.append(item)
            else:
                batch.append(item)
        if batch:
            self._write(batch)
        for marker in markers:
            marker.done.set()
        return any(marker.stop for marker in markers)

    def _write(self, batch: Sequence[AuditEntry]) -> None:
        """One transaction; if it fails, each call on its own, so one bad call costs only
        itself. Never raises: a failure is logged and counted."""
        try:
            self.trail.write(batch)
            return
        except Exception as exc:  # any failure is counted; none may escape
            if len(batch) == 1:
                self._failed(exc, 1)
                return
        for entry in batch:
            try:
                self.trail.write([entry])
            except Exception as exc:
                self._failed(exc, 1)

    def _failed(self, exc: Exception, count: int) -> None:
        self._on_failed(count)
        log.error(
            "audit record not written",
            extra={"error_type": type(exc).__name__, "audit_records": count},
        )

    # -- readers and shutdown ----------------------------------------------------------------

    def flush(self, timeout_s: float = FLUSH_TIMEOUT_S) -> bool:
        """Write everything queued so far before returning. False if the writer could not
        finish within `timeout_s` (a database that hangs); then what is left stays queued."""
        if self._pid != current_pid() or self._thread is None:
            return True  # nothing was queued in this process
        if not self._thread.is_alive():
            self._drain_here()
            return True
        marker = _Marker(stop=False)
        self._queue.put(marker)
        self._wake.set()
        return marker.done.wait(timeout_s)

    def close(self, timeout_s: float = FLUSH_TIMEOUT_S) -> None:
        """Flush, stop the thread; later calls are written on the request thread."""
        if self._pid != current_pid() or self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        thread = self._thread
        if thread is not None and thread.is_alive():
            marker = _Marker(stop=True)
            self._queue.put(marker)
            self._wake.set()
            if marker.done.wait(timeout_s):
                thread.join(timeout_s)
            else:
                log.error("audit writer did not finish in time; writing what is left here")
        self._drain_here()

    def _drain_here(self) -> None:
        """Write what is still queued on the calling thread (the writer is gone)."""
        while not self._queue.empty():
            self._write_queued()
