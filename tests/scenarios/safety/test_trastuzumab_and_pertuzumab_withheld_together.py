"""Trastuzumab and pertuzumab are withheld (and stopped) together.

The Perjeta label: "Discontinue pertuzumab if trastuzumab is discontinued", and its LVEF
table withholds both pertuzumab and trastuzumab (reference §2.1, §3.2). So whichever of the
two label tables is met, one card names both and offers to remove both drafts.

A 60-year-old woman with HER2-positive metastatic breast cancer on THP maintenance, or
about to start THP."""

from __future__ import annotations

from cards.sources import resolve
from tests.scenarios.safety.builders import (
    actions,
    by_rule,
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)

NEXT_CYCLE = [ordering("trastuzumab", dose=420), ordering("pertuzumab", dose=420)]
START_THP = [
    ordering("trastuzumab", dose=560),
    ordering("pertuzumab", dose=840),
    ordering("docetaxel", dose=135),
]


def on_thp(baseline: float, latest: float, *, with_pertuzumab: bool = True) -> list:
    return [
        woman(60),
        her2_positive(500),
        metastatic(210),
        echo(baseline, days=205),
        taking("trastuzumab", since=200),
        *([taking("pertuzumab", since=200)] if with_pertuzumab else []),
        echo(latest, days=5),
    ]


def starting(latest: float) -> list:
    return [woman(60), her2_positive(900), metastatic(30), echo(latest, days=10)]


def deletes(card: dict) -> list[str]:
    return [a["resourceId"] for a in actions(card, "delete")]


def test_trastuzumab_withhold_carries_pertuzumab():
    # 60 -> 47: below the LLN with a 13-point fall meets the trastuzumab table; the
    # metastatic pertuzumab table alone would continue (47 % > 45 %).
    cards = by_rule(safety_cards("order-select", on_thp(60, 47), orders=NEXT_CYCLE), "C2")
    assert summaries(cards) == [
        (
            "C2",
            "critical",
            "Withhold trastuzumab and pertuzumab: LVEF 47 % on 2026-11-16, 13 points below "
            "baseline 60 % (2026-04-30)",
        )
    ]
    [card] = cards
    assert deletes(card) == [
        "MedicationRequest/draft-trastuzumab",
        "MedicationRequest/draft-pertuzumab",
    ]
    assert "discontinue pertuzumab if trastuzumab is discontinued" in card["detail"]
    assert resolve("perjeta-label").url in [link["url"] for link in card["links"]]


def test_trastuzumab_withhold_on_order_sign_names_both():
    cards = by_rule(safety_cards("order-sign", on_thp(60, 47), orders=NEXT_CYCLE), "C2")
    assert [c["summary"][:37] for c in cards] == ["Withhold trastuzumab and pertuzumab: "]


def test_trastuzumab_alone_is_withheld_alone():
    cards = by_rule(
        safety_cards(
            "order-select",
            on_thp(60, 47, with_pertuzumab=False),
            orders=[ordering("trastuzumab", dose=420)],
        ),
        "C2",
    )
    assert [c["summary"][:22] for c in cards] == ["Withhold trastuzumab: "]


def test_active_pertuzumab_goes_with_a_withheld_trastuzumab_draft():
    # Only trastuzumab is being ordered today; pertuzumab is active and goes with it.
    cards = by_rule(
        safety_cards("order-select", on_thp(60, 47), orders=[ordering("trastuzumab", dose=420)]),
        "C2",
    )
    [card] = cards
    assert card["summary"].startswith("Withhold trastuzumab and pertuzumab: ")
    assert deletes(card) == ["MedicationRequest/draft-trastuzumab"]


def test_pertuzumab_table_withholds_trastuzumab_too():
    # 48 -> 39: below 40 % meets the metastatic pertuzumab table; the trastuzumab table
    # alone would not withhold (a 9-point fall).
    cards = by_rule(safety_cards("order-select", on_thp(48, 39), orders=NEXT_CYCLE), "C2")
    [card] = cards
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Withhold trastuzumab and pertuzumab: LVEF 39 %")
    assert len(deletes(card)) == 2


def test_a_fall_neither_table_meets_gives_no_card():
    assert by_rule(safety_cards("order-select", on_thp(58, 49), orders=NEXT_CYCLE), "C2") == []


def test_starting_thp_at_lvef_38_is_one_critical_card_for_both():
    cards = by_rule(safety_cards("order-select", starting(38), orders=START_THP), "C2")
    assert summaries(cards) == [
        (
            "C2",
            "critical",
            "Do not start trastuzumab and pertuzumab: LVEF 38 % on 2026-11-11 meets the label "
            "withhold criteria",
        )
    ]
    assert deletes(cards[0]) == [
        "MedicationRequest/draft-trastuzumab",
        "MedicationRequest/draft-pertuzumab",
    ]


def test_starting_thp_at_lvef_45_stays_a_warning_for_both():
    cards = by_rule(safety_cards("order-select", starting(45), orders=START_THP), "C2")
    assert [(c["indicator"], c["summary"]) for c in cards] == [
        (
            "warning",
            "LVEF 45 % on 2026-11-11 is below the 50 % required before starting trastuzumab "
            "and pertuzumab",
        )
    ]


def test_patient_view_withhold_names_both():
    cards = by_rule(safety_cards("patient-view", on_thp(60, 47)), "C2")
    assert [(c["indicator"], c["summary"][:37]) for c in cards] == [
        ("critical", "Withhold trastuzumab and pertuzumab: ")
    ]


def test_hylecta_withhold_carries_iv_pertuzumab():
    patient = [
        woman(60),
        her2_positive(500),
        metastatic(210),
        echo(60, days=205),
        taking("trastuzumab-sc", since=200),
        taking("pertuzumab", since=200),
        echo(47, days=5),
    ]
    orders = [ordering("trastuzumab-sc", dose=600), ordering("pertuzumab", dose=420)]
    [card] = by_rule(safety_cards("order-select", patient, orders=orders), "C2")
    assert card["summary"].startswith(
        "Withhold trastuzumab SC (Herceptin Hylecta) and pertuzumab: LVEF 47 %"
    )
    assert len(deletes(card)) == 2
