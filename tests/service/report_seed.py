"""A seeded audit trail with feedback whose override report is known by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from cds_service.audit import AuditTrail
from cds_service.feedback_store import FeedbackStore
from cds_service.schema import upgrade

SYSTEM = "https://hospital.example/override-reasons"  # as a deployment would name it

# (day in November 2026, rule, indicator, feedback: list of (outcome, reason code, display))
CARDS: list[tuple[int, str, str, list[tuple[str, str | None, str | None]]]] = [
    (3, "C3", "warning", [("overridden", "cardio-ok", "Cardio-oncology reviewed")]),
    (3, "C3", "warning", [("accepted", None, None)]),
    (4, "C12-first-line", "info", [("accepted", None, None)]),
    (4, "C12-first-line", "info", []),
    (5, "C12-first-line", "info", []),
    (10, "C3", "warning", [("overridden", "cardio-ok", None)]),
    (10, "C3", "warning", [("overridden", None, None)]),
    (11, "C1", "critical", [("overridden", "other", "Other")]),
    # overridden first, accepted later: the latest answer counts
    (11, "C1", "critical", [("overridden", "other", None), ("accepted", None, None)]),
    (12, "C5", "warning", []),
]
OUTSIDE = (datetime(2026, 10, 1, 9, tzinfo=UTC), "C3", "warning")  # before --since


def _feedback(card: str, n: int, outcome: str, code: str | None, display: str | None) -> Any:
    item: dict[str, Any] = {
        "card": card,
        "outcome": outcome,
        "outcomeTimestamp": f"2026-11-20T10:0{n}:00Z",
    }
    if outcome == "accepted":
        item["acceptedSuggestions"] = [{"id": f"{card}-suggestion"}]
    if code is not None:
        reason = {"system": SYSTEM, "code": code, **({"display": display} if display else {})}
        item["overrideReason"] = {"reason": reason}
    return item


def seed(engine: Engine, database_url: str) -> None:
    upgrade(engine)
    trail = AuditTrail(engine)
    store = FeedbackStore(database_url)
    try:
        for index, (day, rule, indicator, answers) in enumerate(CARDS):
            card = f"card-{index}"
            trail.record(
                hook_instance=f"hook-{index}",
                service_id="her2-breast-cancer-order-sign",
                client_iss="https://ehr.example.org",
                knowledge_version="test",
                cards=[{"uuid": card, "indicator": indicator, "source": {"topic": {"code": rule}}}],
                at=datetime(2026, 11, day, 14, tzinfo=UTC),
            )
            items = [_feedback(card, n, *answer) for n, answer in enumerate(answers)]
            if items:
                store.save("her2-breast-cancer-order-sign", items, client_iss=None)
        moment, rule, indicator = OUTSIDE
        trail.record(
            hook_instance="hook-old",
            service_id="her2-breast-cancer-order-sign",
            client_iss=None,
            knowledge_version="test",
            cards=[
                {"uuid": "card-old", "indicator": indicator, "source": {"topic": {"code": rule}}}
            ],
            at=moment,
        )
        store.save(
            "her2-breast-cancer-order-sign",
            [_feedback("card-old", 0, "overridden", "x", None)],
            client_iss=None,
        )
    finally:
        store.dispose()
