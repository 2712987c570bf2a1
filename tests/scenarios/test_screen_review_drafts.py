"""The screen review (`screen_review.py`): draft orders that name a drug in odd ways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import draft
from tests.scenarios.screen_review import (
    INGREDIENT_UUID,
    MED_UUID,
    ORDER_HOOKS,
    TRASTUZUMAB_IN,
    TRASTUZUMAB_SCD,
    TRASTUZUMAB_SNOMED,
    acetaminophen,
    both_ways,
    c2_shown,
    lvef_drop_on_trastuzumab,
    medication_resource,
    rx,
    trastuzumab_draft,
)

# --- draft orders naming trastuzumab in odd ways: the card must survive the screen ------------


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_plain_trastuzumab_draft_keeps_the_withhold_card(hook: str) -> None:
    """Control: the plainly coded draft brings C2 both ways."""
    order = draft("trastuzumab", 420)
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order)))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_contained_medication(hook: str) -> None:
    """The draft's medicationReference '#med' points to a contained Medication coded RxNorm."""
    order = trastuzumab_draft(
        contained=[medication_resource("med", rx(TRASTUZUMAB_IN))],
        medicationReference={"reference": "#med"},
    )
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order)))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_medication_in_the_draft_bundle_by_urn_uuid(hook: str) -> None:
    """The Medication travels in draftOrders itself, reached by its urn:uuid fullUrl."""
    order = trastuzumab_draft(medicationReference={"reference": MED_UUID})
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": order},
            {"fullUrl": MED_UUID, "resource": medication_resource("m1", rx(TRASTUZUMAB_IN))},
        ],
    }
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), bundle))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_medication_in_prefetch_by_versioned_absolute_url(hook: str) -> None:
    """The Medication is only in the prefetched record; the draft points to it with an
    absolute, versioned URL (https://ehr/fhir/Medication/m7/_history/3)."""
    reference = "https://ehr.example.org/fhir/Medication/m7/_history/3"
    order = trastuzumab_draft(medicationReference={"reference": reference})
    resources = [*lvef_drop_on_trastuzumab(), medication_resource("m7", rx(TRASTUZUMAB_IN))]
    c2_shown(both_ways(hook, resources, fb.draft_bundle(order)))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_medication_named_by_its_ingredient_only(hook: str) -> None:
    """A compounded product: the Medication's own code is a local pharmacy code, its
    ingredient's itemCodeableConcept is RxNorm trastuzumab."""
    medication = medication_resource(
        "med",
        rx("HOSP-4471", system="urn:oid:1.2.3.4.5", display="TZB 420 IN NS 250"),
        ingredient=[{"itemCodeableConcept": rx(TRASTUZUMAB_IN)}],
    )
    order = trastuzumab_draft(contained=[medication], medicationReference={"reference": "#med"})
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order)))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_ingredient_item_reference_to_another_medication(hook: str) -> None:
    """The ingredient is an itemReference to a second Medication (in draftOrders) that alone
    carries the RxNorm code: two references to follow."""
    product = medication_resource(
        "prod",
        {"text": "infusion bag"},
        ingredient=[{"itemReference": {"reference": INGREDIENT_UUID}}],
    )
    order = trastuzumab_draft(medicationReference={"reference": MED_UUID})
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": order},
            {"fullUrl": MED_UUID, "resource": product},
            {
                "fullUrl": INGREDIENT_UUID,
                "resource": medication_resource("ing", rx(TRASTUZUMAB_IN)),
            },
        ],
    }
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), bundle))


