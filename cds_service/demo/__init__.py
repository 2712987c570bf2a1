"""The demo page at /demo: the shipped sample patients in an EHR-like view, for someone trying
the service without an EHR. The page itself calls the real CDS Hooks endpoints (discovery,
the three hooks, feedback) from the browser, filling prefetch from discovery's templates
through /demo/fhir, a read-only FHIR search over the sample patients.

Served only with HER2CDS_AUTH=off (the browser has no CDS Hooks JWT to send) and
HER2CDS_DEMO=on (the default); nothing of it exists otherwise. It holds no state: sample data
are generated from the package on each request, dated relative to today.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from cards import CardsConfig, lvef_course
from cds_service import samples
from cds_service.demo.catalog import drug_catalog, header
from cds_service.demo.chart import lvef_svg
from cds_service.errors import ApiError
from cds_service.samples.search import UnsupportedQuery, search
from fhir_mappings import PatientFacts, build_patient_facts

blueprint = Blueprint(
    "demo",
    __name__,
    url_prefix="/demo",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _resources(sample_id: str) -> list[dict[str, Any]]:
    try:
        return samples.patient_resources(sample_id)
    except samples.UnknownSample as exc:
        raise ApiError(404, "No sample patient with this id; see GET /demo/patients.") from exc


def _facts(sample_id: str) -> tuple[PatientFacts, dict[str, Any]]:
    resources = _resources(sample_id)
    return build_patient_facts(resources, now=datetime.now(UTC)), resources[0]


def _cards_config() -> CardsConfig:
    config: CardsConfig = current_app.extensions["her2cds"].cards_config
    return config


@blueprint.get("/")
def page() -> str:
    return render_template("demo.html", samples=samples.samples())


@blueprint.get("/patients")
def patients() -> Response:
    return jsonify([{"id": s.id, "title": s.title, "story": s.story} for s in samples.samples()])


@blueprint.get("/patients/<sample_id>")
def patient_header(sample_id: str) -> Response:
    facts, patient = _facts(sample_id)
    return jsonify(header(facts, samples.patient_name(patient), patient.get("birthDate")))


@blueprint.get("/patients/<sample_id>/drugs")
def drugs(sample_id: str) -> Response:
    facts, _ = _facts(sample_id)
    return jsonify(drug_catalog(facts))


@blueprint.get("/patients/<sample_id>/lvef.svg")
def lvef_chart(sample_id: str) -> Response:
    facts, patient = _facts(sample_id)
    title = f"LVEF course of {samples.patient_name(patient)}"
    svg = lvef_svg(lvef_course(facts, _cards_config()), title)
    return Response(svg, mimetype="image/svg+xml")


def _patient_of(path: str) -> str:
    """The sample patient a FHIR query is about: Patient/<id> or ?patient=<id>."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "Patient":
        return parts[1]
    patient = request.args.get("patient")
    if len(parts) == 1 and patient:
        return patient.removeprefix("Patient/")
    raise ApiError(400, "Demo FHIR queries read a Patient or search with ?patient=<id>.")


@blueprint.get("/fhir/<path:path>")
def fhir(path: str) -> Response:
    """Read-only FHIR over the sample patients, for the page's prefetch."""
    resources = _resources(_patient_of(path))
    query = path + (f"?{request.query_string.decode()}" if request.query_string else "")
    try:
        found = search(resources, query)
    except (UnsupportedQuery, ValueError) as exc:
        raise ApiError(400, f"Unsupported demo FHIR query: {exc}") from exc
    if found is None:
        raise ApiError(404, f"{path} is not in the sample data.")
    response = jsonify(found)
    response.mimetype = "application/fhir+json"
    return response
