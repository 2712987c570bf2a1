"""The code systems on cards and in discovery are names the deployment owns (its public URL, else
fixed URNs), and feedback naming the systems of earlier releases is still accepted and kept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cards.identifiers import (
    LEGACY_OVERRIDE_REASONS_SYSTEM,
    OVERRIDE_REASONS_URN,
    RULES_URN,
)
from cds_service.feedback_store import FeedbackStore
from tests.service.hook_requests import SERVICE_IDS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "order-select-her2-mbc.json"
BASE = "https://cds.hospital.example"


def example_cards(app: Flask) -> list[dict[str, Any]]:
    body = json.loads(EXAMPLE.read_text())
    response = app.test_client().post(f"/cds-services/{SERVICE_IDS['order-select']}", json=body)
    assert response.status_code == 200
    cards: list[dict[str, Any]] = response.get_json()["cards"]
    assert cards
    return cards


def systems(cards: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    topics = {c["source"]["topic"]["system"] for c in cards}
    reasons = {r["system"] for c in cards for r in c.get("overrideReasons", [])}
    return topics, reasons


@pytest.mark.parametrize(
    ("base", "rules", "reasons"),
    [
        (None, RULES_URN, OVERRIDE_REASONS_URN),
        (BASE, f"{BASE}/codes/rules", f"{BASE}/codes/override-reason"),
    ],
)
def test_cards_and_discovery_carry_the_deployments_systems(
    make_app: Callable[..., Flask], base: str | None, rules: str, reasons: str
) -> None:
    app = make_app(public_base_url=base)
    topics, override_systems = systems(example_cards(app))
    assert topics == {rules}
    assert override_systems == {reasons}
    for service in app.test_client().get("/cds-services").get_json()["services"]:
        assert service["extension"]["org.her2-cds-hooks.rule-system"] == rules
        assert service["extension"]["org.her2-cds-hooks.override-reason-system"] == reasons


def test_no_card_names_the_github_organisation_that_does_not_exist(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    text = json.dumps(example_cards(app)) + json.dumps(app.test_client().get("/cds-services").json)
    assert "github.com/her2-cds-hooks" not in text


@pytest.mark.parametrize(
    "system",
    [LEGACY_OVERRIDE_REASONS_SYSTEM, OVERRIDE_REASONS_URN, f"{BASE}/codes/override-reason"],
)
def test_feedback_with_old_and_new_override_systems_is_accepted_and_kept(
    make_app: Callable[..., Flask], system: str
) -> None:
    app = make_app()
    card = str(uuid.uuid4())
    item = {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {
            "reason": {"system": system, "code": "already-addressed",
                       "display": "Already ordered or addressed"},
        },
        "outcomeTimestamp": "2026-11-21T10:16:00Z",
    }  # fmt: skip
    feedback = f"/cds-services/{SERVICE_IDS['order-select']}/feedback"
    assert app.test_client().post(feedback, json={"feedback": [item]}).status_code == 200
    store: FeedbackStore = app.extensions["her2cds"].feedback
    [row] = store.for_card(card)
    assert (row.override_system, row.override_code) == (system, "already-addressed")
