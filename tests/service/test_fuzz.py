"""Fuzzing every endpoint with generated and mutated requests, bodies and headers.

Whatever arrives, the answer is a 2xx/4xx with JSON (cards or an OperationOutcome) and
never a 5xx, a stack trace or a hang. Thousands of cases run in total (see `max_examples`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)

ENDPOINTS = [
    *(f"/cds-services/{sid}" for sid in SERVICE_IDS.values()),
    *(f"/cds-services/{sid}/feedback" for sid in SERVICE_IDS.values()),
    "/cds-services",
    "/cds-services/unknown",
]
HOOKS = list(SERVICE_IDS)

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    from cds_service.app import create_app
    from cds_service.settings import Settings

    db = tmp_path_factory.mktemp("fuzz") / "feedback.sqlite3"
    app: Flask = create_app(Settings(database_url=f"sqlite:///{db}", max_body_bytes=200_000))
    yield app.test_client()
    app.extensions["her2cds"].feedback.dispose()


def assert_sane(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    if text:
        body = json.loads(text)
        if response.status_code >= 400:
            assert body["resourceType"] == "OperationOutcome"


def _mutate(document: Any, path: list[Any], new: Any, delete: bool) -> Any:
    target = document
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if delete and isinstance(target, dict):
        target.pop(last, None)
    else:
        target[last] = new
    return document


def _paths(document: Any, prefix: list[Any] | None = None) -> list[list[Any]]:
    prefix = prefix or []
    found: list[list[Any]] = []
    if isinstance(document, dict):
        for key, value in document.items():
            found.append([*prefix, key])
            found.extend(_paths(value, [*prefix, key]))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.append([*prefix, index])
            found.extend(_paths(value, [*prefix, index]))
    return found


@FUZZ
@given(endpoint=st.sampled_from(ENDPOINTS), body=json_values)
def test_generated_bodies(fuzz_client: FlaskClient, endpoint: str, body: Any) -> None:
    assert_sane(fuzz_client.post(endpoint, json=body))


@FUZZ
@given(hook=st.sampled_from(HOOKS), data=st.data(), new=json_values, delete=st.booleans())
def test_mutated_valid_requests(
    fuzz_client: FlaskClient, hook: str, data: st.DataObject, new: Any, delete: bool
) -> None:
    body = copy.deepcopy(hook_request(hook, prefetch=full_prefetch()))
    path = data.draw(st.sampled_from(_paths(body)))
    _mutate(body, path, new, delete)
    assert_sane(fuzz_client.post(f"/cds-services/{SERVICE_IDS[hook]}", json=body))


@FUZZ
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/fhir+json",
            "text/plain",
            "",
            "application/json; charset=latin-1",
            "multipart/form-data",
        ]
    ),
    raw=st.binary(max_size=300),
    headers=st.dictionaries(
        st.sampled_from(["Authorization", "Origin", "X-Request-Id", "Accept", "Content-Encoding"]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        max_size=3,
    ),
)
def test_raw_bytes_methods_and_headers(
    fuzz_client: FlaskClient,
    endpoint: str,
    method: str,
    content_type: str,
    raw: bytes,
    headers: dict[str, str],
) -> None:
    response = fuzz_client.open(
        endpoint, method=method, data=raw, content_type=content_type, headers=headers
    )
    assert response.status_code < 500


@FUZZ
@given(
    feedback=st.lists(
        st.dictionaries(
            st.sampled_from(
                ["card", "outcome", "acceptedSuggestions", "overrideReason", "outcomeTimestamp"]
            ),
            json_values,
        ),
        max_size=3,
    )
)
def test_feedback_bodies(fuzz_client: FlaskClient, feedback: list[dict[str, Any]]) -> None:
    assert_sane(
        fuzz_client.post(
            f"/cds-services/{SERVICE_IDS['order-sign']}/feedback", json={"feedback": feedback}
        )
    )


@pytest.fixture(scope="module")
def secured_fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    import json as _json

    from cds_service.app import create_app
    from cds_service.settings import Settings
    from tests.unit.security.tokens import ISS, ec_signer

    folder = tmp_path_factory.mktemp("fuzz-auth")
    clients = folder / "clients.json"
    clients.write_text(
        _json.dumps([{"iss": ISS, "jwks": ec_signer("fuzz").jwks(), "fhir_servers": []}])
    )
    app: Flask = create_app(
        Settings(
            database_url=f"sqlite:///{folder / 'f.sqlite3'}",
            auth="required",
            trusted_clients_file=clients,
            public_base_url="https://cds.example.org",
        )
    )
    yield app.test_client()
    app.extensions["her2cds"].feedback.dispose()


@FUZZ
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    scheme=st.sampled_from(["Bearer ", "bearer ", "Basic ", "", "Bearer  "]),
    token=st.text(st.characters(blacklist_characters="\r\n"), max_size=300)  # HTTP forbids them
    | st.lists(
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=60
        ),
        min_size=3,
        max_size=3,
    ).map(".".join),
    body=json_values,
)
def test_authorization_headers_against_a_secured_service(
    secured_fuzz_client: FlaskClient, endpoint: str, scheme: str, token: str, body: Any
) -> None:
    header = (scheme + token).encode("latin-1", "replace").decode("latin-1")
    response = secured_fuzz_client.post(endpoint, json=body, headers={"Authorization": header})
    assert response.status_code in (401, 404, 405), response.status_code
    if response.status_code == 401:
        assert response.get_data() == b""
