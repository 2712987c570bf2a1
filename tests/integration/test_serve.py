"""`her2-cds serve` under gunicorn: the real HTTP stack, where the test client cannot go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.support.service_process import running_services

pytestmark = pytest.mark.integration

LIMIT = 4000
SERVICE = f"/cds-services/{SERVICE_IDS['order-select']}"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("serve")
    env = {
        "HER2CDS_MAX_BODY_BYTES": str(LIMIT),
        "HER2CDS_DATABASE_URL": f"sqlite:///{folder / 'feedback.sqlite3'}",
    }
    with running_services(env, workers=2) as urls:
        yield urls[0]


def test_discovery_and_a_hook_call_over_gunicorn(service: str) -> None:
    assert requests.get(f"{service}/cds-services", timeout=10).status_code == 200
    body = hook_request("order-select", prefetch=full_prefetch())
    response = requests.post(f"{service}{SERVICE}", json=body, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"cards": []}
    assert response.headers["X-Request-Id"]


def test_a_chunked_body_over_the_limit_is_413(service: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"hook": "order-select", "padding": "'
        for _ in range(LIMIT // 100 + 5):
            yield b"x" * 100
        yield b'"}'

    response = requests.post(
        f"{service}{SERVICE}",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_declared_length_over_the_limit_is_413(service: str) -> None:
    response = requests.post(
        f"{service}{SERVICE}",
        data=b"{" + b" " * (LIMIT + 10) + b"}",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413


def test_a_small_chunked_body_is_read_whole(service: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"hook": '
        yield b'"order-select"}'

    response = requests.post(
        f"{service}{SERVICE}",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400  # read whole, then refused by the schema, not cut off
    assert "hookInstance" in response.json()["issue"][0]["diagnostics"]
