"""Metrics under `her2-cds serve` with two gunicorn workers: every worker's counts are in
each scrape (prometheus-client multiprocess mode), on /metrics and on HER2CDS_METRICS_PORT,
and a previous run's files are removed at start."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict

from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.service.test_metrics import scrape, value
from tests.support.service_process import free_port, running_services

pytestmark = pytest.mark.integration

SIGN = SERVICE_IDS["order-sign"]
BATCH = 16


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("metrics")
    directory = folder / "prometheus"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"left by a previous run")
    port = free_port()
    env = {
        "HER2CDS_DATABASE_URL": f"sqlite:///{folder / 'feedback.sqlite3'}",
        "HER2CDS_METRICS_DIR": str(directory),
        "HER2CDS_METRICS_PORT": str(port),
    }
    with running_services(env, workers=2) as urls:
        yield urls[0], f"http://127.0.0.1:{port}", directory


def call(url: str) -> int:
    body = hook_request("order-sign", prefetch=full_prefetch())
    return requests.post(f"{url}/cds-services/{SIGN}", json=body, timeout=30).status_code


def calls_per_process(directory: Path) -> dict[str, float]:
    """Hook calls each process has counted, read from its own file (the scrape sums them)."""
    counted: dict[str, float] = {}
    for path in directory.glob("counter_*.db"):
        values = MmapedDict(str(path), read_mode=True)
        try:
            counted[path.stem] = sum(
                value
                for key, value, _ in values.read_all_values()
                if "her2cds_requests" in key and "call_service" in key
            )
        finally:
            values.close()
    return counted


def test_two_workers_add_up(served: tuple[str, str, Path]) -> None:
    url, metrics_url, directory = served
    assert not (directory / "counter_1.db").exists()  # cleaned at start by the master
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Until both workers have answered some calls (the kernel picks who accepts).
        while sent < 400:
            statuses = list(pool.map(call, [url] * BATCH))
            assert statuses == [200] * BATCH
            sent += BATCH
            busy = [n for n in calls_per_process(directory).values() if n > 0]
            if len(busy) >= 2:
                break
    assert len(busy) >= 2, "one worker answered every call"
    for source in (f"{url}/metrics", f"{metrics_url}/metrics"):
        response = requests.get(source, timeout=10)
        assert response.status_code == 200
        s = scrape(response.text)
        total = "her2cds_requests_total"
        assert value(s, total, endpoint="call_service", service=SIGN, status="200") == sent
        latency = "her2cds_request_duration_seconds_count"
        assert value(s, latency, endpoint="call_service", service=SIGN, status="200") == sent
        keys = "her2cds_prefetch_keys_total"
        assert value(s, keys, key="patient", resolution="prefetch") == sent


def test_the_temporary_metrics_directory_goes_with_the_master(tmp_path: Path) -> None:
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("her2cds-metrics-*"))
    env = {"HER2CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"}
    with running_services(env, workers=2) as urls:
        assert call(urls[0]) == 200
        during = set(Path(tempfile.gettempdir()).glob("her2cds-metrics-*")) - before
        assert len(during) == 1 and any(next(iter(during)).glob("*.db"))
    assert not (set(Path(tempfile.gettempdir()).glob("her2cds-metrics-*")) - before)
