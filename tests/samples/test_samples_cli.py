"""`her2-cds samples write|load`: the sample Bundles on disk and in a real FHIR R4 server
(Medplum's engine, tests/support/fhir_server.py), then read back by the service's own
prefetch templates."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from cds_service import samples
from cds_service.cli import main
from tests.support.fhir_server import FhirTestServer

pytestmark = pytest.mark.integration


def test_write_puts_one_bundle_per_sample(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["samples", "write", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out.split()
    files = sorted((tmp_path / "out").glob("*.json"))
    assert len(files) == len(samples.samples()) >= 10
    assert sorted(printed) == sorted(str(f) for f in files)
    for path in files:
        doc = json.loads(path.read_text())
        assert doc["resourceType"] == "Bundle" and doc["type"] == "transaction"
        patients = [e for e in doc["entry"] if e["resource"]["resourceType"] == "Patient"]
        assert len(patients) == 1
        assert all(e["request"]["method"] == "PUT" for e in doc["entry"])


def test_write_to_an_unwritable_place_is_one_line(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["samples", "write", str(blocker / "sub")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


def test_load_into_the_fhir_server_and_read_back(
    fhir_server: FhirTestServer, capsys: pytest.CaptureFixture
) -> None:
    fhir_server.reset()
    args = ["samples", "load", fhir_server.base_url, f"--token={fhir_server.token}"]
    assert main(args) == 0
    out = capsys.readouterr().out
    for sample in samples.samples():
        assert f"{sample.id}\t{sample.title}" in out
    links = [line.strip() for line in out.splitlines() if line.startswith("  https://")]
    assert len(links) == len(samples.samples())
    query = parse_qs(urlparse(links[0]).query)
    assert query["fhirServiceUrl"] == [fhir_server.base_url]
    assert query["patientId"] == [samples.samples()[0].id]
    assert query["serviceDiscoveryURL"] == ["http://localhost:8080/cds-services"]
    posts = [r for r in fhir_server.requests_log() if r["method"] == "POST"]
    assert len(posts) == len(samples.samples())  # one transaction per patient

    headers = {"Authorization": f"Bearer {fhir_server.token}"}
    pid = "her2demo-lvef-decline"
    lvef = requests.get(
        f"{fhir_server.base_url}/Observation",
        params={"patient": pid, "code": "http://loinc.org|8806-2"},
        headers=headers,
        timeout=10,
    ).json()
    expected = [
        e["resource"]
        for e in samples.bundle(pid)["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "8806-2"
    ]
    assert len(lvef["entry"]) == len(expected) == 3
    # Loading again updates in place: still one patient with this id.
    assert main(args) == 0
    capsys.readouterr()
    found = requests.get(
        f"{fhir_server.base_url}/Patient", params={"_id": pid}, headers=headers, timeout=10
    ).json()
    assert len(found["entry"]) == 1


def test_the_service_answers_from_the_loaded_server(
    fhir_server: FhirTestServer, make_app: Any, capsys: pytest.CaptureFixture
) -> None:
    """The service's own FHIR fallback (no prefetch) finds what `load` stored."""
    fhir_server.reset()
    assert main(["samples", "load", fhir_server.base_url, f"--token={fhir_server.token}"]) == 0
    capsys.readouterr()
    # Generous time limits: this checks what is stored, not how fast a shared machine is.
    app = make_app(fhir_allow_loopback_http=True, fhir_timeout_s=30.0, fhir_budget_s=120.0)
    client = app.test_client()
    body = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": fhir_server.base_url,
        "fhirAuthorization": {
            "access_token": fhir_server.token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "her2-cds",
        },
        "context": {"patientId": "her2demo-lvef-decline", "userId": "Practitioner/x"},
    }
    response = client.post("/cds-services/her2-breast-cancer-patient-view", json=body)
    assert response.status_code == 200
    codes = {c["source"]["topic"]["code"] for c in response.get_json()["cards"]}
    assert "C2" in codes


def test_a_wrong_token_is_one_clear_line(fhir_server: FhirTestServer, capsys) -> None:
    assert main(["samples", "load", fhir_server.base_url, "--token", "wrong"]) == 1
    err = capsys.readouterr().err
    assert "refused the credentials" in err and "Traceback" not in err


def test_an_unreachable_server_and_a_bad_url_are_one_line(capsys) -> None:
    assert main(["samples", "load", "ftp://fhir.example.org"]) == 2
    assert "scheme" in capsys.readouterr().err
    assert main(["samples", "load", "http://127.0.0.1:9/fhir"]) == 1
    assert "cannot reach" in capsys.readouterr().err


class _PutOnly(BaseHTTPRequestHandler):
    """A FHIR server without transactions: POST / is 405, PUT Type/id stores."""

    stored: dict[str, Any] = {}  # noqa: RUF012

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.send_response(405)
        self.end_headers()

    def do_PUT(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.stored[self.path] = body
        self.send_response(201)
        self.end_headers()


@pytest.fixture
def put_only_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PutOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_without_transactions_gets_puts(put_only_server: str, capsys) -> None:
    _PutOnly.stored.clear()
    assert main(["samples", "load", put_only_server]) == 0
    capsys.readouterr()
    total = sum(len(samples.bundle(s.id)["entry"]) for s in samples.samples())
    assert len(_PutOnly.stored) == total
    assert "/fhir/Patient/her2demo-first-line" in _PutOnly.stored
