"""The screen review (`screen_review.py`): medication records in odd shapes, rules that might
speak with no drug named, and the service end to end."""

from __future__ import annotations

from typing import Any

import pytest

from cards import DataGap
from fhir_mappings import build_patient_facts, records_name_a_drug
from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import NOW, ago, given, her2_positive_mbc
from tests.scenarios.screen_review import (
    ORDER_HOOKS,
    TRASTUZUMAB_IN,
    acetaminophen,
    bad_record_known_drugs,
    both_ways,
    medication_resource,
    rx,
    screened_answer,
)
from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request

# --- records: what the screen reads of the patient's medication history -----------------------


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_alarming_record_with_an_unknown_draft(hook: str) -> None:
    """The screen's safety rests on this: with the drafts naming no known drug, no order-hook
    rule speaks, even for a record that alarms on patient-view (pregnancy, LVEF 35 %, heart
    failure, ILD on T-DXd, doxorubicin past 450 mg/m²)."""
    resources = bad_record_known_drugs()
    answers = both_ways(hook, resources, fb.draft_bundle(acetaminophen()))
    assert answers.full == []
    view = screened_answer("patient-view", resources, None, [])
    assert {"C2", "C5"} <= {card["source"]["topic"]["code"] for card in view.cards}


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_no_draft_at_all(hook: str) -> None:
    """draftOrders absent (None) or an empty Bundle: answered before the facts, no cards."""
    for bundle in (None, {"resourceType": "Bundle", "entry": []}):
        answers = both_ways(hook, [fb.patient()], bundle, [])
        assert answers.no_known_drug
        assert answers.full == []


@pytest.mark.parametrize(
    ("label", "wrap"),
    [
        ("cqf-ruler entry on its own", lambda r: {"fullUrl": "urn:uuid:x", "resource": r}),
        (
            "bundle three deep",
            lambda r: _bundle_of(_bundle_of(_bundle_of(r))),
        ),
        ("bundle entry with extra keys", lambda r: _bundle_of(r) | {"type": "collection"}),
    ],
)
def test_records_in_odd_shapes_are_seen(label: str, wrap: Any) -> None:
    """A trastuzumab administration in a Bundle entry handed over alone, or in Bundles nested
    deeper than the facts read: the screen sees it (it errs towards "a drug is named")."""
    record = given("trastuzumab", 21, dose=420)
    assert records_name_a_drug([wrap(record)])


def test_record_naming_its_drug_by_reference_only() -> None:
    """A record whose medicationReference points to a contained Medication, and a bare
    Medication whose ingredient is an itemReference: counted without being followed."""
    record = given("trastuzumab", 21, dose=420)
    record.pop("medicationCodeableConcept")
    record["medicationReference"] = {"reference": "#m"}
    record["contained"] = [medication_resource("m", rx(TRASTUZUMAB_IN))]
    assert records_name_a_drug([record])
    medication = medication_resource(
        "m", {}, ingredient=[{"itemReference": {"reference": "Medication/x"}}]
    )
    assert records_name_a_drug([medication])


def test_dispense_only_record_is_counted() -> None:
    """A MedicationDispense of trastuzumab (the facts do not read dispenses) still counts."""
    dispense = given("trastuzumab", 21)
    dispense["resourceType"] = "MedicationDispense"
    assert records_name_a_drug([dispense])


def _bundle_of(resource: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "entry": [{"resource": resource}]}


def _wrapped_with_bad_type(record: dict[str, Any], bad: Any) -> dict[str, Any]:
    """An entry handed over alone whose resourceType is present but not a usable string: the
    ResourceSet then unpacks its `resource` (as for a missing resourceType)."""
    return {"resourceType": bad, "fullUrl": "urn:uuid:y", "resource": record}


@pytest.mark.parametrize("bad", ["", 0])
@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_record_under_a_blank_resource_type_loses_no_card(hook: str, bad: Any) -> None:
    """The record's trastuzumab administrations arrive wrapped under a resourceType that is
    empty or not a string: the facts read them, and so does the screen (found by this review:
    it once unpacked only an absent resourceType)."""
    records = [_wrapped_with_bad_type(r, bad) for r in bad_record_known_drugs()]
    answers = both_ways(hook, records, fb.draft_bundle(acetaminophen()))
    assert answers.full == []


