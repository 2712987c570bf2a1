"""Discovery and the three hook endpoints over HTTP (CDS Hooks 2.0.1 §Discovery, §Calling)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from cds_service.validation import validator
from tests.service.hook_requests import (
    SERVICE_IDS,
    draft_medication_request,
    full_prefetch,
    hook_request,
)


def test_discovery_lists_one_service_per_hook(client: FlaskClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    document = response.get_json()
    validator("discovery").validate(document)
    hooks = {s["hook"]: s for s in document["services"]}
    assert set(hooks) == {"order-select", "order-sign", "patient-view"}
    assert len({s["id"] for s in document["services"]}) == 3  # distinct ids (sandbox keys by id)
    for service in document["services"]:
        assert service["title"] and service["description"]
        assert "knowledge-version" in next(iter(service["extension"]))


def test_prefetch_templates_use_r4_syntax_and_the_allowed_subset(client: FlaskClient) -> None:
    services = client.get("/cds-services").get_json()["services"]
    templates = services[0]["prefetch"]
    assert templates["patient"] == "Patient/{{context.patientId}}"
    for key, template in templates.items():
        assert "sort:desc" not in template, key  # DSTU2 syntax
        if template.startswith("Observation?"):
            assert "_sort=-date" in template and "_count=" in template, key
            assert "code=http://loinc.org|" in template, key
        assert "{{context.patientId}}" in template, key
    assert "status=active,on-hold,completed,stopped" in templates["medicationRequests"]
    assert {"lvef", "tumorMarkers", "bodySize", "pregnancy", "conditions"} <= set(templates)
    labs = templates["labs"]  # organ function: ALT, AST, bilirubin, creatinine, eGFR, CBC
    for code in ("1742-6", "1920-8", "1975-2", "2160-0", "98979-8", "751-8", "777-3"):
        assert f"http://loinc.org|{code}" in labs, code
    assert "_sort=-date" in labs and "_count=50" in labs
    assert {"medicationRequests", "medicationAdministrations", "medicationStatements"} <= set(
        templates
    )


@pytest.mark.parametrize("hook", ["order-select", "order-sign", "patient-view"])
def test_each_hook_answers_a_valid_request(client: FlaskClient, hook: str) -> None:
    body = hook_request(hook, prefetch=full_prefetch())
    response = client.post(f"/cds-services/{SERVICE_IDS[hook]}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    document = response.get_json()
    validator("response").validate(document)
    assert document == {"cards": []}  # nothing on file concerns the rules: no card


def test_a_call_naming_no_known_drug_is_logged_as_such(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Acetaminophen drafted, nothing on file: answered before the facts, and the request's
    log line says why there are no cards; a trastuzumab draft is read in full."""
    trastuzumab = draft_medication_request("request-t")
    trastuzumab["medicationCodeableConcept"] = {"text": "trastuzumab 440 mg vial"}
    logged = []
    for orders in ([draft_medication_request()], [trastuzumab]):
        caplog.clear()
        body = hook_request("order-select", prefetch=full_prefetch(), draft_orders=orders)
        response = client.post(f"/cds-services/{SERVICE_IDS['order-select']}", json=body)
        assert response.status_code == 200
        lines = [r for r in caplog.records if r.getMessage() == "request"]
        logged.append(getattr(lines[-1], "no_known_drug", None))
    assert logged == [True, None]


def test_the_hook_must_match_the_service(client: FlaskClient) -> None:
    body = hook_request("patient-view", prefetch=full_prefetch())
    response = client.post(f"/cds-services/{SERVICE_IDS['order-select']}", json=body)
    assert response.status_code == 400
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "order-select" in outcome["issue"][0]["diagnostics"]


def test_a_prefetched_patient_must_be_the_context_patient(client: FlaskClient) -> None:
    prefetch = full_prefetch()
    prefetch["patient"]["id"] = "someone-else"
    body = hook_request("patient-view", prefetch=prefetch)
    response = client.post(f"/cds-services/{SERVICE_IDS['patient-view']}", json=body)
    assert response.status_code == 400
    assert "patientId" in response.get_json()["issue"][0]["diagnostics"]


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_cors_preflight_allows_the_sandbox(client: FlaskClient) -> None:
    response = client.options(
        f"/cds-services/{SERVICE_IDS['order-select']}",
        headers={
            "Origin": "https://sandbox.cds-hooks.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://sandbox.cds-hooks.org"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cors_headers_answer_browsers_only(client: FlaskClient) -> None:
    """A browser names its Origin and gets it back; an EHR server names none and gets no CORS
    headers (they would mean nothing to it, and cost every call)."""
    browser = client.get("/cds-services", headers={"Origin": "https://sandbox.cds-hooks.org"})
    assert browser.headers["Access-Control-Allow-Origin"] == "https://sandbox.cds-hooks.org"
    server = client.get("/cds-services")
    assert server.status_code == 200
    assert not [name for name, _ in server.headers if name.startswith("Access-Control-")]


def test_flask_cors_runs_only_for_requests_naming_an_origin(client: FlaskClient) -> None:
    """The after-request function Flask-CORS registers is the one wrapped (a Flask-CORS that
    renamed it would leave it running on every call, and fail here)."""
    app = client.application
    wrapped = [f for f in app.after_request_funcs[None] if hasattr(f, "wrapped")]
    assert [f.wrapped.__module__ for f in wrapped] == ["flask_cors.extension"]


def test_cors_refuses_unlisted_origins(client: FlaskClient) -> None:
    response = client.get("/cds-services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
