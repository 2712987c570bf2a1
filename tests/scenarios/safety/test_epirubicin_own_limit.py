"""Epirubicin against its own label limit (900 mg/m², Ellence), beside the doxorubicin-equivalent
sum of the other anthracyclines; cumulative figures in whole mg/m² (issue 9 §3).

No reference gives an epirubicin-to-doxorubicin ratio (IGHG makes none), so epirubicin is not
converted: the card names its own limit, and a mixed history is judged by each part's fraction
of its limit. The figure shown is the figure compared: 899.4 mg/m² is 899, 899.5 is 900."""

from __future__ import annotations

import re

import pytest

from tests.scenarios.safety.builders import (
    anthracycline_given,
    early_breast_cancer,
    echo,
    her2_positive,
    ordering,
    safety_cards,
    size,
    woman,
)


def _patient(*extra) -> list:
    return [woman(50), her2_positive(), early_breast_cancer(900), echo(62, days=20), size(), *extra]


def _c4(resources, *orders, hook="order-select") -> dict:
    cards = safety_cards(hook, resources, orders=list(orders))
    [card] = [c for c in cards if c["source"]["topic"]["code"] == "C4"]
    return card


def _epirubicin(mg_per_m2: float, cycles: int) -> list:
    return anthracycline_given("epirubicin", mg_per_m2=mg_per_m2, cycles=cycles, first=800)


@pytest.mark.parametrize(
    ("draft", "indicator", "shown"),
    [(99.4, "warning", "899 mg/m²"), (99.5, "critical", "900 mg/m²")],
)
def test_epirubicin_near_900_is_judged_on_the_whole_figure_it_shows(draft, indicator, shown):
    card = _c4(_patient(*_epirubicin(100, 8)), ordering("epirubicin", dose=draft, unit="mg/m2"))
    assert card["indicator"] == indicator
    assert card["summary"].startswith(f"Cumulative epirubicin {shown} with this order")
    assert not re.search(r"\d\.\d+ mg/m²", card["summary"] + card["detail"])
    assert f"held against its own label limit: {shown} of 900 mg/m²" in card["detail"]


def test_epirubicin_at_its_limit_leads_a_mixed_history():
    resources = _patient(*_epirubicin(100, 9))
    card = _c4(resources, ordering("doxorubicin", dose=60, unit="mg/m2"))
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "Cumulative epirubicin 900 mg/m² with this order reaches its 900 mg/m² label limit; "
        "with doxorubicin 60 mg/m²"
    )
    assert "The other anthracyclines sum to 60 mg/m² doxorubicin-equivalent" in card["detail"]
    signed = _c4(resources, ordering("doxorubicin", dose=60, unit="mg/m2"), hook="order-sign")
    assert signed["indicator"] == "critical"


def test_epirubicin_below_its_warning_with_doxorubicin_is_summed_by_fractions():
    # 400/550 of the epirubicin warning + 90/300 of the doxorubicin warning = 103 %
    resources = _patient(*_epirubicin(100, 4), *anthracycline_given(
        "doxorubicin", mg_per_m2=30, cycles=2, first=300))  # fmt: skip
    card = _c4(resources, ordering("doxorubicin", dose=30, unit="mg/m2"))
    assert card["indicator"] == "warning"
    assert "epirubicin 400 mg/m²" in card["summary"]
    assert (
        "held against its own label limit: 400 mg/m² of 900 mg/m² (warning from 550"
        in (card["detail"])
    )


def test_epirubicin_below_both_of_its_limits_gets_no_card():
    cards = safety_cards(
        "order-select",
        _patient(*_epirubicin(100, 4)),
        orders=[ordering("epirubicin", dose=100, unit="mg/m2")],
    )
    assert [c for c in cards if c["source"]["topic"]["code"] == "C4"] == []
