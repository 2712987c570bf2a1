"""The demo's server side: on and off switches, the read-only FHIR over the samples, the
header, the drug list and the LVEF chart (whose due date is the one the rules state)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.settings import Settings, SettingsError
from tests.samples.support import call

SVG = "{http://www.w3.org/2000/svg}"


def test_demo_is_served_by_default_with_every_sample(client: FlaskClient) -> None:
    page = client.get("/demo/")
    assert page.status_code == 200
    assert page.data.count(b'class="patient"') >= 10
    for name in ("demo.js", "markdown.js", "demo.css"):
        with client.get(f"/demo/static/{name}") as response:
            assert response.status_code == 200
            assert b"https://" not in response.data  # no CDN, nothing from the network


def test_demo_off_is_not_served(make_app: Callable[..., Flask]) -> None:
    client = make_app(demo=False).test_client()
    assert client.get("/demo/").status_code == 404
    assert client.get("/demo/patients").status_code == 404
    assert Settings.from_env({"HER2CDS_DEMO": "off"}).demo is False
    with pytest.raises(SettingsError, match="HER2CDS_DEMO"):
        Settings.from_env({"HER2CDS_DEMO": "maybe"})


def test_demo_is_not_served_when_authentication_is_required(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text(
        '[{"iss": "https://ehr.example.org", "jku": "https://ehr.example.org/jwks.json",'
        ' "fhir_servers": ["https://ehr.example.org/fhir"]}]'
    )
    app = make_app(
        auth="required", trusted_clients_file=clients, public_base_url="https://cds.example.org"
    )
    client = app.test_client()
    assert client.get("/demo/").status_code == 404
    assert client.get("/demo/fhir/Patient/her2demo-first-line").status_code == 404


def test_demo_fhir_reads_and_searches_the_samples(client: FlaskClient) -> None:
    patient = client.get("/demo/fhir/Patient/her2demo-lvef-decline")
    assert patient.status_code == 200
    assert patient.mimetype == "application/fhir+json"
    assert patient.get_json()["id"] == "her2demo-lvef-decline"
    lvef = client.get(
        "/demo/fhir/Observation?patient=her2demo-lvef-decline"
        "&code=http://loinc.org|8806-2&_sort=-date&_count=2"
    ).get_json()
    assert lvef["type"] == "searchset"
    assert [e["resource"]["valueQuantity"]["value"] for e in lvef["entry"]] == [48, 63]
    active = client.get(
        "/demo/fhir/MedicationRequest?patient=her2demo-lvef-decline&status=active"
    ).get_json()
    assert {e["resource"]["status"] for e in active["entry"]} == {"active"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/demo/fhir/Patient/nobody", 404),
        ("/demo/fhir/Observation?patient=nobody", 404),
        ("/demo/fhir/Observation", 400),
        ("/demo/fhir/Observation?patient=her2demo-first-line&_sort=date", 400),
        ("/demo/fhir/Observation?patient=her2demo-first-line&category=x", 400),
        ("/demo/fhir/Patient/her2demo-first-line/_history", 400),
        ("/demo/patients/nobody", 404),
        ("/demo/patients/nobody/lvef.svg", 404),
    ],
)
def test_demo_refuses_what_it_cannot_answer(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_header_and_drugs(client: FlaskClient) -> None:
    header = client.get("/demo/patients/her2demo-first-line").get_json()
    assert header["name"] == "Maria Lindqvist"
    assert header["her2"]["call"] == "positive"
    assert header["weightKg"] == 70
    drugs = {d["id"]: d for d in client.get("/demo/patients/her2demo-first-line/drugs").get_json()}
    assert drugs["trastuzumab"]["route"] == "intravenous"
    assert drugs["trastuzumab"]["schedules"][0] == {
        "id": "q3w",
        "intervalDays": 21.0,
        "timesPerDay": None,
        "dose": 560.0,  # 8 mg/kg loading for 70 kg: never given before
    }
    assert drugs["pertuzumab"]["coding"]["code"] == "1298944"
    assert {"doxorubicin", "docetaxel", "fam-trastuzumab-deruxtecan"} <= set(drugs)
    continuing = client.get("/demo/patients/her2demo-lvef-decline/drugs").get_json()
    [trastuzumab] = [d for d in continuing if d["id"] == "trastuzumab"]
    assert trastuzumab["schedules"][0]["dose"] == 420.0  # maintenance once on it


def _chart(client: FlaskClient, patient_id: str) -> ElementTree.Element:
    response = client.get(f"/demo/patients/{patient_id}/lvef.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    return ElementTree.fromstring(response.data)  # noqa: S314 (our own SVG)


def _groups(svg: ElementTree.Element, kind: str) -> list[dict[str, str]]:
    return [dict(g.attrib) for g in svg.iter(f"{SVG}g") if kind in g.get("class", "").split()]


@pytest.mark.parametrize(
    "patient_id", ["her2demo-lvef-decline", "her2demo-hr-positive", "her2demo-lvef-overdue"]
)
def test_chart_due_date_is_the_one_the_cards_state(client: FlaskClient, patient_id: str) -> None:
    [due] = _groups(_chart(client, patient_id), "next-due")
    cards = call(client, "patient-view", patient_id)
    text = " ".join(c["summary"] + c.get("detail", "") for c in cards)
    if due["data-overdue"] == "true":
        assert "overdue" in text.lower()
    else:
        assert re.search(rf"(due|repeat LVEF) by {due['data-date']}", text), text


def test_chart_of_the_overdue_patient(client: FlaskClient) -> None:
    svg = _chart(client, "her2demo-lvef-overdue")
    readings = _groups(svg, "reading")
    assert [(r["data-percent"], r["data-modality"]) for r in readings] == [
        ("63", "2D echo"),
        ("60", "nuclear blood pool (MUGA)"),
    ]
    [due] = _groups(svg, "next-due")
    assert due["data-overdue"] == "true"
    periods = {p["data-drug"] for p in _groups(svg, "period-her2")}
    assert periods == {"trastuzumab", "pertuzumab"}


def test_chart_shades_anthracycline_and_says_when_there_is_no_lvef(client: FlaskClient) -> None:
    svg = _chart(client, "her2demo-on-doxorubicin")
    [period] = _groups(svg, "period-anthracycline")
    assert period["data-drug"] == "doxorubicin" and period["data-end"] == "ongoing"
    assert _groups(svg, "next-due") == []  # on no HER2 drug: nothing is due
