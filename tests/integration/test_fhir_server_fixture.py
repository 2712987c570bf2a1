"""The real FHIR test server and its Python helper, exercised over HTTP (no mocks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.fhir_server import FhirServerError, FhirTestServer

pytestmark = pytest.mark.integration

LOINC = "http://loinc.org"
LVEF = "10230-1"  # Left ventricular ejection fraction
PATIENT_ID = "pat-fixture-1"
FHIR_JSON = "application/fhir+json"


@pytest.fixture(autouse=True)
def _empty_server(fhir_server: FhirTestServer) -> None:
    fhir_server.reset()


def patient(pid: str = PATIENT_ID) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "gender": "female",
        "birthDate": "1968-04-02",
        "name": [{"family": "Fixture", "given": ["Ada"]}],
    }


def lvef(oid: str, when: str, value: float, pid: str = PATIENT_ID) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": LVEF, "display": "LVEF"}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": value,
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        },
    }


def ids(bundle: dict[str, Any]) -> list[str]:
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "searchset"
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def next_link(bundle: dict[str, Any]) -> str | None:
    return next(
        (link["url"] for link in bundle.get("link", []) if link["relation"] == "next"), None
    )


def test_put_then_read_patient(fhir_server: FhirTestServer) -> None:
    put = fhir_server.request("PUT", f"Patient/{PATIENT_ID}", json=patient())
    assert put.status_code in (200, 201), put.text
    assert put.headers["Content-Type"].startswith(FHIR_JSON)

    read = fhir_server.request("GET", f"Patient/{PATIENT_ID}")
    assert read.status_code == 200, read.text
    assert read.headers["Content-Type"].startswith(FHIR_JSON)
    body = read.json()
    assert body["resourceType"] == "Patient"
    assert body["id"] == PATIENT_ID
    assert body["birthDate"] == "1968-04-02"
    assert body["meta"]["versionId"]

    missing = fhir_server.request("GET", "Patient/no-such-patient")
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"


def test_load_stores_resources_by_id(fhir_server: FhirTestServer) -> None:
    stored = fhir_server.load([patient(), lvef("obs-1", "2024-01-05T10:00:00Z", 61)])
    assert [(r["resourceType"], r["id"]) for r in stored] == [
        ("Patient", PATIENT_ID),
        ("Observation", "obs-1"),
    ]
    assert fhir_server.request("GET", "Observation/obs-1").json()["valueQuantity"]["value"] == 61


def test_load_more_than_one_transaction_chunk(fhir_server: FhirTestServer) -> None:
    resources = [patient()] + [
        lvef(f"obs-{i}", f"2023-01-{1 + i % 28:02d}T00:00:00Z", 50 + i % 20) for i in range(120)
    ]
    assert len(fhir_server.load(resources)) == 121
    bundle = fhir_server.request("GET", "Observation", params={"_count": "0"}).json()
    assert bundle["total"] == 120


def test_load_rejects_invalid_resource_atomically(fhir_server: FhirTestServer) -> None:
    bad = {"resourceType": "Observation", "id": "bad-1", "status": "final", "notAField": 1}
    with pytest.raises(FhirServerError, match="notAField"):
        fhir_server.load([patient(), bad])
    # The transaction was rolled back: the valid Patient of the same Bundle is not there.
    assert fhir_server.request("GET", f"Patient/{PATIENT_ID}").status_code == 404
    with pytest.raises(ValueError, match="id"):
        fhir_server.load([{"resourceType": "Patient"}])


def test_observation_search_by_patient(fhir_server: FhirTestServer) -> None:
    fhir_server.load(
        [
            patient(),
            patient("pat-other"),
            lvef("obs-a", "2024-01-05T10:00:00Z", 61),
            lvef("obs-b", "2024-03-05T10:00:00Z", 58),
            lvef("obs-other", "2024-02-01T10:00:00Z", 40, pid="pat-other"),
        ]
    )
    by_reference = fhir_server.request(
        "GET", "Observation", params={"patient": f"Patient/{PATIENT_ID}"}
    )
    assert by_reference.status_code == 200, by_reference.text
    assert sorted(ids(by_reference.json())) == ["obs-a", "obs-b"]
    assert by_reference.json()["total"] == 2

    # A bare id works too (Medplum alone only matched "Patient/<id>"; the shim expands it).
    by_id = fhir_server.request("GET", "Observation", params={"patient": PATIENT_ID})
    assert sorted(ids(by_id.json())) == ["obs-a", "obs-b"]


def test_observation_search_by_code_newest_first(fhir_server: FhirTestServer) -> None:
    other_code = {
        "resourceType": "Observation",
        "id": "obs-her2",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "85319-2"}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": "2024-12-01T00:00:00Z",
        "valueString": "positive",
    }
    fhir_server.load(
        [
            patient(),
            lvef("obs-2024-01", "2024-01-05T10:00:00Z", 61),
            lvef("obs-2024-06", "2024-06-05", 55),
            lvef("obs-2024-03", "2024-03-05T10:00:00+02:00", 58),
            lvef("obs-2023-11", "2023-11-20T09:30:00Z", 63),
            other_code,
        ]
    )
    params = [
        ("patient", PATIENT_ID),
        ("code", f"{LOINC}|{LVEF}"),
        ("_sort", "-date"),
        ("_count", "3"),
    ]
    response = fhir_server.request("GET", "Observation", params=params)
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert ids(bundle) == ["obs-2024-06", "obs-2024-03", "obs-2024-01"]
    assert bundle["total"] == 4

    # Several codes are OR-ed, as the service asks for them.
    both = fhir_server.request(
        "GET",
        "Observation",
        params=[
            ("patient", f"Patient/{PATIENT_ID}"),
            ("code", f"{LOINC}|{LVEF},{LOINC}|85319-2"),
            ("_sort", "-date"),
            ("_count", "2"),
        ],
    ).json()
    assert ids(both) == ["obs-her2", "obs-2024-06"]
    assert both["total"] == 5


def test_count_pages_with_absolute_next_link(fhir_server: FhirTestServer) -> None:
    fhir_server.load(
        [patient()] + [lvef(f"obs-{day}", f"2024-05-0{day}T08:00:00Z", 60) for day in range(1, 6)]
    )
    first = fhir_server.request(
        "GET", "Observation", params={"patient": PATIENT_ID, "_sort": "date", "_count": "2"}
    ).json()
    assert ids(first) == ["obs-1", "obs-2"]
    assert first["total"] == 5

    seen = ids(first)
    url = next_link(first)
    pages = 1
    while url is not None:
        assert url.startswith(fhir_server.base_url + "/Observation?"), url
        page = fhir_server.request("GET", url)
        assert page.status_code == 200, page.text
        seen += ids(page.json())
        url = next_link(page.json())
        pages += 1
        assert pages <= 5
    assert seen == ["obs-1", "obs-2", "obs-3", "obs-4", "obs-5"]
    assert pages == 3
    # The next links carry the original search (token and all) to the same server.
    paths = [entry["path"] for entry in fhir_server.requests_log()]
    assert any("_offset=2" in p for p in paths)
    assert any("_offset=4" in p for p in paths)


def test_request_without_token_is_401_operation_outcome(fhir_server: FhirTestServer) -> None:
    fhir_server.load([patient()])
    for response in (
        fhir_server.request("GET", f"Patient/{PATIENT_ID}", authorized=False),
        requests.get(
            f"{fhir_server.base_url}/Patient/{PATIENT_ID}",
            headers={"Authorization": "Bearer not-the-token"},
            timeout=10,
        ),
    ):
        assert response.status_code == 401
        assert response.headers["Content-Type"].startswith(FHIR_JSON)
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["severity"] == "error"


def test_requests_log_records_authorized_and_unauthorized(fhir_server: FhirTestServer) -> None:
    assert fhir_server.requests_log() == []
    fhir_server.request("GET", "Condition", params={"patient": PATIENT_ID})
    fhir_server.request("GET", f"Patient/{PATIENT_ID}", authorized=False)
    fhir_server.request(
        "GET",
        "MedicationRequest",
        params=[("patient", PATIENT_ID), ("status", "active,on-hold,completed,stopped")],
    )
    log = fhir_server.requests_log()
    assert log == [
        {"method": "GET", "path": f"/fhir/Condition?patient={PATIENT_ID}", "authorized": True},
        {"method": "GET", "path": f"/fhir/Patient/{PATIENT_ID}", "authorized": False},
        {
            "method": "GET",
            "path": f"/fhir/MedicationRequest?patient={PATIENT_ID}"
            "&status=active%2Con-hold%2Ccompleted%2Cstopped",
            "authorized": True,
        },
    ]
    fhir_server.reset()
    assert fhir_server.requests_log() == []


def test_service_queries_work(fhir_server: FhirTestServer) -> None:
    """The fallback queries the service makes, each returning exactly this patient's data."""
    subject = {"reference": f"Patient/{PATIENT_ID}"}
    other = {"reference": "Patient/pat-other"}
    med = {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "224905"}]}
    resources: list[dict[str, Any]] = [patient(), patient("pat-other")]
    for n, who in enumerate((subject, other)):
        resources.append(
            {
                "resourceType": "Condition",
                "id": f"cond-{n}",
                "subject": who,
                "code": {"text": "HER2+ BC"},
            }
        )
        resources.append(
            {
                "resourceType": "MedicationAdministration",
                "id": f"madm-{n}",
                "status": "completed",
                "medicationCodeableConcept": med,
                "subject": who,
                "effectiveDateTime": "2024-02-01T10:00:00Z",
            }
        )
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": f"mst-{n}",
                "status": "active",
                "medicationCodeableConcept": med,
                "subject": who,
            }
        )
    for status in ("active", "on-hold", "completed", "stopped", "cancelled", "draft"):
        resources.append(
            {
                "resourceType": "MedicationRequest",
                "id": f"mreq-{status}",
                "status": status,
                "intent": "order",
                "medicationCodeableConcept": med,
                "subject": subject,
            }
        )
    fhir_server.load(resources)

    def search(resource_type: str, **params: str) -> list[str]:
        response = fhir_server.request("GET", resource_type, params=params)
        assert response.status_code == 200, response.text
        return sorted(ids(response.json()))

    assert search("Condition", patient=PATIENT_ID) == ["cond-0"]
    assert search("MedicationAdministration", patient=PATIENT_ID) == ["madm-0"]
    assert search("MedicationStatement", patient=PATIENT_ID) == ["mst-0"]
    assert search(
        "MedicationRequest", patient=PATIENT_ID, status="active,on-hold,completed,stopped"
    ) == ["mreq-active", "mreq-completed", "mreq-on-hold", "mreq-stopped"]
    assert fhir_server.request("GET", f"Patient/{PATIENT_ID}").json()["id"] == PATIENT_ID


