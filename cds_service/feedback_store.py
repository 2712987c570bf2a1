"""Feedback on cards, kept with SQLAlchemy: SQLite by default, PostgreSQL for replicas."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class FeedbackRecord(Base):
    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(100), index=True)
    card_uuid: Mapped[str] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    accepted_suggestions: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ids
    override_system: Mapped[str | None] = mapped_column(String(500), nullable=True)
    override_code: Mapped[str | None] = mapped_column(String(200), nullable=True)
    override_display: Mapped[str | None] = mapped_column(String(500), nullable=True)
    user_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome_timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    client_iss: Mapped[str | None] = mapped_column(String(500), nullable=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL: readers do not block the workers' writes. synchronous=NORMAL: a commit (one per
    hook call, for the audit trail) costs no fsync; a power cut may lose the last commits but
    never corrupts the file. PostgreSQL keeps its own, fully durable, settings."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_url(database_url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver the package depends on)."""
    if database_url.startswith("postgresql://"):
        return "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if database_url.startswith("postgres://"):
        return "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    return database_url


class FeedbackStore:
    def __init__(self, database_url: str) -> None:
        url = engine_url(database_url)
        self.engine: Engine = create_engine(url, pool_pre_ping=True, future=True)
        self._before_dispose: list[Callable[[], None]] = []
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def create_schema(self) -> None:
        """Brings the database to the current schema with the shipped Alembic migrations
        (cds_service.schema); rows of an older schema are kept."""
        from cds_service.schema import upgrade

        upgrade(self.engine)

    def save(
        self, service_id: str, items: Sequence[Mapping[str, Any]], *, client_iss: str | None
    ) -> int:
        records = [_record(service_id, item, client_iss) for item in items]
        with Session(self.engine) as session, session.begin():
            session.add_all(records)
        return len(records)

    def for_card(self, card_uuid: str) -> list[FeedbackRecord]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(FeedbackRecord)
                .where(FeedbackRecord.card_uuid == card_uuid)
                .order_by(FeedbackRecord.id)
            )
            return list(rows)

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(FeedbackRecord)) or 0)

    def before_dispose(self, action: Callable[[], None]) -> None:
        """Run `action` (e.g. the audit writer's close) before the connections are closed."""
        self._before_dispose.append(action)

    def dispose(self) -> None:
        for action in self._before_dispose:
            action()
        self.engine.dispose()


def _parse_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _record(service_id: str, item: Mapping[str, Any], client_iss: str | None) -> FeedbackRecord:
    override = item.get("overrideReason") or {}
    reason = override.get("reason") or {}
    return FeedbackRecord(
        service_id=service_id,
        card_uuid=item["card"],
        outcome=item["outcome"],
        accepted_suggestions=json.dumps([s["id"] for s in item.get("acceptedSuggestions", [])]),
        override_system=reason.get("system"),
        override_code=reason.get("code"),
        override_display=reason.get("display"),
        user_comment=override.get("userComment"),
        outcome_timestamp=_parse_timestamp(item["outcomeTimestamp"]),
        client_iss=client_iss,
    )
