"""T-DXd (fam-trastuzumab deruxtecan) in second line: ILD/pneumonitis is its boxed warning,
and its LVEF table interrupts for <40 % or a fall of more than 20 points."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    echo,
    her2_positive,
    interstitial_lung_disease,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import recent_labs

TDXD = "fam-trastuzumab-deruxtecan"


def second_line(*extra) -> list:
    return [
        woman(59),
        her2_positive(),
        metastatic(600),
        taking("trastuzumab", since=560, ended=100),
        taking("pertuzumab", since=560, ended=100),
        echo(64, days=40),
        recent_labs(),
        *extra,
    ]


def test_starting_tdxd_gets_the_ild_monitoring_advice_only():
    cards = safety_cards("order-select", second_line(), orders=[ordering(TDXD)])
    assert summaries(cards) == [
        (
            "C8",
            "info",
            "T-DXd: monitor for ILD/pneumonitis; interrupt for grade 1, stop for grade ≥2",
        )
    ]


def test_order_sign_is_silent_when_nothing_is_wrong():
    assert safety_cards("order-sign", second_line(), orders=[ordering(TDXD)]) == []


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_ild_history_is_critical(hook):
    cards = safety_cards(
        hook, second_line(interstitial_lung_disease(days=400)), orders=[ordering(TDXD)]
    )
    assert summaries(cards) == [
        (
            "C8",
            "critical",
            "ILD/pneumonitis on file (recorded 2025-10-17): T-DXd boxed warning; grade ≥2 ILD "
            "means permanent discontinuation",
        )
    ]


@pytest.mark.parametrize(("latest", "expected"), [(49, "critical"), (50, None)])
def test_on_tdxd_a_fall_of_more_than_20_points_interrupts(latest, expected):
    patient = [
        woman(59),
        her2_positive(),
        metastatic(600),
        echo(70, days=200),
        taking(TDXD, since=190),
        recent_labs(),
        echo(latest, days=3),
    ]
    cards = safety_cards("order-sign", patient, orders=[ordering(TDXD)])
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])
    if expected:
        assert cards[0]["summary"] == (
            "Withhold T-DXd (fam-trastuzumab deruxtecan): LVEF 49 % on 2026-11-18, 21 points "
            "below baseline 70 % (2026-05-05)"
        )
