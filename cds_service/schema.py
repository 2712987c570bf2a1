"""The database schema, kept by Alembic: the migrations ship in `cds_service/migrations`.

`upgrade()` runs at start-up (`create_app`, so first in the `serve` master, before any
worker) and from `her2-cds migrate`. A database made before Alembic was used (the feedback
table alone, created by `create_all`) is stamped at the first revision, then upgraded, so no
row is lost. On PostgreSQL an advisory lock serialises replicas starting at once.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

SCRIPT_LOCATION = "cds_service:migrations"
FIRST_REVISION = "0001"
_LOCK_KEY = 0x48455232  # "HER2": any constant shared by every replica


class UnknownSchemaVersion(SQLAlchemyError):
    """The database was migrated by a newer release: this one must not write to it."""


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "cds_feedback" in tables and "alembic_version" not in tables:
            command.stamp(config, FIRST_REVISION)
        try:
            command.upgrade(config, revision)
        except CommandError as exc:
            raise UnknownSchemaVersion(
                "the database schema is at a revision this release does not know (a newer "
                "release migrated it); run that release, or restore the database from before"
            ) from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
