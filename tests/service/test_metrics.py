"""GET /metrics: stable names and labels, and counts that match a scripted sequence of calls.

Runs in one process against the app (each app has its own registry, so counts start at 0);
tests/integration/test_metrics_workers.py checks the sums under two gunicorn workers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.support.faulty_fhir_server import FaultyFhirServer, faulty_fhir_server
from tests.unit.security.tokens import ISS, ec_signer, make_token

EXAMPLE = Path(__file__).parents[2] / "examples" / "order-select-her2-mbc.json"
SELECT = f"/cds-services/{SERVICE_IDS['order-select']}"
VIEW = f"/cds-services/{SERVICE_IDS['patient-view']}"
ANALGESIC = json.dumps(hook_request("order-select", prefetch=full_prefetch())).encode()

# The public contract with dashboards and alerts: change it only on purpose.
CATALOGUE: dict[str, tuple[str, frozenset[str]]] = {
    "her2cds_requests": ("counter", frozenset({"endpoint", "service", "status"})),
    "her2cds_request_duration_seconds": (
        "histogram",
        frozenset({"endpoint", "service", "status"}),
    ),
    "her2cds_request_body_bytes": ("histogram", frozenset({"endpoint", "service"})),
    "her2cds_cards": ("counter", frozenset({"service", "rule", "indicator"})),
    "her2cds_suggestions": ("counter", frozenset({"service", "rule"})),
    "her2cds_prefetch_keys": ("counter", frozenset({"key", "resolution"})),
    "her2cds_fhir_query_duration_seconds": ("histogram", frozenset({"outcome"})),
    "her2cds_fhir_errors": ("counter", frozenset({"kind"})),
    "her2cds_auth_rejections": ("counter", frozenset({"reason"})),
    "her2cds_rule_errors": ("counter", frozenset({"rule"})),
    "her2cds_calls_without_known_drug": ("counter", frozenset({"service"})),
    "her2cds_audit_write_failures": ("counter", frozenset()),
    "her2cds_audit_queue_full": ("counter", frozenset()),
}


def scrape(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Sample name and labels -> value, `_created` samples left out."""
    values: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.name.endswith("_created"):
                values[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return values


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


@pytest.fixture(scope="module")
def fhir() -> Iterator[FaultyFhirServer]:
    with faulty_fhir_server() as running:
        yield running


@pytest.fixture
def service(make_app: Callable[..., Flask], fhir: FaultyFhirServer) -> FlaskClient:
    fhir.reset()
    fhir.behaviour.resources = {"Patient": [{"resourceType": "Patient", "id": "pat-1"}]}
    app = make_app(fhir_servers=(fhir.base_url,), fhir_allow_loopback_http=True, fhir_timeout_s=0.5)
    return app.test_client()


def script(service: FlaskClient, fhir: FaultyFhirServer) -> None:
    """Every kind of call the metrics count, each a known number of times."""
    assert service.get("/cds-services").status_code == 200
    for _ in range(2):
        raw = EXAMPLE.read_bytes()
        assert service.post(SELECT, data=raw, content_type="application/json").status_code == 200
    analgesic = ANALGESIC  # acetaminophen drafted: no known drug
    assert service.post(SELECT, data=analgesic, content_type="application/json").status_code == 200
    view = hook_request("patient-view", prefetch={**full_prefetch(), "tumorMarkers": None})
    assert service.post(VIEW, json=view).status_code == 200
    elsewhere = hook_request("patient-view", fhir_server="https://fhir.other.example/r4")
    assert service.post(VIEW, json=elsewhere).status_code == 403
    assert service.post(VIEW, json=hook_request("patient-view")).status_code == 412
    assert service.post(VIEW, data="{", content_type="application/json").status_code == 400
    fhir.behaviour.modes["Observation:lvef"] = "500"
    fetched = hook_request("patient-view", fhir_server=fhir.base_url, token=fhir.token)
    assert service.post(VIEW, json=fetched).status_code == 200


def test_metric_names_and_labels_are_stable(service: FlaskClient, fhir: FaultyFhirServer) -> None:
    script(service, fhir)
    response = service.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        labels = {k for s in family.samples for k in s.labels if k != "le"}
        found[family.name] = (family.type, frozenset(labels))
    # The counters not reached by the script appear with their name and no samples.
    for name in ("her2cds_auth_rejections", "her2cds_rule_errors"):
        found[name] = (found[name][0], CATALOGUE[name][1])
    assert found == CATALOGUE


def test_counts_follow_the_calls(service: FlaskClient, fhir: FaultyFhirServer) -> None:
    script(service, fhir)
    text = service.get("/metrics").get_data(as_text=True)
    for private in ("pat-1", "example-patient", fhir.token, "COREPRACTITIONER1", "127.0.0.1"):
        assert private not in text
    s = scrape(text)
    select, view = SERVICE_IDS["order-select"], SERVICE_IDS["patient-view"]
    total = "her2cds_requests_total"
    assert value(s, total, endpoint="discovery", service="-", status="200") == 1
    assert value(s, total, endpoint="call_service", service=select, status="200") == 3
    assert value(s, total, endpoint="call_service", service=view, status="200") == 2
    for status in ("403", "412", "400"):
        assert value(s, total, endpoint="call_service", service=view, status=status) == 1
    latency = "her2cds_request_duration_seconds_count"
    assert value(s, latency, endpoint="call_service", service=select, status="200") == 3
    body = "her2cds_request_body_bytes_count"
    assert value(s, body, endpoint="call_service", service=select) == 3
    assert value(s, "her2cds_request_body_bytes_sum", endpoint="call_service", service=select) == (
        2 * len(EXAMPLE.read_bytes()) + len(ANALGESIC)
    )
    assert value(s, "her2cds_calls_without_known_drug_total", service=select) == 1
    assert value(s, "her2cds_calls_without_known_drug_total", service=view) == 0
    cards = "her2cds_cards_total"
    assert value(s, cards, service=select, rule="C12-first-line", indicator="info") == 2
    assert value(s, "her2cds_suggestions_total", service=select, rule="C12-first-line") == 2
    keys = "her2cds_prefetch_keys_total"
    assert value(s, keys, key="patient", resolution="prefetch") == 4
    assert value(s, keys, key="tumorMarkers", resolution="null") == 1
    assert value(s, keys, key="patient", resolution="failed") == 1
    assert value(s, keys, key="patient", resolution="fetched") == 1
    assert value(s, keys, key="lvef", resolution="failed") == 1
    errors = "her2cds_fhir_errors_total"
    assert value(s, errors, kind="refused_by_policy") == 1
    assert value(s, errors, kind="http_5xx") == 1
    fetched = len(fhir.received)
    ok = value(s, "her2cds_fhir_query_duration_seconds_count", outcome="ok")
    failed = value(s, "her2cds_fhir_query_duration_seconds_count", outcome="error")
    assert (ok, failed) == (fetched - 1, 1)


def test_a_fhir_timeout_is_counted_as_one(service: FlaskClient, fhir: FaultyFhirServer) -> None:
    fhir.behaviour.modes["Observation:lvef"] = "timeout"
    fhir.behaviour.delay_s = 2.0
    body = hook_request("patient-view", fhir_server=fhir.base_url, token=fhir.token)
    assert service.post(VIEW, json=body).status_code == 200
    s = scrape(service.get("/metrics").get_data(as_text=True))
    assert value(s, "her2cds_fhir_errors_total", kind="timeout") == 1


def test_a_failing_rule_is_counted_by_its_id(
    service: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cards import engine

    def broken(*_args: Any) -> Any:
        raise ZeroDivisionError

    rules = tuple(
        replace(r, run=broken) if r.id == "C12-first-line" else r for r in engine.all_rules()
    )
    monkeypatch.setattr(engine, "all_rules", lambda: rules)
    assert service.post(SELECT, json=example()).status_code == 200
    s = scrape(service.get("/metrics").get_data(as_text=True))
    assert value(s, "her2cds_rule_errors_total", rule="C12-first-line") == 1


BASE = "https://cds.example.org"


@pytest.fixture
def secured(make_app: Callable[..., Flask], tmp_path: Path) -> FlaskClient:
    clients = tmp_path / "trusted-clients.json"
    clients.write_text(
        json.dumps([{"iss": ISS, "jwks": ec_signer("m-ec").jwks(), "fhir_servers": []}])
    )
    app = make_app(auth="required", trusted_clients_file=clients, public_base_url=BASE)
    return app.test_client()


def test_jwt_rejections_are_counted_by_reason_never_by_token(secured: FlaskClient) -> None:
    def token(path: str = "/cds-services", **overrides: Any) -> str:
        return make_token(ec_signer("m-ec"), aud=f"{BASE}{path}", **overrides)

    forged = make_token(
        ec_signer("m-other"), aud=f"{BASE}/cds-services", header_overrides={"kid": "m-ec"}
    )
    once = token()
    headers = [
        {},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {token('/elsewhere')}"},
        {"Authorization": f"Bearer {token(now=time.time() - 7200)}"},
        {"Authorization": f"Bearer {token(iss='https://unknown.example.org')}"},
        {"Authorization": f"Bearer {once}"},
        {"Authorization": f"Bearer {once}"},
    ]
    statuses = [secured.get("/cds-services", headers=h).status_code for h in headers]
    assert statuses == [401] * 5 + [200, 401]
    text = secured.get("/metrics", headers={"Authorization": f"Bearer {token('/metrics')}"})
    assert text.status_code == 200
    s = scrape(text.get_data(as_text=True))
    reasons = {
        reason: value(s, "her2cds_auth_rejections_total", reason=reason)
        for reason in (
            "no_token",
            "bad_signature",
            "wrong_aud",
            "expired",
            "unknown_issuer",
            "replay",
        )
    }
    assert reasons == dict.fromkeys(reasons, 1.0)
    assert once not in text.get_data(as_text=True)


def test_metrics_need_the_same_authentication_as_the_api(secured: FlaskClient) -> None:
    assert secured.get("/metrics").status_code == 401
