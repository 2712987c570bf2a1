"""Every client mistake gets its 4xx and a FHIR OperationOutcome; never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request

ORDER_SELECT = f"/cds-services/{SERVICE_IDS['order-select']}"


def assert_outcome(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+json"
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    diagnostics = body["issue"][0]["diagnostics"]
    assert words.lower() in diagnostics.lower(), diagnostics
    assert "Traceback" not in response.get_data(as_text=True)


def test_malformed_json(client: FlaskClient) -> None:
    response = client.post(ORDER_SELECT, data="{not json", content_type="application/json")
    assert_outcome(response, 400, "not valid JSON")


def test_json_nested_beyond_the_parser_limit(client: FlaskClient) -> None:
    """A body nested deeper than the JSON parser goes (a Bundle in a Bundle, thousands deep)
    is refused like malformed JSON, not answered with a 500 (adversarial review)."""
    deep = '{"resourceType":"Bundle","entry":[{"resource":' * 2000 + "{}" + "}]}" * 2000
    body = json.dumps(hook_request("order-select", prefetch=full_prefetch()))
    body = body.replace('"prefetch": {', '"prefetch": {"deep": ' + deep + ", ", 1)
    response = client.post(ORDER_SELECT, data=body, content_type="application/json")
    assert_outcome(response, 400, "nested too deeply")


def test_wrong_content_type(client: FlaskClient) -> None:
    body = json.dumps(hook_request("order-select", prefetch=full_prefetch()))
    response = client.post(ORDER_SELECT, data=body, content_type="text/plain")
    assert_outcome(response, 415, "application/json")


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b.pop("hook"), "hook is required"),
        (lambda b: b.pop("hookInstance"), "hookInstance is required"),
        (lambda b: b.pop("context"), "context is required"),
        (lambda b: b["context"].pop("patientId"), "patientId is required"),
        (lambda b: b["context"].pop("draftOrders"), "draftOrders is required"),
        (lambda b: b["context"].pop("selections"), "selections is required"),
        (lambda b: b["context"].update(patientId="Patient/123"), "context.patientId"),
        (lambda b: b["context"].update(draftOrders={"resourceType": "List"}), "draftOrders"),
        (lambda b: b.update(prefetch={"lvef": "not a resource"}), "prefetch.lvef"),
        (
            lambda b: b.update(fhirAuthorization={"access_token": "t", "token_type": "Bearer"}),
            "fhirServer",
        ),
    ],
)
def test_missing_or_wrong_fields(
    client: FlaskClient, mutate: Callable[[dict[str, Any]], object], words: str
) -> None:
    body = hook_request("order-select", prefetch=full_prefetch())
    mutate(body)
    assert_outcome(client.post(ORDER_SELECT, json=body), 400, words)


def test_body_not_an_object(client: FlaskClient) -> None:
    assert_outcome(client.post(ORDER_SELECT, json=[1, 2]), 400, "type")


def test_body_over_the_size_limit(make_app: Callable[..., Flask]) -> None:
    client = make_app(max_body_bytes=2000).test_client()
    body = hook_request("order-select", prefetch=full_prefetch())
    body["padding"] = "x" * 5000
    assert_outcome(client.post(ORDER_SELECT, json=body), 413, "larger")


def test_unknown_service(client: FlaskClient) -> None:
    body = hook_request("order-select", prefetch=full_prefetch())
    assert_outcome(client.post("/cds-services/no-such-service", json=body), 404, "No CDS service")
    assert_outcome(client.post("/cds-services/no-such/feedback", json={}), 404, "No CDS service")


def test_unknown_path(client: FlaskClient) -> None:
    assert_outcome(client.get("/nothing-here"), 404, "No such endpoint")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ORDER_SELECT),
        ("PUT", ORDER_SELECT),
        ("DELETE", "/cds-services"),
        ("POST", "/cds-services"),
        ("GET", f"{ORDER_SELECT}/feedback"),
    ],
)
def test_wrong_method(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method)
    assert_outcome(response, 405, "not allowed")
    assert response.headers["Allow"]


def test_unexpected_fields_are_tolerated(client: FlaskClient) -> None:
    body = hook_request("order-select", prefetch=full_prefetch())
    body["extension"] = {"com.example.thing": {"a": 1}}
    body["context"]["somethingNew"] = True
    response = client.post(ORDER_SELECT, json=body)
    assert response.status_code == 200
