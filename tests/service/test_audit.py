"""The audit trail: one hook call row and one row per card shown, joined by feedback, kept
across an Alembic upgrade from the pre-audit schema, purged after the retention period.
Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Engine

from cds_service.audit import AuditTrail, CardShown, HookCall
from cds_service.feedback_store import FeedbackRecord, engine_url
from cds_service.schema import current_revision, upgrade
from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.support.databases import fresh_sqlite_database

EXAMPLE = Path(__file__).parents[2] / "examples" / "order-select-her2-mbc.json"
SELECT = f"/cds-services/{SERVICE_IDS['order-select']}"
VIEW = f"/cds-services/{SERVICE_IDS['patient-view']}"
HEAD = "0002"


@pytest.fixture
def service(make_app: Callable[..., Flask], database_url: str) -> FlaskClient:
    return make_app(database_url=database_url).test_client()


def flushed(service: FlaskClient) -> None:
    """The app's queued audit records written (a test reads the database directly)."""
    service.application.extensions["her2cds"].flush_audit()


def rows(engine: Engine, model: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(model)).mappings())


def test_each_hook_call_is_recorded_with_its_cards(service: FlaskClient, engine: Engine) -> None:
    body = json.loads(EXAMPLE.read_text())
    answer = service.post(SELECT, json=body).get_json()
    view = hook_request("patient-view", prefetch=full_prefetch())
    assert service.post(VIEW, json=view).get_json() == {"cards": []}
    flushed(service)
    calls = {c["hook_instance"]: c for c in rows(engine, HookCall)}
    assert set(calls) == {body["hookInstance"], view["hookInstance"]}
    call = calls[body["hookInstance"]]
    assert call["service_id"] == SERVICE_IDS["order-select"]
    assert call["client_iss"] is None  # HER2CDS_AUTH=off: no client
    assert call["knowledge_version"] in answer["cards"][0]["source"]["label"]
    assert datetime.now(UTC) - call["called_at"].replace(tzinfo=UTC) < timedelta(minutes=5)
    cards = rows(engine, CardShown)
    assert [(c["card_uuid"], c["call_id"]) for c in cards] == [
        (card["uuid"], call["id"]) for card in answer["cards"]
    ]
    shown, card = cards[0], answer["cards"][0]
    assert (shown["rule_system"], shown["rule_id"], shown["indicator"]) == (
        card["source"]["topic"]["system"],
        card["source"]["topic"]["code"],
        card["indicator"],
    )
    assert json.loads(shown["suggestion_ids"]) == [s["uuid"] for s in card["suggestions"]]


def test_nothing_from_the_record_is_stored(service: FlaskClient, engine: Engine) -> None:
    body = json.loads(EXAMPLE.read_text())
    service.post(SELECT, json=body)
    flushed(service)
    stored = json.dumps([rows(engine, HookCall), rows(engine, CardShown)], default=str)
    context = body["context"]
    for identifier in (context["patientId"], context["userId"], "example-patient"):
        assert identifier not in stored
    assert "trastuzumab" not in stored.lower() and "summary" not in stored


def test_feedback_joins_the_card_that_was_shown(service: FlaskClient, engine: Engine) -> None:
    card = service.post(SELECT, json=json.loads(EXAMPLE.read_text())).get_json()["cards"][0]
    item = {
        "card": card["uuid"],
        "outcome": "overridden",
        "overrideReason": {"reason": {"system": "https://hospital.example/or", "code": "other"}},
        "outcomeTimestamp": "2026-12-04T10:00:00Z",
    }
    assert service.post(f"{SELECT}/feedback", json={"feedback": [item]}).status_code == 200
    flushed(service)
    with engine.connect() as connection:
        joined = connection.execute(
            select(CardShown.rule_id, CardShown.indicator, FeedbackRecord.override_code).join(
                FeedbackRecord, FeedbackRecord.card_uuid == CardShown.card_uuid
            )
        ).all()
    assert [tuple(r) for r in joined] == [("C12-first-line", "info", "other")]


