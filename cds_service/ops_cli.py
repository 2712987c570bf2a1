"""`her2-cds migrate`, `her2-cds purge` and `her2-cds report`: the operations commands.

Kept apart from cds_service/cli.py, which only registers them (`add_commands`). Errors are
one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from cds_service.settings import Settings


def _fail(command: str, message: str) -> int:
    print(f"her2-cds {command}: {message}", file=sys.stderr)
    return 2


def _database_error(exc: SQLAlchemyError) -> str:
    """The driver's first line, without the SQL or parameters SQLAlchemy appends."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return f"database error: {lines[0] if lines else type(original).__name__}"


def _migrate(_args: argparse.Namespace) -> int:
    from cds_service.feedback_store import FeedbackStore
    from cds_service.schema import current_revision

    store = FeedbackStore(Settings.from_env().database_url)
    try:
        store.create_schema()
        print(f"database schema at revision {current_revision(store.engine)}")
    except SQLAlchemyError as exc:
        return _fail("migrate", _database_error(exc))
    finally:
        store.dispose()
    return 0


def _purge(args: argparse.Namespace) -> int:
    from cds_service.audit import AuditTrail
    from cds_service.feedback_store import FeedbackStore

    settings = Settings.from_env()
    days = args.days if args.days is not None else settings.audit_retention_days
    if days is None:
        return _fail("purge", "set HER2CDS_AUDIT_RETENTION_DAYS or pass --days N")
    if days <= 0:
        return _fail("purge", "--days must be a whole number greater than 0")
    store = FeedbackStore(settings.database_url)
    try:
        store.create_schema()
        purged = AuditTrail(store.engine).purge(days)
    except SQLAlchemyError as exc:
        return _fail("purge", _database_error(exc))
    finally:
        store.dispose()
    print(
        f"purged rows older than {days} days: {purged.hook_calls} hook calls, "
        f"{purged.cards} cards, {purged.feedback} feedback"
    )
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    migrate = commands.add_parser(
        "migrate", help="bring the database to the current schema (also done at start-up)"
    )
    migrate.set_defaults(handler=_migrate)
    purge = commands.add_parser(
        "purge", help="delete audit and feedback rows older than the retention period"
    )
    purge.add_argument(
        "--days", type=int, help="retention in days (default: HER2CDS_AUDIT_RETENTION_DAYS)"
    )
    purge.set_defaults(handler=_purge)
