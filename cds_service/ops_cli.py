"""`her2-cds migrate`, `her2-cds purge` and `her2-cds report`: the operations commands.

Kept apart from cds_service/cli.py, which only registers them (`add_commands`). Errors are
one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def _report(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from cds_service.feedback_store import engine_url
    from cds_service.report import ReportUnavailable, build_report, report_period
    from cds_service.report_formats import FORMATS, render

    if args.format not in FORMATS:
        return _fail("report", f"--format must be one of {', '.join(FORMATS)}, not {args.format!r}")
    try:
        since, until = report_period(args.since, args.until)
    except ValueError as exc:
        return _fail("report", str(exc))
    url = make_url(engine_url(Settings.from_env().database_url))
    database = url.database or ""
    sqlite_file = url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if sqlite_file and not Path(database).exists():  # SQLite would create an empty file
        return _fail("report", f"no database at {database} (HER2CDS_DATABASE_URL)")
    engine = create_engine(url)
    try:
        text = render(build_report(engine, since=since, until=until), args.format)
    except ReportUnavailable as exc:
        return _fail("report", str(exc))
    except SQLAlchemyError as exc:
        return _fail("report", _database_error(exc))
    finally:
        engine.dispose()
    sys.stdout.write(text)
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
    report = commands.add_parser(
        "report", help="the override report: cards shown, accepted, overridden, per rule"
    )
    report.add_argument("--since", help="first day, YYYY-MM-DD (default: the first call)")
    report.add_argument("--until", help="last day, YYYY-MM-DD, included (default: today)")
    report.add_argument("--format", default="markdown", help="markdown (default), csv or json")
    report.set_defaults(handler=_report)
