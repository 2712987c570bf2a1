"""Pertuzumab and Phesgo: the current label has different LVEF tables for metastatic and
early breast cancer, and a pre-treatment floor of 50 % (metastatic) or 55 % (early)."""

from __future__ import annotations

import pytest

from cards.sources import resolve
from tests.scenarios.safety.builders import (
    early_breast_cancer,
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)


def on_phesgo(setting: list, baseline: float, latest: float) -> list:
    return [
        woman(58),
        her2_positive(),
        setting,
        echo(baseline, days=150),
        taking("pertuzumab-trastuzumab-sc", since=140),
        echo(latest, days=4),
    ]


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (55, 45, "critical"),  # 45 % with a 10-point fall
        (55, 46, None),  # 46 %: above the 40-45 band
        (49, 40, None),  # 40 % with a 9-point fall (Phesgo judged on its own label table)
        (48, 39, "critical"),  # below 40 %
    ],
)
def test_metastatic_table_boundaries(baseline, latest, expected):
    cards = safety_cards(
        "order-select",
        on_phesgo(metastatic(), baseline, latest),
        orders=[ordering("pertuzumab-trastuzumab-sc")],
    )
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])
    if expected:
        assert cards[0]["summary"].startswith(f"Withhold Phesgo: LVEF {latest} %")
        assert cards[0]["source"]["url"] == resolve("phesgo-label").url


@pytest.mark.parametrize(("latest", "expected"), [(49, "critical"), (50, None)])
def test_early_table_needs_below_50_with_a_10_point_fall(latest, expected):
    cards = safety_cards(
        "order-sign",
        on_phesgo(early_breast_cancer(), 60, latest),
        orders=[ordering("pertuzumab-trastuzumab-sc")],
    )
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("setting", "latest", "floor"),
    [(metastatic, 49, 50), (early_breast_cancer, 54, 55)],
)
def test_starting_pertuzumab_below_the_label_floor_is_a_warning(setting, latest, floor):
    patient = [woman(61), her2_positive(), setting(), echo(latest, days=10)]
    cards = safety_cards("order-select", patient, orders=[ordering("pertuzumab")])
    [(rule, indicator, summary)] = [s for s in summaries(cards) if s[0] == "C2"]
    assert (rule, indicator) == ("C2", "warning")
    assert f"is below the {floor} % required before starting pertuzumab" in summary


def test_starting_pertuzumab_at_the_floor_gives_no_card():
    patient = [woman(61), her2_positive(), metastatic(), echo(50, days=10)]
    cards = safety_cards("order-select", patient, orders=[ordering("pertuzumab")])
    # pertuzumab alone draws only the 'add trastuzumab' warning, no LVEF card
    assert [c["source"]["topic"]["code"] for c in cards] == ["pertuzumab-without-trastuzumab"]
