"""`drafts_name_a_drug` and `records_name_a_drug`: the screen before the facts. It may say a
drug is named when the rules would find none, never the other way round."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import drafts_name_a_drug, read_draft_orders, records_name_a_drug

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
TRASTUZUMAB = {"coding": [{"system": RXNORM, "code": "224905"}]}
ACETAMINOPHEN = {"coding": [{"system": RXNORM, "code": "161"}], "text": "acetaminophen"}


def _request(concept: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "mr-1",
        "status": "active",
        "intent": "order",
        **extra,
    }
    if concept is not None:
        resource["medicationCodeableConcept"] = concept
    return resource


def _drafts(*resources: dict[str, Any]) -> Any:
    bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    refs = [f"MedicationRequest/{r['id']}" for r in resources]
    return read_draft_orders(bundle, refs, hook="order-select")


def test_an_unknown_drug_drafted_with_no_record_names_none() -> None:
    assert not drafts_name_a_drug(_drafts(_request(ACETAMINOPHEN)))


def test_a_known_drug_drafted_by_code_or_by_words() -> None:
    assert drafts_name_a_drug(_drafts(_request(TRASTUZUMAB)))
    assert drafts_name_a_drug(_drafts(_request({"text": "Herceptin 440 mg vial"})))


def test_words_naming_two_drugs_count_though_neither_is_the_order_drug() -> None:
    assert drafts_name_a_drug(_drafts(_request({"text": "trastuzumab or Kadcyla"})))


@pytest.mark.parametrize("status", ["active", "stopped", "entered-in-error", "cancelled"])
def test_a_medication_record_counts_whatever_its_status(status: str) -> None:
    record = _request(TRASTUZUMAB, status=status)
    assert records_name_a_drug([record])


def test_a_reference_is_counted_without_being_followed() -> None:
    record = _request(medicationReference={"reference": "Medication/unknown"})
    assert records_name_a_drug([record])
    medication = {
        "resourceType": "Medication",
        "id": "m-1",
        "code": ACETAMINOPHEN,
        "ingredient": [{"itemReference": {"reference": "Substance/s-1"}}],
    }
    assert records_name_a_drug([medication])


def test_records_in_bundles_and_bundle_entries_are_read() -> None:
    administration = {
        "resourceType": "MedicationAdministration",
        "id": "ma-1",
        "status": "completed",
        "medicationCodeableConcept": TRASTUZUMAB,
    }
    inner = {"resourceType": "Bundle", "entry": [{"resource": administration}]}
    outer = {"resourceType": "Bundle", "entry": [{"resource": inner}]}
    assert records_name_a_drug([outer])
    assert records_name_a_drug([{"fullUrl": "urn:uuid:1", "resource": administration}])


def test_other_resources_and_what_is_not_an_object_name_nothing() -> None:
    condition = {"resourceType": "Condition", "id": "c-1", "code": {"text": "trastuzumab"}}
    assert not records_name_a_drug([condition, ["a list"], "text", None, _request(ACETAMINOPHEN)])


def test_bundles_nested_deeper_than_the_screen_reads_count_unread() -> None:
    """The facts read two levels of Bundles; the screen reads eight, and counts a Bundle
    deeper than that as naming a drug (it is not read, so it cannot be ruled out)."""
    node: dict[str, Any] = {"resourceType": "Bundle", "entry": []}
    for _ in range(20):
        node = {"resourceType": "Bundle", "entry": [{"resource": node}]}
    assert records_name_a_drug([node])
    shallow = {"resourceType": "Bundle", "entry": [{"resource": _request(ACETAMINOPHEN)}]}
    assert not records_name_a_drug([shallow])


@pytest.mark.parametrize("odd", [["MedicationAdministration"], {"a": 1}, "", 0, None])
def test_a_resource_type_that_is_not_a_name_unpacks_its_entry(odd: object) -> None:
    """As the facts do: an object whose resourceType is not a non-empty string is a Bundle
    entry handed over on its own; an unhashable one no longer raises (it did: HTTP 500)."""
    wrapped = {"resourceType": odd, "resource": _request(TRASTUZUMAB)}
    assert records_name_a_drug([wrapped])
    assert not records_name_a_drug([{"resourceType": odd, "id": "x"}])