def pre_audit_schema(engine: Engine) -> None:
    """The feedback table exactly as the service created it before Alembic (create_all of
    the model at commit 109a5ed), frozen here on purpose."""
    ddl = """
    CREATE TABLE cds_feedback (
        id {serial} NOT NULL,
        service_id VARCHAR(100) NOT NULL,
        card_uuid VARCHAR(100) NOT NULL,
        outcome VARCHAR(20) NOT NULL,
        accepted_suggestions TEXT NOT NULL,
        override_system VARCHAR(500),
        override_code VARCHAR(200),
        override_display VARCHAR(500),
        user_comment TEXT,
        outcome_timestamp {timestamp} NOT NULL,
        received_at {timestamp} DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
        client_iss VARCHAR(500),
        PRIMARY KEY (id)
    )"""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.execute(
            text(
                ddl.format(
                    serial="SERIAL" if postgres else "INTEGER",
                    timestamp="TIMESTAMP WITH TIME ZONE" if postgres else "DATETIME",
                )
            )
        )
        connection.execute(
            text("CREATE INDEX ix_cds_feedback_service_id ON cds_feedback (service_id)")
        )
        connection.execute(
            text("CREATE INDEX ix_cds_feedback_card_uuid ON cds_feedback (card_uuid)")
        )
        for n in range(3):
            connection.execute(
                text(
                    "INSERT INTO cds_feedback (service_id, card_uuid, outcome, "
                    "accepted_suggestions, outcome_timestamp) VALUES (:s, :c, :o, '[]', :t)"
                ),
                {
                    "s": "svc",
                    "c": f"card-{n}",
                    "o": "accepted",
                    "t": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )


def test_an_upgrade_keeps_the_feedback_of_the_pre_audit_schema(
    database_url: str, engine: Engine, make_app: Callable[..., Flask]
) -> None:
    pre_audit_schema(engine)
    make_app(database_url=database_url)  # start-up migrates
    assert current_revision(engine) == HEAD
    assert [r["card_uuid"] for r in rows(engine, FeedbackRecord)] == ["card-0", "card-1", "card-2"]
    assert {"cds_hook_call", "cds_card_shown"} <= set(inspect(engine).get_table_names())
    upgrade(engine)  # again: nothing to do, nothing lost
    assert len(rows(engine, FeedbackRecord)) == 3


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cds_service.feedback_store import Base

    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_purge_deletes_what_is_older_than_the_retention(engine: Engine) -> None:
    upgrade(engine)
    trail = AuditTrail(engine)
    now = datetime.now(UTC)
    card = {"uuid": "", "indicator": "info", "source": {"topic": {"code": "C1"}}}
    old = trail.record(
        hook_instance=str(uuid.uuid4()),
        service_id="svc",
        client_iss=None,
        knowledge_version="k",
        cards=[{**card, "uuid": "old-card"}],
        at=now - timedelta(days=40),
    )
    trail.record(
        hook_instance=str(uuid.uuid4()),
        service_id="svc",
        client_iss=None,
        knowledge_version="k",
        cards=[{**card, "uuid": "new-card"}],
        at=now - timedelta(days=10),
    )
    with engine.begin() as connection:
        for name, received in (("old-card", now - timedelta(days=40)), ("new-card", now)):
            connection.execute(
                FeedbackRecord.__table__.insert().values(
                    service_id="svc",
                    card_uuid=name,
                    outcome="accepted",
                    accepted_suggestions="[]",
                    outcome_timestamp=received,
                    received_at=received,
                )
            )
    purged = trail.purge(30, now=now)
    assert (purged.hook_calls, purged.cards, purged.feedback) == (1, 1, 1)
    assert [c["card_uuid"] for c in rows(engine, CardShown)] == ["new-card"]
    assert old not in {c["id"] for c in rows(engine, HookCall)}
    assert [f["card_uuid"] for f in rows(engine, FeedbackRecord)] == ["new-card"]


def test_a_failed_audit_write_never_withholds_the_cards(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    url = fresh_sqlite_database(tmp_path)
    app = make_app(database_url=url)
    broken = create_engine(engine_url(url))
    with broken.begin() as connection:
        connection.execute(text("DROP TABLE cds_card_shown"))
    broken.dispose()
    response = app.test_client().post(SELECT, json=json.loads(EXAMPLE.read_text()))
    assert response.status_code == 200 and len(response.get_json()["cards"]) == 1
    app.extensions["her2cds"].flush_audit()  # the write fails on the writer thread
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert "her2cds_audit_write_failures_total 1.0" in metrics


def run_cli(args: list[str], database_url: str, **env: str) -> Any:
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "cds_service.cli", *args],
        env={"PATH": "/usr/bin:/bin", "HER2CDS_DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_and_purge_commands(database_url: str, engine: Engine) -> None:
    pre_audit_schema(engine)
    migrated = run_cli(["migrate"], database_url)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip() == f"database schema at revision {HEAD}"
    unset = run_cli(["purge"], database_url)
    assert unset.returncode == 2
    assert unset.stderr.strip().splitlines() == [
        "her2-cds purge: set HER2CDS_AUDIT_RETENTION_DAYS or pass --days N"
    ]
    purged = run_cli(["purge"], database_url, HER2CDS_AUDIT_RETENTION_DAYS="30")
    assert purged.returncode == 0, purged.stderr
    assert purged.stdout.strip() == (
        "purged rows older than 30 days: 0 hook calls, 0 cards, 0 feedback"
    )
    assert len(rows(engine, FeedbackRecord)) == 3  # received today, so kept


def test_a_database_from_a_newer_release_stops_start_up_with_one_line(
    database_url: str, engine: Engine
) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    done = run_cli(["migrate"], database_url)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "her2-cds migrate: database error: the database schema is at a revision this release "
        "does not know (a newer release migrated it); run that release, or restore the database "
        "from before"
    ]
    served = run_cli(["serve", "--port", "1"], database_url)
    assert served.returncode == 2
    assert len(served.stderr.strip().splitlines()) <= 3  # warnings, then the one-line error
    assert (
        served.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "her2-cds serve: the database schema is at a revision this release does not know"
        )
    )


def test_calls_from_many_threads_are_each_recorded_once(
    make_app: Callable[..., Flask], database_url: str, engine: Engine
) -> None:
    app = make_app(database_url=database_url)
    sent: list[str] = []

    def call_several() -> None:
        client = app.test_client()
        for _ in range(5):
            body = json.loads(EXAMPLE.read_text())
            body["hookInstance"] = str(uuid.uuid4())
            sent.append(body["hookInstance"])
            assert client.post(SELECT, json=body).status_code == 200

    threads = [threading.Thread(target=call_several) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.extensions["her2cds"].flush_audit()
    calls = rows(engine, HookCall)
    assert sorted(c["hook_instance"] for c in calls) == sorted(sent)
    assert len(rows(engine, CardShown)) == len(sent)  # one card per call


def test_closing_the_store_writes_the_queued_calls(
    make_app: Callable[..., Flask], database_url: str, engine: Engine
) -> None:
    app = make_app(database_url=database_url)
    body = json.loads(EXAMPLE.read_text())
    assert app.test_client().post(SELECT, json=body).status_code == 200
    app.extensions["her2cds"].feedback.dispose()  # as gunicorn's worker_exit does
    assert [c["hook_instance"] for c in rows(engine, HookCall)] == [body["hookInstance"]]