@pytest.mark.parametrize(
    ("label", "concept"),
    [
        ("brand only, in capitals", {"text": "HERCEPTIN 150 MG VIAL"}),
        ("biosimilar brand", {"text": "Kanjinti 420 mg IV"}),
        ("RxNorm SCD code, no text", rx(TRASTUZUMAB_SCD)),
        ("SNOMED substance, no text", rx(TRASTUZUMAB_SNOMED, system=fb.SNOMED)),
        (
            "RxNorm system URL in other case",
            rx(TRASTUZUMAB_IN, system="HTTP://WWW.NLM.NIH.GOV/research/umls/RxNorm"),
        ),
        (
            "RxNorm by its OID (C-CDA conversions), no text",
            rx(TRASTUZUMAB_IN, system="urn:oid:2.16.840.1.113883.6.88"),
        ),
        (
            "RxNorm as https with a trailing slash, no text",
            rx(TRASTUZUMAB_IN, system="https://www.nlm.nih.gov/research/umls/rxnorm/"),
        ),
        (
            "NDC code with the generic name in text",
            {
                "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "50242-0132-01"}],
                "text": "trastuzumab 150 mg vial",
            },
        ),
    ],
)
@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_odd_namings_of_trastuzumab(hook: str, label: str, concept: dict[str, Any]) -> None:
    """Brand names, product codes, SNOMED, an upper-case system URL, an NDC beside the name:
    each is recognised, the screen lets the call through and C2 is shown."""
    order = trastuzumab_draft(medicationCodeableConcept=concept)
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order)))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_epic_display_only_reference(hook: str) -> None:
    """Epic's shape: a medicationReference to a Medication the call does not carry, with the
    name only in its display."""
    order = trastuzumab_draft(
        medicationReference={
            "reference": "Medication/eOb1xyz",
            "display": "trastuzumab (HERCEPTIN) 420 mg in sodium chloride 0.9 % 250 mL IVPB",
        }
    )
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order)))


@pytest.mark.parametrize(
    ("label", "naming"),
    [
        (
            "empty concept beside a reference",
            {
                "medicationCodeableConcept": {},
                "medicationReference": {"reference": "#med"},
                "contained": [medication_resource("med", rx(TRASTUZUMAB_IN))],
            },
        ),
        ("concept as a list", {"medicationCodeableConcept": [rx(TRASTUZUMAB_IN)]}),
        (
            "coding as an object",
            {"medicationCodeableConcept": {"coding": {"system": fb.RXNORM, "code": "224905"}}},
        ),
        ("biosimilar suffix", {"medicationCodeableConcept": {"text": "trastuzumab-dkst 420 mg"}}),
        ("no-break space", {"medicationCodeableConcept": {"text": "Trastuzumab\u00a0420\u00a0mg"}}),
    ],
)
@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_odd_json_shapes_of_the_draft(hook: str, label: str, naming: dict[str, Any]) -> None:
    """Sloppy clients: an empty concept beside a reference, a concept sent as a list, a
    coding as an object, a biosimilar's suffixed name, a no-break space: C2 is shown."""
    order = trastuzumab_draft(**naming)
    c2_shown(both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order)))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_medication_alone_in_the_draft_bundle(hook: str) -> None:
    """draftOrders holding only a Medication (trastuzumab), no order: the draft reader
    makes it a draft naming trastuzumab, so the screen lets the call through; same cards."""
    bundle = fb.draft_bundle(medication_resource("m1", rx(TRASTUZUMAB_IN)))
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), bundle, ["Medication/m1"])
    assert not answers.no_known_drug


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_record_sent_as_one_searchset_bundle(hook: str) -> None:
    """The whole record as one searchset Bundle (fullUrls, search modes), the draft coded
    by RxNorm: C2 is shown."""
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{i:012d}", "resource": r}
            for i, r in enumerate(lvef_drop_on_trastuzumab())
        ],
    }
    c2_shown(both_ways(hook, [bundle], fb.draft_bundle(draft("trastuzumab", 420))))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_two_iv_drugs_in_one_text(hook: str) -> None:
    """An order-set line 'trastuzumab and pertuzumab IV' (both IV drugs in one text): read
    by name as the subcutaneous combination (Phesgo) by both paths; same cards."""
    order = trastuzumab_draft(medicationCodeableConcept={"text": "trastuzumab and pertuzumab IV"})
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order))
    assert not answers.no_known_drug


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_draft_entry_without_resource_type(hook: str) -> None:
    """A draftOrders entry whose resource lacks resourceType still names trastuzumab by its
    medicationCodeableConcept: the screen reads it as the rules do (same cards)."""
    order = draft("trastuzumab", 420)
    order.pop("resourceType")
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order), sel=[])
    assert not answers.no_known_drug


