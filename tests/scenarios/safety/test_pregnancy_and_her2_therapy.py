"""Embryo-fetal toxicity: a 34-year-old woman about to start trastuzumab and pertuzumab;
the same order for a pregnant woman, a man, and a 62-year-old woman."""

from __future__ import annotations

import pytest

from cards.sources import resolve
from tests.scenarios.safety.builders import (
    actions,
    echo,
    gap,
    hcg,
    her2_positive,
    man,
    metastatic,
    ordering,
    pregnancy,
    safety_cards,
    woman,
)

ORDERS = [ordering("trastuzumab"), ordering("pertuzumab")]


def patient(*extra) -> list:
    return [her2_positive(), metastatic(60), echo(62, days=14), *extra]


def c5(cards):
    return [c for c in cards if c["source"]["topic"]["code"] == "C5"]


def test_woman_of_reproductive_age_without_a_pregnancy_test_is_asked_for_hcg():
    [card] = c5(safety_cards("order-select", patient(woman(34)), orders=ORDERS))
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Verify pregnancy status before trastuzumab and pertuzumab: no pregnancy status on file"
    )
    codes = [a["resource"]["code"]["coding"][0]["code"] for a in actions(card, "create")]
    assert codes == ["2118-8", "2106-3"]
    assert "for 7 months after the last dose" in card["detail"]


@pytest.mark.parametrize(("days", "expected"), [(10, None), (45, "warning")])
def test_negative_hcg_within_30_days_verifies_status(days, expected):
    cards = c5(
        safety_cards(
            "order-sign", patient(woman(34), hcg(positive=False, days=days)), orders=ORDERS
        )
    )
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])


def test_positive_hcg_is_critical():
    cards = c5(
        safety_cards("order-select", patient(woman(31), hcg(positive=True, days=3)), orders=ORDERS)
    )
    assert [(c["indicator"], c["summary"]) for c in cards] == [
        (
            "critical",
            "Pregnancy on file (2026-11-18): trastuzumab and pertuzumab can cause embryo-fetal "
            "harm (boxed warning)",
        )
    ]
    assert [a["resourceId"] for a in actions(cards[0], "delete")] == [
        "MedicationRequest/draft-trastuzumab",
        "MedicationRequest/draft-pertuzumab",
    ]


def test_active_pregnancy_condition_with_tdxd_on_order_sign():
    cards = c5(
        safety_cards(
            "order-sign",
            patient(woman(29), pregnancy(days=70)),
            orders=[ordering("fam-trastuzumab-deruxtecan")],
        )
    )
    assert [c["indicator"] for c in cards] == ["critical"]
    assert "T-DXd (fam-trastuzumab deruxtecan): effective contraception" in cards[0]["detail"]


@pytest.mark.parametrize("person", [man(45), woman(62)], ids=["man", "woman-62"])
def test_no_pregnancy_card_outside_the_reproductive_window(person):
    assert c5(safety_cards("order-select", patient(person), orders=ORDERS)) == []


def test_pregnancy_data_that_could_not_be_retrieved_is_said():
    cards = c5(
        safety_cards(
            "order-select",
            patient(woman(34)),
            orders=ORDERS,
            gaps=[gap("pregnancy", "Pregnancy observations and conditions")],
        )
    )
    assert [c["indicator"] for c in cards] == ["warning"]
    assert cards[0]["summary"].startswith("Pregnancy status could not be retrieved from the EHR")


@pytest.mark.parametrize(
    ("drug", "source"),
    [
        ("ado-trastuzumab-emtansine", "kadcyla-label"),
        ("fam-trastuzumab-deruxtecan", "enhertu-label"),
        ("trastuzumab", "herceptin-label"),
    ],
)
def test_pregnancy_card_leads_with_the_ordered_drugs_label(drug, source):
    cards = c5(
        safety_cards(
            "order-select", patient(woman(31), hcg(positive=True, days=3)), orders=[ordering(drug)]
        )
    )
    [card] = cards
    assert card["source"]["url"] == resolve(source).url
