"""The audit trail under production shape: two replicas of two gunicorn workers each, started
at once on a fresh PostgreSQL database (the migrations take turns under an advisory lock),
record every call with the client's issuer; feedback to either replica joins its card."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select

from cds_service.audit import CardShown, HookCall
from cds_service.feedback_store import FeedbackRecord, engine_url
from cds_service.schema import current_revision
from tests.support.databases import fresh_postgres_database
from tests.support.postgres_server import PostgresTestServer
from tests.support.service_process import running_services
from tests.unit.security.tokens import ISS, ec_signer, make_token

pytestmark = pytest.mark.integration

PUBLIC = "https://cds.example.org"
EXAMPLE = Path(__file__).parents[2] / "examples" / "order-select-her2-mbc.json"
SELECT = "/cds-services/her2-breast-cancer-order-select"


@pytest.fixture(scope="module")
def replicas_env(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresTestServer
) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("audit-replicas")
    clients = folder / "trusted-clients.json"
    clients.write_text(
        json.dumps([{"iss": ISS, "jwks": ec_signer("audit-key").jwks(), "fhir_servers": []}])
    )
    return {
        "HER2CDS_AUTH": "required",
        "HER2CDS_TRUSTED_CLIENTS": str(clients),
        "HER2CDS_PUBLIC_BASE_URL": PUBLIC,
        "HER2CDS_DATABASE_URL": fresh_postgres_database(postgres_server),
    }


def post(url: str, path: str, body: object) -> requests.Response:
    token = make_token(ec_signer("audit-key"), aud=f"{PUBLIC}{path}", jti=str(uuid.uuid4()))
    return requests.post(
        f"{url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def call_both(urls: list[str]) -> tuple[list[str], list[str]]:
    """Eight calls spread over the replicas and one feedback; the hook instances and cards."""
    instances: list[str] = []
    shown: list[str] = []
    first_suggestion = ""
    for n in range(8):
        body = json.loads(EXAMPLE.read_text())
        body["hookInstance"] = str(uuid.uuid4())
        response = post(urls[n % 2], SELECT, body)
        assert response.status_code == 200, response.text
        instances.append(body["hookInstance"])
        shown += [card["uuid"] for card in response.json()["cards"]]
        first_suggestion = first_suggestion or response.json()["cards"][0]["suggestions"][0]["uuid"]
    item = {
        "card": shown[0],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": first_suggestion}],
        "outcomeTimestamp": "2026-12-04T10:00:00Z",
    }
    assert post(urls[1], f"{SELECT}/feedback", {"feedback": [item]}).status_code == 200
    return instances, shown


def test_every_call_on_every_replica_is_recorded(replicas_env: dict[str, str]) -> None:
    """Read once the replicas have stopped: each worker writes its audit off the request
    path, and a graceful stop (SIGTERM) writes what it still had queued."""
    database = replicas_env["HER2CDS_DATABASE_URL"]
    with running_services(replicas_env, count=2, workers=2) as urls:
        instances, shown = call_both(urls)
    engine = create_engine(engine_url(database))
    try:
        assert current_revision(engine) == "0002"
        with engine.connect() as connection:
            calls = connection.execute(select(HookCall.hook_instance, HookCall.client_iss)).all()
            cards = connection.execute(select(CardShown.card_uuid)).scalars().all()
            joined = connection.execute(
                select(CardShown.rule_id, FeedbackRecord.outcome).join(
                    FeedbackRecord, FeedbackRecord.card_uuid == CardShown.card_uuid
                )
            ).all()
    finally:
        engine.dispose()
    assert sorted(i for i, _ in calls) == sorted(instances)
    assert {iss for _, iss in calls} == {ISS}
    assert sorted(cards) == sorted(shown)
    assert [tuple(row) for row in joined] == [("C12-first-line", "accepted")]