@pytest.mark.parametrize("bad", ["", 0])
def test_screen_sees_every_record_the_facts_read(bad: Any) -> None:
    """Contract of drug_screen: whenever the facts hold a drug record, the screen says a drug
    is named. Probed with a trastuzumab administration under resourceType '' or 0."""
    resources = [_wrapped_with_bad_type(given("trastuzumab", 21, dose=420), bad)]
    facts = build_patient_facts(resources, now=NOW)
    assert facts.therapy.of_drug("trastuzumab") is not None
    assert records_name_a_drug(resources)


@pytest.mark.parametrize("bad", [["MedicationAdministration"], {"value": "Bundle"}])
def test_screen_survives_an_unhashable_resource_type(bad: Any) -> None:
    """A prefetched record whose resourceType is an array or an object (prefetch entries are
    not validated one by one): the screen must answer, as the full pipeline does (it once
    raised TypeError here: HTTP 500)."""
    resources = [fb.patient(), {"resourceType": bad, "id": "odd"}]
    build_patient_facts(resources, now=NOW)  # the facts skip it and note it
    assert not records_name_a_drug(resources)


def test_service_answers_a_prefetch_entry_with_an_array_resource_type(client: Any) -> None:
    """Through the service: an acetaminophen order-select whose medicationAdministrations
    searchset holds one entry with `"resourceType": ["MedicationAdministration"]`."""
    prefetch = full_prefetch()
    odd = {"resourceType": ["MedicationAdministration"], "id": "odd"}
    prefetch["medicationAdministrations"]["entry"] = [{"resource": odd}]
    response = client.post(
        f"/cds-services/{SERVICE_IDS['order-select']}",
        json=hook_request("order-select", prefetch=prefetch),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"cards": []}


# --- rules that might speak with no drug named at all -----------------------------------------


def _her2_low_mbc_after_chemotherapy() -> list[dict[str, Any]]:
    resources = [
        fb.patient(),
        fb.breast_cancer(onset=ago(900)),
        fb.her2_ihc("1+", when=ago(895)),
        fb.metastatic_breast_cancer(onset=ago(200)),
        fb.lvef(62, when=ago(20)),
        *fb_body(),
    ]
    return resources


def fb_body() -> list[dict[str, Any]]:
    return [fb.weight(70, when=ago(3)), fb.height(165, when=ago(3))]


@pytest.mark.parametrize(
    ("label", "resources"),
    [
        ("HER2-low MBC, T-DXd never given (C12-her2-low)", _her2_low_mbc_after_chemotherapy()),
        ("HER2+ MBC, line undecidable (C12-line-undetermined)", her2_positive_mbc()),
        (
            "woman of 30, HER2+ MBC, no pregnancy test (C5)",
            [*her2_positive_mbc()[1:], fb.patient(birth_date="1996-03-01")],
        ),
        (
            "future-dated LVEF 30 % (set-aside-records)",
            [*her2_positive_mbc(), fb.lvef(30, when=ago(-3))],
        ),
        (
            "abnormal liver tests and low platelets (organ-function)",
            [
                *her2_positive_mbc(),
                fb.observation("1742-6", when=ago(2), value=fb.quantity(400, "U/L")),
                fb.observation("777-3", when=ago(2), value=fb.quantity(40, "10*3/uL")),
            ],
        ),
    ],
)
@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_rules_that_might_speak_without_a_drug(
    hook: str, label: str, resources: list[dict[str, Any]]
) -> None:
    """Patients whose record would interest a rule, no drug anywhere, acetaminophen drafted:
    the screen answers before the facts and the full pipeline has nothing to say either."""
    answers = both_ways(hook, resources, fb.draft_bundle(acetaminophen()))
    assert answers.no_known_drug
    assert answers.full == []


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_data_gaps_without_a_drug(hook: str) -> None:
    """The medication and LVEF searches failed (data gaps) and acetaminophen is drafted: no
    rule reports the gaps without a drug, so the screen loses nothing."""
    gaps = tuple(
        DataGap(key, key, "the FHIR server did not answer")
        for key in ("medicationRequests", "medicationAdministrations", "lvef", "pregnancy")
    )
    answers = both_ways(hook, her2_positive_mbc(), fb.draft_bundle(acetaminophen()), gaps=gaps)
    assert answers.no_known_drug
    assert answers.full == []


def test_patient_view_is_never_screened() -> None:
    """C12-summary needs no drug on patient-view, so that hook always builds the facts."""
    evaluation = screened_answer("patient-view", her2_positive_mbc(), None, [])
    assert not evaluation.no_known_drug
