"""The audit trail of decisions: which cards the service showed, for which call, from which
rules. Kept in the feedback database, so feedback rows join to the card they answer
(`cds_feedback.card_uuid` = `cds_card_shown.card_uuid`).

What is stored is what the service itself produced: the call's hookInstance, service, time,
the client's `iss`, the knowledge version, and per card its uuid, rule (`source.topic` system
and code, as the card carried them), indicator and suggestion uuids. Nothing from the record:
no patient or user ids, no free text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from cds_service.feedback_store import Base, FeedbackRecord


class HookCall(Base):
    __tablename__ = "cds_hook_call"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hook_instance: Mapped[str] = mapped_column(String(100), index=True)
    service_id: Mapped[str] = mapped_column(String(100))
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    client_iss: Mapped[str | None] = mapped_column(String(500), nullable=True)
    knowledge_version: Mapped[str] = mapped_column(String(100))


class CardShown(Base):
    __tablename__ = "cds_card_shown"

    card_uuid: Mapped[str] = mapped_column(String(100), primary_key=True)
    call_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("cds_hook_call.id", ondelete="CASCADE"), index=True
    )
    rule_system: Mapped[str | None] = mapped_column(String(500), nullable=True)
    rule_id: Mapped[str] = mapped_column(String(200), index=True)
    indicator: Mapped[str] = mapped_column(String(20))
    suggestion_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of uuids


@dataclass(frozen=True)
class Purged:
    hook_calls: int
    cards: int
    feedback: int


def card_row(call_id: str, card: Mapping[str, Any]) -> dict[str, Any]:
    topic = (card.get("source") or {}).get("topic") or {}
    return {
        "card_uuid": str(card["uuid"]),
        "call_id": call_id,
        "rule_system": topic.get("system"),
        "rule_id": str(topic.get("code") or "-"),
        "indicator": str(card["indicator"]),
        "suggestion_ids": json.dumps([s["uuid"] for s in card.get("suggestions") or ()]),
    }


_INSERT_CALL = insert(HookCall)
_INSERT_CARD = insert(CardShown)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One hook call to record, as the request thread hands it over: only references and the
    time of the call; the rows (and the call's id) are built by whoever writes it."""

    hook_instance: str
    service_id: str
    client_iss: str | None
    knowledge_version: str
    cards: Sequence[Mapping[str, Any]]
    at: datetime


class AuditTrail:
    """Writes hook calls and their cards; shares the feedback store's engine. `write` puts
    any number of calls in one transaction (cds_service.audit_writer batches them)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        *,
        hook_instance: str,
        service_id: str,
        client_iss: str | None,
        knowledge_version: str,
        cards: Iterable[Mapping[str, Any]],
        at: datetime | None = None,
    ) -> str:
        """One call, written now, in its own transaction; its id."""
        entry = AuditEntry(
            hook_instance,
            service_id,
            client_iss,
            knowledge_version,
            list(cards),
            at or datetime.now(UTC),
        )
        return self.write([entry])[0]

    def write(self, entries: Sequence[AuditEntry]) -> list[str]:
        """The calls and their cards in one transaction (one multi-row INSERT per table);
        the calls' ids."""
        calls: list[dict[str, Any]] = []
        cards: list[dict[str, Any]] = []
        for entry in entries:
            call_id = str(uuid.uuid4())
            calls.append(
                {
                    "id": call_id,
                    "hook_instance": entry.hook_instance[:100],
                    "service_id": entry.service_id,
                    "called_at": entry.at,
                    "client_iss": entry.client_iss,
                    "knowledge_version": entry.knowledge_version,
                }
            )
            cards.extend(card_row(call_id, card) for card in entry.cards)
        with self.engine.begin() as connection:
            # Statements built once, values as parameters: building `insert().values()` per
            # call was a third of the audit's cost on the request path.
            connection.execute(_INSERT_CALL, calls)
            if cards:
                connection.execute(_INSERT_CARD, cards)
        return [call["id"] for call in calls]

    def purge(self, retention_days: int, *, now: datetime | None = None) -> Purged:
        """Delete audit rows and feedback older than `retention_days`, in one transaction."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
        old_calls = select(HookCall.id).where(HookCall.called_at < cutoff)
        with self.engine.begin() as connection:
            cards = connection.execute(delete(CardShown).where(CardShown.call_id.in_(old_calls)))
            calls = connection.execute(delete(HookCall).where(HookCall.called_at < cutoff))
            feedback = connection.execute(
                delete(FeedbackRecord).where(FeedbackRecord.received_at < cutoff)
            )
        return Purged(calls.rowcount, cards.rowcount, feedback.rowcount)
