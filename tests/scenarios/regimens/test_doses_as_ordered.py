"""Oral doses drafted as a count of tablets: read in mg with the product strength when the
record can give it (a Medication's ingredient strength, or a product code with its strength),
otherwise the card says the dose could not be read, and never takes the count for mg.
70 kg, 165 cm, BSA 1.79 m²."""

from __future__ import annotations

from typing import Any

from tests.scenarios.regimens.builders import (
    card_of,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    order_sign,
    regimen_cards,
)

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _later_line() -> list[dict[str, Any]]:
    return [
        *her2_positive_mbc(metastatic_days=800),
        *cycles("trastuzumab", 790, 769, 748, 500, dose=420),
        *cycles("pertuzumab", 790, 769, 748, 500, dose=420),
        *cycles("docetaxel", 790, 769, 748, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", 480, 459, 438, 120, dose=378),
    ]


def _in_tablets(order: dict[str, Any], count: float, unit: str = "{tbl}") -> dict[str, Any]:
    quantity = order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    quantity.update({"value": count, "unit": unit, "code": unit})
    quantity.pop("system", None)
    return order


def _with_medication(order: dict[str, Any], strength_mg: float) -> dict[str, Any]:
    """The draft names a contained Medication with its strength per tablet."""
    concept = order.pop("medicationCodeableConcept")
    order["contained"] = [
        {
            "resourceType": "Medication",
            "id": "med",
            "code": concept,
            "ingredient": [
                {
                    "itemCodeableConcept": concept,
                    "strength": {
                        "numerator": {"value": strength_mg, "unit": "mg", "code": "mg"},
                        "denominator": {"value": 1, "unit": "tablet", "code": "{tbl}"},
                    },
                }
            ],
        }
    ]
    order["medicationReference"] = {"reference": "#med"}
    return order


def _coded(order: dict[str, Any], code: str) -> dict[str, Any]:
    order["medicationCodeableConcept"]["coding"] = [{"system": RXNORM, "code": code}]
    return order


def test_tablets_with_a_contained_medication_strength_are_read_in_mg():
    # 4 x 500 mg = 2000 mg twice daily with tucatinib: 12 % above 1800 mg, the dose with
    # tucatinib, so it is checked as mg and the card shows both
    capecitabine = _with_medication(_in_tablets(draft("capecitabine", 1, per_day=2), 4), 500)
    cards = order_select(
        _later_line(),
        draft("tucatinib", 300, per_day=2),
        draft("trastuzumab", 560),
        capecitabine,
    )
    card = card_of(cards, "dose-check")
    assert card["summary"].startswith("Capecitabine 2000 mg (4 tablets) (1117 mg/m²) is 12 % above")
    assert "not readable" not in card["summary"]


def test_tablets_with_a_product_code_strength_are_read_in_mg():
    # lapatinib 250 mg tablets (RxNorm SCD in the medication table): 5 tablets = 1250 mg, the
    # dose with capecitabine, so no dose card
    lapatinib = _coded(_in_tablets(draft("lapatinib", 1, every=1), 5), "672149")
    cards = order_select(_later_line(), lapatinib, draft("capecitabine", 1790, per_day=2))
    assert [c for c in regimen_cards(cards) if "apatinib" in c["summary"]] == []


def test_a_tablet_count_without_a_strength_is_not_taken_for_mg():
    # capecitabine coded by ingredient only: the tablet strength is unknown
    capecitabine = _in_tablets(draft("capecitabine", 1, per_day=2), 3)
    cards = order_select(_later_line(), draft("tucatinib", 300, per_day=2), capecitabine)
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "info"
    assert (
        card["summary"] == "Capecitabine dose not checked: drafted as 3 tablets, not readable as mg"
    )
    assert "capecitabine 1800 mg (1000 mg/m²) twice daily" in card["detail"]
    assert "suggestions" not in card or card["suggestions"] == []


def test_the_sandbox_pill_draft_of_trastuzumab_is_not_read_as_1_mg():
    # the CDS Hooks sandbox drafts "1 {pill} daily": never "Drafted: trastuzumab 1, every 1 days"
    trastuzumab = _in_tablets(draft("trastuzumab", 1, every=1), 1, "{pill}")
    cards = order_sign(her2_positive_mbc(), trastuzumab)
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "warning"
    assert (
        card["summary"] == "Trastuzumab dose not checked: drafted as 1 tablet, not readable as mg"
    )
    assert "trastuzumab 1," not in card["detail"]
    assert "560 mg (8 mg/kg) loading" in card["detail"]


def test_a_unit_the_service_does_not_read_is_named_not_echoed():
    pertuzumab = _in_tablets(draft("pertuzumab", 1), 2, "<b>vials</b>")
    cards = order_select(her2_positive_mbc(), draft("trastuzumab", 560), pertuzumab)
    card = card_of(cards, "dose-check")
    assert card["summary"].startswith("Pertuzumab dose not checked: drafted as 2 (unit not read)")
    assert "<b>" not in card["summary"]


def test_an_oral_dose_is_rounded_to_the_tablets_and_says_so():
    # 750 mg/m² x 1.79 m² = 1343 mg: dispensed as 2 x 500 mg + 2 x 150 mg = 1300 mg (the
    # smaller tablet fewer times than makes one larger, as the Xeloda dose tables do)
    cards = order_select(
        _later_line(), draft("neratinib", 240, every=1), draft("capecitabine", 1790, per_day=2)
    )
    card = card_of(cards, "dose-check")
    assert "1300 mg (750 mg/m²), the dose with neratinib" in card["summary"]
    assert (
        "750 mg/m² × 1.79 m² = 1343 mg, rounded to 1300 mg (2 × 500 mg + 2 × 150 mg tablets)"
        in card["detail"]
    )
    assert [s["label"] for s in card["suggestions"]] == [
        "Replace with capecitabine 1300 mg twice daily"
    ]
