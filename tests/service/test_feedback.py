"""Feedback (CDS Hooks 2.0.1 §Feedback): validated, persisted with SQLAlchemy."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.feedback_store import FeedbackStore
from tests.service.hook_requests import SERVICE_IDS
from tests.support.postgres_server import PostgresTestServer

FEEDBACK = f"/cds-services/{SERVICE_IDS['order-select']}/feedback"


def accepted(card: str) -> dict[str, Any]:
    return {
        "card": card,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": str(uuid.uuid4())}],
        "outcomeTimestamp": "2026-11-21T10:15:00.123Z",
    }


def overridden(card: str, *, with_display: bool = False) -> dict[str, Any]:
    reason: dict[str, Any] = {
        "code": "cardio-oncology-reviewed",
        "system": "https://example.org/or",
    }
    if with_display:
        reason["display"] = "Cardio-oncology reviewed"
    return {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {"reason": reason, "userComment": "seen by cardio-oncology"},
        "outcomeTimestamp": "2026-11-21T10:16:00Z",
    }


def store_of(app: Flask) -> FeedbackStore:
    return app.extensions["her2cds"].feedback  # type: ignore[no-any-return]


def test_accepted_and_overridden_feedback_are_persisted(app: Flask, client: FlaskClient) -> None:
    card = str(uuid.uuid4())
    response = client.post(FEEDBACK, json={"feedback": [accepted(card), overridden(card)]})
    assert response.status_code == 200
    rows = store_of(app).for_card(card)
    assert [r.outcome for r in rows] == ["accepted", "overridden"]
    assert rows[1].override_code == "cardio-oncology-reviewed"
    assert rows[1].user_comment == "seen by cardio-oncology"
    assert rows[0].service_id == SERVICE_IDS["order-select"]


def test_the_sandbox_dismiss_without_display_is_accepted(app: Flask, client: FlaskClient) -> None:
    card = str(uuid.uuid4())
    item = {"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-21T10:16:00.000Z"}
    assert client.post(FEEDBACK, json={"feedback": [item]}).status_code == 200
    assert len(store_of(app).for_card(card)) == 1


@pytest.mark.parametrize(
    "item",
    [
        {"outcome": "accepted", "outcomeTimestamp": "2026-11-21T10:00:00Z"},
        {"card": "c", "outcome": "ignored", "outcomeTimestamp": "2026-11-21T10:00:00Z"},
        {"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-21T10:00:00Z"},
        {"card": "c", "outcome": "overridden", "outcomeTimestamp": "yesterday"},
        {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-13-45T10:00:00Z"},
    ],
)
def test_invalid_feedback_is_a_400(app: Flask, client: FlaskClient, item: dict[str, Any]) -> None:
    response = client.post(FEEDBACK, json={"feedback": [item]})
    assert response.status_code == 400
    assert response.get_json()["resourceType"] == "OperationOutcome"
    assert store_of(app).count() == 0


def test_feedback_for_an_unknown_service_is_a_404(client: FlaskClient) -> None:
    response = client.post("/cds-services/unknown/feedback", json={"feedback": [accepted("c")]})
    assert response.status_code == 404


@pytest.mark.integration
def test_feedback_is_persisted_on_postgresql(
    make_app: Callable[..., Flask], postgres_server: PostgresTestServer
) -> None:
    app = make_app(database_url=postgres_server.url)
    client = app.test_client()
    card = str(uuid.uuid4())
    assert (
        client.post(FEEDBACK, json={"feedback": [overridden(card, with_display=True)]}).status_code
        == 200
    )
    # a second, independent store (another replica) sees it
    other = FeedbackStore(postgres_server.url)
    rows = other.for_card(card)
    assert len(rows) == 1 and rows[0].override_display == "Cardio-oncology reviewed"
    other.dispose()
