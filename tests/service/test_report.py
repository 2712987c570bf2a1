"""The override report's numbers on a seeded database (SQLite and PostgreSQL), its three
formats, and the CLI's answers to bad arguments."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from cds_service.report import build_report
from cds_service.report_formats import render
from tests.service.report_seed import seed

NOVEMBER = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}


def test_the_numbers_of_a_seeded_database(engine: Engine, database_url: str) -> None:
    seed(engine, database_url)
    document = json.loads(render(build_report(engine, **NOVEMBER), "json"))
    rules = [
        (r["rule"], r["indicator"], r["shown"], r["accepted"], r["overridden"], r["noFeedback"])
        for r in document["rules"]
    ]
    assert rules == [  # highest override rate first; no feedback at all last
        ("C3", "warning", 4, 1, 3, 0),
        ("C1", "critical", 2, 1, 1, 0),
        ("C12-first-line", "info", 3, 1, 0, 2),
        ("C5", "warning", 1, 0, 0, 1),
    ]
    assert [r["overrideRate"] for r in document["rules"]] == [0.75, 0.5, 0.0, None]
    assert document["rules"][0]["overrideReasons"] == [
        {"code": "cardio-ok", "display": "Cardio-oncology reviewed", "count": 2},
        {"code": "(no reason given)", "display": None, "count": 1},
    ]
    assert document["rules"][1]["overrideReasons"] == [
        {"code": "other", "display": "Other", "count": 1}
    ]
    weeks = [
        (w["weekOf"], w["shown"], w["accepted"], w["overridden"], w["noFeedback"])
        for w in document["weeks"]
    ]
    assert weeks == [("2026-11-02", 5, 2, 1, 2), ("2026-11-09", 5, 1, 3, 1)]
    assert [round(w["acceptanceRate"], 3) for w in document["weeks"]] == [0.667, 0.25]
    assert document["total"]["shown"] == 10  # the October card is outside the period


def test_without_a_period_every_card_counts(engine: Engine, database_url: str) -> None:
    seed(engine, database_url)
    report = build_report(engine, since=None, until=None)
    assert report.total.shown == 11 and report.total.overridden == 5


@pytest.fixture
def sqlite_seeded(tmp_path: Path) -> str:
    from sqlalchemy import create_engine

    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    engine = create_engine(url)
    seed(engine, url)
    engine.dispose()
    return url


def test_markdown_and_csv_carry_the_same_numbers(sqlite_seeded: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(sqlite_seeded)
    report = build_report(engine, **NOVEMBER)
    engine.dispose()
    markdown = render(report, "markdown")
    assert (
        "| C3 | warning | 4 | 1 | 3 | 0 | 75% | Cardio-oncology reviewed (cardio-ok): 2; "
        "(no reason given): 1 |" in markdown
    )
    assert "| 2026-11-09 | 5 | 1 | 3 | 1 | 25% |" in markdown
    assert markdown.index("| C3 |") < markdown.index("| C1 |") < markdown.index("| C5 |")
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    c3 = next(r for r in rows if r["section"] == "rule" and r["rule"] == "C3")
    assert (c3["shown"], c3["overridden"], c3["override_rate"]) == ("4", "3", "0.7500")
    assert [r["week_of"] for r in rows if r["section"] == "week"] == ["2026-11-02", "2026-11-09"]


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "report", *args],
        env={"PATH": "/usr/bin:/bin", "HER2CDS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_prints_the_report(sqlite_seeded: str) -> None:
    done = cli(
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
        "--format",
        "json",
        database_url=sqlite_seeded,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["shown"] == 10
    default = cli(database_url=sqlite_seeded)
    assert default.returncode == 0 and default.stdout.startswith("# HER2 CDS override report")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2026-13-01"), "--since must be a date (YYYY-MM-DD), not '2026-13-01'"),
        (("--until", "yesterday"), "--until must be a date (YYYY-MM-DD), not 'yesterday'"),
        (("--since", "2026-12-01", "--until", "2026-11-01"), "--since must not be after --until"),
        (("--format", "xml"), "--format must be one of markdown, csv, json, not 'xml'"),
    ],
)
def test_bad_arguments_get_one_line_and_a_non_zero_exit(
    sqlite_seeded: str, args: tuple[str, ...], message: str
) -> None:
    done = cli(*args, database_url=sqlite_seeded)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"her2-cds report: {message}"]
    assert done.stdout == ""


def test_a_missing_or_unmigrated_database_is_one_line(tmp_path: Path) -> None:
    missing = cli(database_url=f"sqlite:///{tmp_path / 'nowhere.sqlite3'}")
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        f"her2-cds report: no database at {tmp_path / 'nowhere.sqlite3'} (HER2CDS_DATABASE_URL)"
    ]
    assert not (tmp_path / "nowhere.sqlite3").exists()
    (tmp_path / "empty.sqlite3").touch()
    empty = cli(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert empty.returncode == 2
    assert empty.stderr.splitlines() == [
        "her2-cds report: the database has no audit trail yet (run her2-cds migrate)"
    ]


def test_a_week_without_cards_is_in_the_trend(engine: Engine, database_url: str) -> None:
    seed(engine, database_url)
    report = build_report(engine, since=date(2026, 9, 1), until=None)
    weeks = [(w.week_of.isoformat(), w.tally.shown) for w in report.weeks]
    assert weeks[0] == ("2026-09-28", 1) and weeks[1] == ("2026-10-05", 0)
    assert len(weeks) == 7 and weeks[-1] == ("2026-11-09", 5)
