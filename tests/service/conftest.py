"""A fresh database per test, on SQLite and on PostgreSQL (audit trail and report tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from cds_service.feedback_store import engine_url
from tests.support.databases import fresh_postgres_database, fresh_sqlite_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return fresh_sqlite_database(tmp_path)
    return fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_engine(engine_url(database_url))
    yield made
    made.dispose()
