"""What the operations work costs a hook call: the audit write (one transaction) and the
metrics, measured through the Flask test client on the order-select example.

    .venv/bin/python benchmarks/bench_operations.py [--repeat 300]

Prints p50 / p95 milliseconds per call with everything on and without the audit write (the
two alternate call by call). SQLite in a temporary directory (WAL, synchronous=NORMAL, as the
service runs it).
Numbers depend on the machine and its disk; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cds_service.app import create_app  # noqa: E402
from cds_service.settings import Settings  # noqa: E402

EXAMPLE = ROOT / "examples" / "order-select-her2-mbc.json"
URL = "/cds-services/her2-breast-cancer-order-select"


def quantiles(times: list[float]) -> tuple[float, float]:
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(
            Settings(), database_url=f"sqlite:///{folder}/audit.sqlite3", log_level="ERROR"
        )
        app = create_app(settings)
        logging.getLogger("her2cds").setLevel(logging.ERROR)
        client = app.test_client()
        body = EXAMPLE.read_bytes()
        state = app.extensions["her2cds"]
        audit = state.audit
        with_audit: list[float] = []
        without: list[float] = []
        # Alternate call by call, so that the machine's drift falls on both alike.
        for n in range(args.repeat * 2 + 20):
            state.audit = audit if n % 2 == 0 else None
            started = time.perf_counter()
            response = client.post(URL, data=body, content_type="application/json")
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            if n >= 20:  # warm-up left out
                (with_audit if n % 2 == 0 else without).append(elapsed)
        state.audit = audit
        state.feedback.dispose()
    full, bare = quantiles(with_audit), quantiles(without)
    print(f"{'scenario':<32} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'metrics + audit write':<32} {full[0]:>8.2f} {full[1]:>8.2f}")
    print(f"{'metrics, no audit write':<32} {bare[0]:>8.2f} {bare[1]:>8.2f}")


if __name__ == "__main__":
    main()
