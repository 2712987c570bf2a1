"""The audit trail written off the request path: a bounded queue and one writer thread per
process, which writes what has queued up in one transaction.

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
import os
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cds_service.audit import AuditEntry, AuditTrail

log = logging.getLogger("her2cds.audit")

CAPACITY = 2_000  # calls queued per process before the request threads write their own
MAX_BATCH = 100  # calls per transaction
LINGER_S = 0.02  # the writer waits this long after a first call, to write more at once
FLUSH_TIMEOUT_S = 10.0

_STOP = object()


class AuditWriter:
    """Queues `AuditEntry`s for `trail`; `on_failed(n)` and `on_queue_full()` count them.
    The thread starts with the first call of the process (never in a gunicorn master,
    which builds the app only to check it and forks)."""

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
        self._pid = os.getpid()
        self._queue: queue.Queue[Any] = queue.Queue(self._capacity)
        self._done = threading.Condition()
        self._pending = 0  # queued or being written
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
        if self._thread is None or self._pid != os.getpid():
            self._start()
        full = False
        with self._done:  # close() takes this lock too: nothing is queued after it drained
            queued = not self._closed
            if queued:
                try:
                    self._queue.put_nowait(entry)
                    self._pending += 1
                except queue.Full:
                    queued, full = False, True
        if not queued:
            if full:
                self._on_queue_full()
            self._write([entry])

    def _start(self) -> None:
        with self._start_lock:
            if self._pid != os.getpid():
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
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            self._wake.wait(self._linger_s)  # cut short by flush() and close()
            self._wake.clear()
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            try:
                self._write(batch)
            finally:
                self._settled(len(batch))
            if stop:
                return

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

    def _settled(self, count: int) -> None:
        with self._done:
            self._pending -= count
            if self._pending <= 0:
                self._done.notify_all()

    # -- readers and shutdown ----------------------------------------------------------------

    def flush(self, timeout_s: float = FLUSH_TIMEOUT_S) -> bool:
        """Write everything queued so far before returning. False if the writer could not
        finish within `timeout_s` (a database that hangs); then what is left stays queued."""
        if self._pid != os.getpid() or self._thread is None:
            return True  # nothing was queued in this process
        if not self._thread.is_alive():
            self._drain_here()
            return True
        self._wake.set()
        with self._done:
            return self._done.wait_for(lambda: self._pending <= 0, timeout_s)

    def close(self, timeout_s: float = FLUSH_TIMEOUT_S) -> None:
        """Flush, stop the thread; later calls are written on the request thread."""
        if self._pid != os.getpid():
            return
        with self._done:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._wake.set()
            try:
                self._queue.put(_STOP, timeout=timeout_s)
            except queue.Full:
                log.error("audit writer did not empty its queue; writing what is left")
            thread.join(timeout_s)
        self._drain_here()

    def _drain_here(self) -> None:
        """Write what is still queued on the calling thread (the writer is gone)."""
        batch: list[AuditEntry] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                batch.append(item)
        if batch:
            self._write(batch)
            self._settled(len(batch))