def test_unknown_search_parameter_is_400_not_empty(fhir_server: FhirTestServer) -> None:
    response = fhir_server.request("GET", "Observation", params={"no-such-param": "x"})
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "no-such-param" in response.text


def test_bad_input_answers_operation_outcome(fhir_server: FhirTestServer) -> None:
    headers = {**fhir_server.auth_headers(), "Content-Type": FHIR_JSON}
    for method, path, data in (
        ("PUT", "Patient/x", "{not json"),
        ("PUT", "Patient/x", '{"resourceType": "Observation", "id": "x"}'),
        ("POST", "", '{"resourceType": "Patient"}'),
        ("GET", "NoSuchType/1", None),
        ("GET", "Observation?date=not-a-date", None),
    ):
        response = requests.request(
            method, f"{fhir_server.base_url}/{path}", data=data, headers=headers, timeout=10
        )
        assert 400 <= response.status_code < 500, (method, path, response.text)
        assert response.json()["resourceType"] == "OperationOutcome"
    assert fhir_server.request("GET", "metadata").json()["fhirVersion"] == "4.0.1"
    assert fhir_server.running


def test_missing_node_modules_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tests.support.fhir_server as module

    monkeypatch.setattr(module, "NODE_DIR", tmp_path)
    with pytest.raises(FhirServerError, match="npm ci --prefix tests/fhir_server"):
        FhirTestServer().start()


def test_open_reads_and_cors_for_a_browser_client() -> None:
    """The CDS Hooks sandbox reads the record from the page, without a token (no SMART)."""
    origin = "http://127.0.0.1:9"
    with FhirTestServer(open_reads=True, cors_origins=[origin]) as server:
        server.load([patient()])
        url = f"{server.base_url}/Patient/{PATIENT_ID}"
        plain = requests.get(url, headers={"Origin": origin}, timeout=10)
        assert plain.status_code == 200
        assert plain.headers["Access-Control-Allow-Origin"] == origin
        preflight = requests.options(
            f"{server.base_url}/Observation/_search",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
            timeout=10,
        )
        assert preflight.status_code == 204
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
        # another origin gets no CORS answer; a wrong token is still refused
        other = requests.get(url, headers={"Origin": "http://evil.example"}, timeout=10)
        assert "Access-Control-Allow-Origin" not in other.headers
        wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401


def test_without_open_reads_a_request_without_token_is_refused(
    fhir_server: FhirTestServer,
) -> None:
    fhir_server.load([patient()])
    assert fhir_server.request("GET", f"Patient/{PATIENT_ID}", authorized=False).status_code == 401
