"""A fresh, empty database per test, on SQLite or on the session's PostgreSQL server."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg

from tests.support.postgres_server import PostgresTestServer


def fresh_postgres_database(server: PostgresTestServer) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # name made above, not from input
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def fresh_sqlite_database(folder: Path) -> str:
    return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
