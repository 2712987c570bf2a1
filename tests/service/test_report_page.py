"""GET /report: off unless HER2CDS_REPORT_PAGE, then behind the API's authentication; its
numbers are the report's, everything a client sent is escaped, and no script runs."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine

from tests.service.hook_requests import SERVICE_IDS
from tests.service.report_seed import seed
from tests.unit.security.tokens import ISS, ec_signer, make_token

BASE = "https://cds.example.org"


@pytest.fixture
def seeded_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    engine = create_engine(url)
    seed(engine, url)
    engine.dispose()
    return url


def test_the_page_is_off_unless_enabled(make_app: Callable[..., Flask]) -> None:
    response = make_app().test_client().get("/report")
    assert response.status_code == 404
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_the_page_shows_the_reports_numbers(
    make_app: Callable[..., Flask], seeded_url: str
) -> None:
    client = make_app(database_url=seeded_url, report_page=True).test_client()
    response = client.get("/report?since=2026-11-01&until=2026-11-30")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "<script" not in page
    assert "10 cards shown from 2026-11-01 to 2026-11-30" in page
    widths = re.findall(r'<rect class="bar" x="\d+" y="\d+" width="(\d+)"', page)
    assert widths == ["300", "200", "1", "0"]  # 75%, 50%, 0% (a sliver), no feedback
    assert "75% of 4 answered" in page and "no feedback" in page


def test_a_bad_date_is_a_400(make_app: Callable[..., Flask], seeded_url: str) -> None:
    client = make_app(database_url=seeded_url, report_page=True).test_client()
    response = client.get("/report?since=soon")
    assert response.status_code == 400
    issue = response.get_json()["issue"][0]
    assert issue["diagnostics"] == "since must be a date (YYYY-MM-DD), not 'soon'"


def test_what_clients_sent_is_escaped(make_app: Callable[..., Flask]) -> None:
    app = make_app(report_page=True)
    client = app.test_client()
    example = Path(__file__).parents[2] / "examples" / "order-select-her2-mbc.json"
    select = f"/cds-services/{SERVICE_IDS['order-select']}"
    card = client.post(select, json=json.loads(example.read_text())).get_json()["cards"][0]
    reason = {"code": "<b>x</b>", "display": "<script>alert(1)</script>"}
    item = {
        "card": card["uuid"],
        "outcome": "overridden",
        "overrideReason": {"reason": reason},
        "outcomeTimestamp": "2026-12-04T10:00:00Z",
    }
    assert client.post(f"{select}/feedback", json={"feedback": [item]}).status_code == 200
    page = client.get("/report").get_data(as_text=True)
    assert "<script>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (&lt;b&gt;x&lt;/b&gt;): 1" in page


def test_with_auth_required_the_page_needs_a_token(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    clients = tmp_path / "trusted-clients.json"
    signer = ec_signer("report-ec")
    clients.write_text(json.dumps([{"iss": ISS, "jwks": signer.jwks(), "fhir_servers": []}]))
    app = make_app(
        auth="required", trusted_clients_file=clients, public_base_url=BASE, report_page=True
    )
    client = app.test_client()
    assert client.get("/report").status_code == 401
    token = make_token(signer, aud=f"{BASE}/report", jti=str(uuid.uuid4()))
    assert client.get("/report", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_page_offers_csv_and_json(make_app: Callable[..., Flask], seeded_url: str) -> None:
    client = make_app(database_url=seeded_url, report_page=True).test_client()
    page = client.get("/report?since=2026-11-01").get_data(as_text=True)
    assert 'href="?since=2026-11-01&amp;until=&amp;format=csv"' in page
    csv_response = client.get("/report?since=2026-11-01&until=&format=csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert csv_response.get_data(as_text=True).startswith("section,rule,indicator")
    document = client.get("/report?since=2026-11-01&format=json").get_json()
    assert document["total"]["shown"] == 10
    bad = client.get("/report?format=pdf")
    assert bad.status_code == 400
    assert bad.get_json()["issue"][0]["diagnostics"] == "format must be html, csv or json."


def test_the_page_counts_the_calls_just_answered(make_app: Callable[..., Flask]) -> None:
    """The audit is written off the request path; the page writes what is queued first."""
    client = make_app(report_page=True).test_client()
    body = json.loads(
        (Path(__file__).parents[2] / "examples/order-select-her2-mbc.json").read_text()
    )
    answered = client.post(f"/cds-services/{SERVICE_IDS['order-select']}", json=body)
    assert answered.status_code == 200
    report = client.get("/report?format=json").get_json()
    assert report["total"]["shown"] == len(answered.get_json()["cards"]) == 1
