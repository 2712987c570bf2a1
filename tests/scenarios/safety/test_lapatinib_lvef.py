"""Lapatinib and LVEF (reference §3.5, [L8]): the label asks to confirm a normal LVEF before
starting and to keep evaluating it; LVEF falling below the institution's lower limit of
normal stops it (restart at a reduced dose after at least 2 weeks if recovered).

A 58-year-old woman with HER2-positive metastatic breast cancer after THP and T-DXd, about
to start lapatinib + capecitabine, or already on it."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
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

START = [ordering("lapatinib", dose=1250), ordering("capecitabine", dose=1650)]


def later_line(*extra) -> list:
    return [
        woman(58),
        her2_positive(900),
        metastatic(700),
        size(),
        taking("trastuzumab", since=680, ended=300),
        taking("pertuzumab", since=680, ended=300),
        taking("fam-trastuzumab-deruxtecan", since=290, ended=40),
        *extra,
    ]


def test_no_lvef_on_file_before_lapatinib_is_a_warning():
    cards = by_rule(safety_cards("order-select", later_line(), orders=START), "C1")
    assert summaries(cards) == [
        ("C1", "warning", "No LVEF on file before lapatinib: order an echocardiogram")
    ]


def test_normal_recent_lvef_before_lapatinib_says_nothing():
    cards = safety_cards("order-select", later_line(echo(58, days=10)), orders=START)
    assert by_rule(cards, "C1") == [] and by_rule(cards, "C2") == []


def test_starting_lapatinib_below_the_lln_is_critical():
    # Below the LLN is the label's discontinuation criterion: starting there is a hard stop
    # (reference §3.7: hard-stop language for the label withhold/discontinue criteria).
    cards = by_rule(safety_cards("order-select", later_line(echo(46, days=10)), orders=START), "C2")
    assert summaries(cards) == [
        (
            "C2",
            "critical",
            "Do not start lapatinib: LVEF 46 % on 2026-11-11 meets the label withhold criteria",
        )
    ]
    assert "(confirmed in secondary summaries of the label" in cards[0]["detail"]


@pytest.mark.parametrize(("latest", "expected"), [(48, "critical"), (52, None)])
def test_lvef_below_the_lln_on_lapatinib(latest, expected):
    patient = later_line(
        echo(60, days=35), taking("lapatinib", since=30, doses_every=1), echo(latest, days=3)
    )
    cards = by_rule(
        safety_cards("order-select", patient, orders=[ordering("lapatinib", dose=1250)]), "C2"
    )
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])
    if expected:
        assert cards[0]["summary"].startswith("Withhold lapatinib: LVEF 48 %")
        assert "Discontinue lapatinib" in cards[0]["detail"]