# --- drafts that name a drug the table cannot identify: the same answer both ways -------------


@pytest.mark.parametrize(
    ("label", "concept"),
    [
        ("misspelt", {"text": "trastuzamab 420 mg IV"}),
        ("NDC code only", rx("50242-0132-01", system="http://hl7.org/fhir/sid/ndc")),
        ("local code only", rx("HOSP-4471", system="urn:oid:1.2.3.4.5")),
        ("RxNorm code as a JSON number", {"coding": [{"system": fb.RXNORM, "code": 224905}]}),
        (
            "full-width letters",
            {"text": "\uff54\uff52\uff41\uff53\uff54\uff55\uff5a\uff55\uff4d\uff41\uff42"},
        ),
    ],
)
@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_unrecognised_trastuzumab_is_missed_both_ways(
    hook: str, label: str, concept: dict[str, Any]
) -> None:
    """A draft the drug table cannot read (a misspelling, an NDC or a local code alone, a
    numeric code) is no known drug for the rules either: the screen
    loses nothing the full pipeline had. (Today neither answer has a card: a recognition gap
    of the drug table, shared by both paths, not a screen false negative.)"""
    order = trastuzumab_draft(medicationCodeableConcept=concept)
    both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order))


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_text_naming_two_drugs(hook: str) -> None:
    """'trastuzumab or doxorubicin' names two drugs: recognised as neither, but the screen
    counts it as naming a drug (the call goes through) and answers as the full pipeline."""
    order = trastuzumab_draft(medicationCodeableConcept={"text": "trastuzumab or doxorubicin"})
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order))
    assert not answers.no_known_drug


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_service_request_for_an_infusion(hook: str) -> None:
    """A ServiceRequest 'trastuzumab infusion' is not a medication order: no drug named
    either way (the screen answers as the full pipeline)."""
    request = {
        "resourceType": "ServiceRequest",
        "id": "sr1",
        "status": "draft",
        "intent": "order",
        "code": {"text": "trastuzumab infusion, chair time 90 min"},
        "subject": {"reference": f"Patient/{fb.PATIENT_ID}"},
    }
    bundle = fb.draft_bundle(request)
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), bundle, ["ServiceRequest/sr1"])
    assert answers.full == []


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_do_not_perform_draft(hook: str) -> None:
    """A MedicationRequest with doNotPerform naming trastuzumab: the screen lets it through
    (any named drug counts), so whatever the rules say is said both ways."""
    order = draft("trastuzumab", 420)
    order["doNotPerform"] = True
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(order))
    assert not answers.no_known_drug


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_draft_nested_in_an_inner_bundle(hook: str) -> None:
    """draftOrders whose entry is itself a Bundle holding the trastuzumab draft: the draft
    reader does not unpack it, so neither answer sees the drug (a reading gap shared by both,
    not a screen false negative)."""
    inner = fb.draft_bundle(draft("trastuzumab", 420))
    inner["id"] = "inner"
    answers = both_ways(hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(inner))
    assert answers.full == []


@pytest.mark.parametrize("hook", ORDER_HOOKS)
def test_known_drug_drafted_but_not_selected(hook: str) -> None:
    """order-select with the trastuzumab draft pending but only acetaminophen selected: the
    screen counts every draft, selected or not."""
    pending, chosen = draft("trastuzumab", 420), acetaminophen()
    answers = both_ways(
        hook, lvef_drop_on_trastuzumab(), fb.draft_bundle(pending, chosen), fb.selections(chosen)
    )
    assert not answers.no_known_drug
