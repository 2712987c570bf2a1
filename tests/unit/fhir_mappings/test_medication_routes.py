"""A combination read only from its components honours the order's route: IV pertuzumab and
trastuzumab written on one order are not Phesgo, which its label allows only subcutaneously
(`label_route` in the drug table). The product's own name or code still reads as the product."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from fhir_mappings import all_drugs, drug_info, recognise_medication
from fhir_mappings.model import MedicationConcept
from fhir_mappings.terminology import load_table

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
PHESGO = "pertuzumab-trastuzumab-sc"
BOTH = ("pertuzumab", "trastuzumab")
IV = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}]}
SC = {"coding": [{"system": SNOMED, "code": "34206005", "display": "Subcutaneous route"}]}
PERTUZUMAB_IN, TRASTUZUMAB_IN = "1298944", "224905"


def _order(
    text: str | None,
    *codes: str,
    route: dict[str, Any] | None = None,
    dosage_text: str | None = None,
) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": RXNORM, "code": c} for c in codes]}
    if text is not None:
        concept["text"] = text
    order: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": concept,
    }
    dosage = {k: v for k, v in (("route", route), ("text", dosage_text)) if v is not None}
    if dosage:
        order["dosageInstruction"] = [dosage]
    return order


def _read(
    resource: dict[str, Any], resources: list[dict[str, Any]] | None = None
) -> MedicationConcept:
    concept = recognise_medication(resource, resources=resources or [])
    assert concept is not None
    return concept


def test_phesgo_carries_its_labels_only_route_with_a_source() -> None:
    assert drug_info(PHESGO).label_route == "sc"
    for drug in all_drugs():
        assert drug.label_route in (None, drug.route), drug.id


@pytest.mark.parametrize(
    "order",
    [
        _order("trastuzumab and pertuzumab IV"),
        _order("pertuzumab/trastuzumab", route=IV),
        _order("pertuzumab/trastuzumab", route={"text": "IV"}),
        _order("Pertuzumab + Trastuzumab", dosage_text="840 mg intravenously over 60 minutes"),
    ],
    ids=["iv-in-medication-words", "coded-iv-route", "route-text", "dosage-text"],
)
def test_iv_order_naming_both_antibodies_names_both_and_recognises_neither(order) -> None:
    concept = _read(order)
    assert (concept.drug, concept.matched_by, concept.also_named) == (None, "name", BOTH)
    assert concept.route == "iv"
    assert concept.classes == frozenset()  # no Phesgo class: no Phesgo dose, no Phesgo card


@pytest.mark.parametrize(
    "text", ["Perjeta + Herceptin", "pertuzumab + Herceptin", "Perjeta and trastuzumab"]
)
def test_brand_names_of_the_iv_antibodies_name_both_and_recognise_neither(text: str) -> None:
    """Words do not make a combination (only the combination's own word groups do): the IV
    brands written together are neither Phesgo nor one of the two, whatever the route."""
    for route in (None, IV):
        concept = _read(_order(text, route=route))
        assert (concept.drug, concept.matched_by, concept.also_named) == (None, "name", BOTH)


def test_iv_order_coded_with_both_ingredients_is_not_phesgo() -> None:
    concept = _read(_order(None, PERTUZUMAB_IN, TRASTUZUMAB_IN, route=IV))
    assert (concept.drug, concept.matched_by) == (None, "rxnorm-ingredient")


def test_iv_administration_of_a_medication_with_both_ingredients_is_not_phesgo() -> None:
    medication = {
        "resourceType": "Medication",
        "id": "hp",
        "code": {"text": "pertuzumab and trastuzumab"},
        "ingredient": [
            {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": PERTUZUMAB_IN}]}},
            {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": TRASTUZUMAB_IN}]}},
        ],
    }
    given = {
        "resourceType": "MedicationAdministration",
        "medicationReference": {"reference": "Medication/hp"},
        "dosage": {"route": IV},
    }
    assert _read(given, [medication]).drug is None
    del given["dosage"]
    assert _read(given, [medication]).drug == PHESGO


@pytest.mark.parametrize(
    "order",
    [
        _order("pertuzumab/trastuzumab SC"),
        _order("pertuzumab/trastuzumab", route=SC),
        _order("pertuzumab/trastuzumab"),
        _order("Phesgo"),
        _order("PHESGO 600 mg/600 mg", route=IV),  # the product named: a route error, still Phesgo
        _order("pertuzumab, trastuzumab, and hyaluronidase-zzxf", route=IV),
        _order(None, PERTUZUMAB_IN, TRASTUZUMAB_IN, route=SC),
        _order(None, PERTUZUMAB_IN, TRASTUZUMAB_IN),
        _order("pertuzumab/trastuzumab IV", route=SC),  # two routes stated: none is known
    ],
    ids=[
        "sc-in-words", "coded-sc-route", "no-route", "brand", "brand-with-iv-route",
        "hyaluronidase-with-iv-route", "ingredients-sc", "ingredients-no-route", "routes-disagree",
    ],
)  # fmt: skip
def test_still_phesgo(order) -> None:
    concept = _read(order)
    assert concept.drug == PHESGO
    assert concept.components == BOTH


def test_coded_trastuzumab_written_with_pertuzumab_iv_stays_trastuzumab() -> None:
    """The code decides, as for coded trastuzumab written "Kadcyla"; the pertuzumab the words
    also name stays visible."""
    concept = _read(_order("trastuzumab and pertuzumab IV", TRASTUZUMAB_IN))
    assert (concept.drug, concept.also_named) == ("trastuzumab", ("pertuzumab",))


def test_a_route_changes_nothing_for_drugs_without_a_label_route() -> None:
    assert _read(_order("trastuzumab", route=SC)).drug == "trastuzumab"
    assert _read(_order("doxorubicin + cyclophosphamide IV")).also_named == (
        "cyclophosphamide",
        "doxorubicin",
    )


NDC = "http://hl7.org/fhir/sid/ndc"


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (NDC, "50242-260-01"),
        (NDC, "50242-260-86"),
        (NDC, "50242026001"),  # 11-digit form
        ("urn:oid:2.16.840.1.113883.6.69", "50242-0260-01"),  # the NDC's OID (C-CDA)
        (NDC, "50242-260"),  # the product NDC
    ],
)
def test_a_phesgo_order_coded_by_its_ndc_is_phesgo(system: str, code: str) -> None:
    order: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": {"coding": [{"system": system, "code": code}]},
    }
    concept = _read(order)
    assert (concept.drug, concept.matched_by) == (PHESGO, "ndc")
    assert concept.code == f"{system}|{code}"
    order["dosageInstruction"] = [{"route": IV}]  # the product coded: a route error, still Phesgo
    assert _read(order).drug == PHESGO


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (NDC, "50242-245-01"),  # the 15 mL vial: not verified from a primary source, not listed
        (NDC, "5024226001"),  # 10 digits without hyphens: ambiguous, not matched
        (RXNORM, "50242-260-01"),  # an NDC under another system is not an NDC
    ],
)
def test_unlisted_or_ambiguous_ndcs_are_not_read(system: str, code: str) -> None:
    order = {
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": {"coding": [{"system": system, "code": code}]},
    }
    assert _read(order).drug is None


def _schema_errors(mutate: Any) -> list[str]:
    data = json.loads(json.dumps(load_table("medications")))
    mutate(next(d for d in data["drugs"] if d["id"] == PHESGO))
    schema = json.loads(
        resources.files("fhir_mappings").joinpath("schemas", "medications.schema.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(data)]


def test_the_schema_keeps_ndcs_hyphenated_and_rxcuis_numeric() -> None:
    assert _schema_errors(lambda row: None) == []
    assert _schema_errors(lambda row: row["codes"][1].update(code="50242026001"))
    assert _schema_errors(lambda row: row["codes"][1].update(tty="SCD"))
    assert _schema_errors(lambda row: row["codes"][1].update(system="rxnorm"))
    assert _schema_errors(lambda row: row["label_route"].update(route="intravenous"))
    assert _schema_errors(lambda row: row["label_route"].pop("source"))
