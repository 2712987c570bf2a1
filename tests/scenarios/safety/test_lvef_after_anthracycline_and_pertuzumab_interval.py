"""Two monitoring details of the pertuzumab label.

A 52-year-old woman with HER2-positive early breast cancer finished dose-dense AC three
weeks ago and is about to start weekly paclitaxel with trastuzumab and pertuzumab. Her only
echo is the one before AC, 10 weeks ago: recent enough for the routine interval. The
Perjeta/Phesgo table wants LVEF ≥50 % after the anthracycline, before P+H start (reference
§3.2 footnote, marked unverified there): an LVEF from before the anthracycline does not
show it.

And pertuzumab's LVEF is due approximately every 12 weeks (reference §3.2, [L2]): with a
grace of 8 days, the three calendar months clinics book (review finding 5: no warning at
88 days)."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    by_rule,
    early_breast_cancer,
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

AFTER_AC = [ordering("paclitaxel"), ordering("trastuzumab"), ordering("pertuzumab")]


def after_ac(*echoes) -> list:
    return [
        woman(52),
        her2_positive(200),
        early_breast_cancer(200),
        size(),
        taking("doxorubicin", since=63, ended=21, doses_every=14, dose=60, unit="mg/m2"),
        *echoes,
    ]


def test_lvef_only_from_before_the_anthracycline_is_a_warning():
    cards = by_rule(
        safety_cards("order-select", after_ac(echo(64, days=70)), orders=AFTER_AC), "C1"
    )
    assert summaries(cards) == [
        (
            "C1",
            "warning",
            "No LVEF since the last anthracycline dose (2026-10-31) before pertuzumab and "
            "trastuzumab: order an echocardiogram",
        )
    ]
    [card] = cards
    assert "≥50 %" in card["detail"] and "unverified" in card["detail"]
    assert card["suggestions"][0]["actions"][0]["resource"]["resourceType"] == "ServiceRequest"


def test_lvef_after_the_anthracycline_is_enough():
    cards = safety_cards(
        "order-select", after_ac(echo(64, days=70), echo(58, days=7)), orders=AFTER_AC
    )
    assert by_rule(cards, "C1") == []


def test_trastuzumab_alone_after_ac_is_held_to_its_own_interval():
    # The footnote is the pertuzumab label's; trastuzumab's LVEF from 10 weeks ago is
    # within its 3-month interval.
    cards = safety_cards(
        "order-select", after_ac(echo(64, days=70)), orders=[ordering("trastuzumab")]
    )
    assert by_rule(cards, "C1") == []


def on_thp(echo_days: float) -> list:
    return [
        woman(57),
        her2_positive(),
        metastatic(),
        taking("trastuzumab", since=300),
        taking("pertuzumab", since=300),
        echo(62, days=echo_days),
    ]


@pytest.mark.parametrize(("age", "expected"), [(84, None), (88, None), (92, None), (93, "warning")])
def test_pertuzumab_lvef_is_due_approximately_every_12_weeks(age, expected):
    cards = by_rule(
        safety_cards(
            "order-select",
            on_thp(age),
            orders=[ordering("trastuzumab"), ordering("pertuzumab")],
        ),
        "C1",
    )
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])
    if expected:
        assert cards[0]["summary"].endswith("93 days ago (due approximately every 3 months)")


def test_trastuzumab_alone_keeps_its_three_months():
    patient = [woman(57), her2_positive(), metastatic(), taking("trastuzumab", since=300)]
    cards = safety_cards(
        "order-select", [*patient, echo(62, days=85)], orders=[ordering("trastuzumab")]
    )
    assert by_rule(cards, "C1") == []


def test_iv_pertuzumab_monitoring_cites_the_perjeta_label_not_phesgo():
    cards = by_rule(
        safety_cards(
            "order-sign", on_thp(95), orders=[ordering("trastuzumab"), ordering("pertuzumab")]
        ),
        "C1",
    )
    [card] = cards
    labels = [link["label"] for link in card.get("links", [])]
    assert "Perjeta US label" in labels
    assert "Phesgo US label" not in labels
    assert "approximately every" in card["detail"]
