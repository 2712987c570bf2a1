"""The T-DXd ILD monitoring advice is given once, when a T-DXd line starts (issue 9 §3): at
every cycle it would be a card clinicians learn to skip. The critical card for ILD on file
stays at every order. A line is under way when T-DXd was given, or an order is open, within
the last 90 days (her2_line_course_gap_days)."""

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
ADVICE = (
    "C8",
    "info",
    "T-DXd: monitor for ILD/pneumonitis; interrupt for grade 1, stop for grade ≥2",
)


def _second_line(*extra) -> list:
    return [
        woman(59),
        her2_positive(),
        metastatic(600),
        taking("trastuzumab", since=560, ended=200),
        taking("pertuzumab", since=560, ended=200),
        echo(64, days=40),
        *recent_labs(),
        *extra,
    ]


def test_the_first_tdxd_order_gets_the_advice():
    cards = safety_cards("order-select", _second_line(), orders=[ordering(TDXD)])
    assert summaries(cards) == [ADVICE]
    assert "shown once, when T-DXd starts" in cards[0]["detail"]


def test_the_next_cycle_of_an_ongoing_tdxd_line_gets_no_advice():
    on_tdxd = taking(TDXD, since=63, doses_every=21)  # open order, doses 63, 42, 21, 0 days ago
    cards = safety_cards("order-select", _second_line(*on_tdxd), orders=[ordering(TDXD)])
    assert ADVICE not in summaries(cards)


def test_an_open_tdxd_order_without_doses_yet_means_the_line_has_started():
    signed = taking(TDXD, since=2, doses_every=None)
    cards = safety_cards("order-select", _second_line(*signed), orders=[ordering(TDXD)])
    assert ADVICE not in summaries(cards)


@pytest.mark.parametrize(("last_dose_days", "advice"), [(80, False), (100, True)])
def test_tdxd_restarted_after_a_break_is_a_new_start(last_dose_days, advice):
    earlier = taking(TDXD, since=last_dose_days + 42, doses_every=21, ended=last_dose_days)
    cards = safety_cards("order-select", _second_line(*earlier), orders=[ordering(TDXD)])
    assert (ADVICE in summaries(cards)) is advice


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_ild_on_file_is_critical_at_every_cycle(hook):
    on_tdxd = taking(TDXD, since=63, doses_every=21)
    resources = _second_line(*on_tdxd, interstitial_lung_disease(days=30))
    found = summaries(safety_cards(hook, resources, orders=[ordering(TDXD)]))
    assert [s[1] for s in found if s[0] == "C8"] == ["critical"]
