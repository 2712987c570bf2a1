"""A 60-year-old woman starting first-line therapy for HER2-positive metastatic breast cancer.
The order set was built twice: Phesgo (pertuzumab + trastuzumab SC) and IV trastuzumab are
both drafted, or Herceptin Hylecta with IV trastuzumab. Either way she would get trastuzumab
twice."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    actions,
    by_rule,
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    size,
    summaries,
    taking,
    woman,
)

RULE = "duplicate-her2-antibody"
PHESGO = "pertuzumab-trastuzumab-sc"


def first_line_patient() -> list:
    return [woman(60), her2_positive(), metastatic(30), echo(60, days=20), size()]


def deletes(card: dict) -> list[str]:
    return [a["resourceId"] for a in actions(card, "delete")]


def test_phesgo_with_iv_trastuzumab_is_double_trastuzumab():
    orders = [ordering(PHESGO, dose=1200), ordering("trastuzumab", dose=560)]
    cards = by_rule(safety_cards("order-select", first_line_patient(), orders=orders), RULE)
    assert summaries(cards) == [
        (
            RULE,
            "critical",
            "Phesgo and trastuzumab drafted together: both contain trastuzumab; keep one product",
        )
    ]
    [card] = cards
    assert deletes(card) == [
        f"MedicationRequest/draft-{PHESGO}",
        "MedicationRequest/draft-trastuzumab",
    ]
    assert [s["label"] for s in card["suggestions"]] == [
        "Remove the Phesgo order",
        "Remove the trastuzumab order",
    ]
    assert "Phesgo" in card["detail"] and "Data used" in card["detail"]
    # The source says what is in the product, not an LVEF table.
    assert card["source"]["label"].startswith("Phesgo US label")


def test_hylecta_with_iv_trastuzumab_is_double_trastuzumab_on_order_sign_too():
    orders = [
        ordering("trastuzumab-sc", dose=600),
        ordering("trastuzumab", dose=560),
        ordering("pertuzumab", dose=840),
    ]
    for hook in ("order-select", "order-sign"):
        cards = by_rule(safety_cards(hook, first_line_patient(), orders=orders), RULE)
        assert [(c["indicator"], c["summary"]) for c in cards] == [
            (
                "critical",
                "Trastuzumab SC (Herceptin Hylecta) and trastuzumab drafted together: both "
                "contain trastuzumab; keep one product",
            )
        ], hook


def test_phesgo_with_iv_pertuzumab_is_double_pertuzumab():
    orders = [ordering(PHESGO, dose=1200), ordering("pertuzumab", dose=840)]
    [card] = by_rule(safety_cards("order-select", first_line_patient(), orders=orders), RULE)
    assert card["indicator"] == "critical"
    assert "both contain pertuzumab" in card["summary"]


def test_phesgo_with_iv_trastuzumab_and_pertuzumab_names_both_antibodies():
    orders = [ordering(PHESGO), ordering("trastuzumab"), ordering("pertuzumab")]
    [card] = by_rule(safety_cards("order-select", first_line_patient(), orders=orders), RULE)
    assert card["summary"] == (
        "Phesgo, trastuzumab and pertuzumab drafted together: double trastuzumab and "
        "pertuzumab; keep one product"
    )
    assert len(deletes(card)) == 3


def test_phesgo_drafted_while_iv_trastuzumab_is_active_says_stop_one():
    patient = [
        *first_line_patient(),
        taking("trastuzumab", since=200),
        taking("pertuzumab", since=200),
    ]
    [card] = by_rule(
        safety_cards("order-select", patient, orders=[ordering(PHESGO, dose=600)]), RULE
    )
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "Phesgo drafted while trastuzumab and pertuzumab are active: double trastuzumab and "
        "pertuzumab; stop one"
    )
    # Only the draft can be removed here; the active orders are named in the detail.
    assert deletes(card) == [f"MedicationRequest/draft-{PHESGO}"]
    assert "If this is a switch to Phesgo" in card["detail"]


@pytest.mark.parametrize(
    "orders",
    [
        [ordering("trastuzumab", dose=560), ordering("pertuzumab", dose=840)],  # THP
        [ordering(PHESGO, dose=1200)],
        [ordering("trastuzumab-sc", dose=600), ordering("pertuzumab", dose=840)],
        # loading and maintenance written as two orders of the same product
        [ordering("trastuzumab", dose=560), ordering("trastuzumab", dose=420, order_id="d2")],
    ],
    ids=["thp", "phesgo-alone", "hylecta-with-pertuzumab", "same-product-twice"],
)
def test_one_product_per_antibody_is_not_a_duplicate(orders):
    assert by_rule(safety_cards("order-select", first_line_patient(), orders=orders), RULE) == []


def test_continuing_the_same_product_is_not_a_duplicate():
    patient = [*first_line_patient(), taking(PHESGO, since=200)]
    cards = safety_cards("order-select", patient, orders=[ordering(PHESGO, dose=600)])
    assert by_rule(cards, RULE) == []


def test_phesgo_after_iv_trastuzumab_ended_is_not_a_duplicate():
    patient = [*first_line_patient(), taking("trastuzumab", since=300, ended=40)]
    cards = safety_cards("order-select", patient, orders=[ordering(PHESGO, dose=1200)])
    assert by_rule(cards, RULE) == []
