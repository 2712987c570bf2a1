"""What `her2-cds serve` sets up in the gunicorn master for operations: the metrics
directory shared by the workers (emptied at start), the optional metrics port, and the
clean-up when a worker exits."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess, start_http_server
from sqlalchemy.exc import SQLAlchemyError

from cds_service.audit import AuditTrail
from cds_service.feedback_store import FeedbackStore
from cds_service.metrics import clean_directory, multiprocess_registry
from cds_service.settings import Settings

log = logging.getLogger("her2cds.service")


def prepare_metrics(settings: Settings) -> Settings:
    """The settings with a metrics directory: HER2CDS_METRICS_DIR, or a fresh temporary one.
    A previous run's files are removed (their counts would be added to this run's)."""
    if settings.metrics_dir is not None:
        directory = settings.metrics_dir
    else:
        directory = Path(tempfile.mkdtemp(prefix="her2cds-metrics-"))
        master = os.getpid()

        def remove() -> None:  # forked workers inherit atexit handlers: only the master
            if os.getpid() == master:
                shutil.rmtree(directory, ignore_errors=True)

        atexit.register(remove)
    clean_directory(directory)
    return replace(settings, metrics_dir=directory)


def purge_once(database_url: str, retention_days: int) -> None:
    """The retention applied at start; a daily `her2-cds purge` keeps it applied."""
    store = FeedbackStore(database_url)
    try:
        purged = AuditTrail(store.engine).purge(retention_days)
        log.info(
            "audit retention of %d days applied: %d hook calls, %d feedback rows purged",
            retention_days,
            purged.hook_calls,
            purged.feedback,
        )
    except SQLAlchemyError as exc:
        log.error("audit retention not applied", extra={"error_type": type(exc).__name__})
    finally:
        store.dispose()


def gunicorn_hooks(settings: Settings, host: str) -> dict[str, Callable[..., Any]]:
    """Server hooks for gunicorn's config (`when_ready` runs in the master, once;
    `worker_exit` in each worker)."""
    directory = settings.metrics_dir
    assert directory is not None  # prepare_metrics() ran

    def when_ready(_server: Any) -> None:
        if settings.audit_retention_days is not None:
            purge_once(settings.database_url, settings.audit_retention_days)
        if settings.metrics_port is not None:
            start_http_server(
                settings.metrics_port, addr=host, registry=multiprocess_registry(directory)
            )

    def child_exit(_server: Any, worker: Any) -> None:
        multiprocess.mark_process_dead(worker.pid, str(directory))  # type: ignore[no-untyped-call]

    def worker_exit(_server: Any, worker: Any) -> None:
        """In the worker, as it stops: the audit records it queued are written (the store's
        dispose closes the audit writer first); atexit would do it too, unless exit is
        abrupt."""
        app = getattr(worker, "wsgi", None)
        state = app.extensions.get("her2cds") if app is not None else None
        if state is not None:
            state.feedback.dispose()

    return {"when_ready": when_ready, "child_exit": child_exit, "worker_exit": worker_exit}
