"""Several service processes, each with several gunicorn workers, sharing PostgreSQL (feedback)
and Redis (the JWT replay cache): what one replica has seen, every replica knows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import requests

from cds_service.feedback_store import FeedbackStore
from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.support.postgres_server import PostgresTestServer
from tests.support.redis_server import RedisTestServer
from tests.support.service_process import running_services
from tests.unit.security.tokens import ISS, ec_signer, make_token

pytestmark = pytest.mark.integration

PUBLIC = "https://cds.example.org"
SERVICE = f"/cds-services/{SERVICE_IDS['order-sign']}"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisTestServer]:
    with RedisTestServer() as server:
        yield server


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory,
    redis_server: RedisTestServer,
    postgres_server: PostgresTestServer,
) -> Iterator[list[str]]:
    folder = tmp_path_factory.mktemp("replicas")
    clients = folder / "trusted-clients.json"
    clients.write_text(
        json.dumps([{"iss": ISS, "jwks": ec_signer("replica-key").jwks(), "fhir_servers": []}])
    )
    env = {
        "HER2CDS_AUTH": "required",
        "HER2CDS_TRUSTED_CLIENTS": str(clients),
        "HER2CDS_PUBLIC_BASE_URL": PUBLIC,
        "HER2CDS_REDIS_URL": redis_server.url,
        "HER2CDS_DATABASE_URL": postgres_server.url,
    }
    with running_services(env, count=2, workers=2) as urls:
        yield urls


def _token(path: str) -> str:
    return make_token(ec_signer("replica-key"), aud=f"{PUBLIC}{path}")


def test_a_token_used_on_one_replica_is_refused_by_the_other(replicas: list[str]) -> None:
    once = _token(SERVICE)
    body = hook_request("order-sign", prefetch=full_prefetch())
    headers = {"Authorization": f"Bearer {once}"}
    first = requests.post(f"{replicas[0]}{SERVICE}", json=body, headers=headers, timeout=10)
    assert first.status_code == 200, first.text
    again = requests.post(f"{replicas[1]}{SERVICE}", json=body, headers=headers, timeout=10)
    assert again.status_code == 401
    assert again.content == b""


def test_each_worker_of_a_replica_refuses_a_replay(replicas: list[str]) -> None:
    once = _token(SERVICE)
    body = hook_request("order-sign", prefetch=full_prefetch())
    headers = {"Authorization": f"Bearer {once}"}
    statuses = [
        requests.post(f"{replicas[0]}{SERVICE}", json=body, headers=headers, timeout=10).status_code
        for _ in range(6)
    ]
    assert statuses.count(200) == 1 and statuses.count(401) == 5


def test_feedback_from_both_replicas_lands_in_one_database(
    replicas: list[str], postgres_server: PostgresTestServer
) -> None:
    card = str(uuid.uuid4())
    path = f"{SERVICE}/feedback"
    for url in replicas:
        item = {"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-21T10:00:00Z"}
        response = requests.post(
            f"{url}{path}",
            json={"feedback": [item]},
            headers={"Authorization": f"Bearer {_token(path)}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
    store = FeedbackStore(postgres_server.url)
    try:
        rows = store.for_card(card)
        assert len(rows) == 2 and {r.client_iss for r in rows} == {ISS}
    finally:
        store.dispose()
