"""A 57-year-old woman progressed on first-line trastuzumab + pertuzumab. The last doses were
given weeks ago, but nobody closed the orders: they are still "active" in the EHR. T-DXd (or
Phesgo) is now drafted. That is a change of line (or of product), not a substitution: the
cards ask for the old orders to be closed, as a warning, and do not recommend deleting the
new drug. While trastuzumab is still being given on schedule (last dose within its 3-week
interval plus the 7-day re-load grace), the critical do-not-substitute card stands."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    by_rule,
    days_ago,
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

TDXD = "fam-trastuzumab-deruxtecan"
PHESGO = "pertuzumab-trastuzumab-sc"
CYCLES = 20


def on_open_thp_orders(last_given: float, *, with_doses: bool = True) -> list:
    """H + P every 21 days for 20 cycles, the last `last_given` days ago; orders still open."""
    since = last_given + 21 * CYCLES
    every = 21 if with_doses else None
    return [
        woman(57),
        her2_positive(700),
        metastatic(600),
        echo(63, days=15),
        size(),
        taking("trastuzumab", since=since, last_given=last_given, doses_every=every),
        taking("pertuzumab", since=since, last_given=last_given, doses_every=every),
    ]


def day(days: float) -> str:
    return days_ago(days)[:10]


def test_tdxd_after_progression_with_open_orders_asks_to_close_them():
    [card] = by_rule(
        safety_cards("order-select", on_open_thp_orders(42), orders=[ordering(TDXD)]), "C9"
    )
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        f"Switching to T-DXd: close the open trastuzumab and pertuzumab orders (last given "
        f"{day(42)})"
    )
    # No FHIR action can close an order the service does not hold: it says so in words, and
    # deleting the new drug is at most an alternative, never the recommendation.
    assert not any(s.get("isRecommended") for s in card.get("suggestions", []))
    assert "close" in card["detail"] and "do not substitute" in card["detail"]


def test_tdxd_while_trastuzumab_is_on_schedule_stays_critical():
    [card] = by_rule(
        safety_cards("order-select", on_open_thp_orders(14), orders=[ordering(TDXD)]), "C9"
    )
    assert card["indicator"] == "critical"
    assert card["summary"].endswith("different drugs, do not substitute")


@pytest.mark.parametrize(("last_given", "indicator"), [(27, "critical"), (30, "warning")])
def test_the_line_is_drawn_at_the_interval_plus_the_reload_grace(last_given, indicator):
    # 21-day interval + 7 days' grace (`trastuzumab_reload_late_days`) = 28 days.
    cards = by_rule(
        safety_cards("order-select", on_open_thp_orders(last_given), orders=[ordering(TDXD)]),
        "C9",
    )
    assert [c["indicator"] for c in cards] == [indicator]


def test_an_open_order_with_no_dose_on_file_is_not_taken_as_lapsed():
    cards = by_rule(
        safety_cards(
            "order-select", on_open_thp_orders(42, with_doses=False), orders=[ordering(TDXD)]
        ),
        "C9",
    )
    assert [c["indicator"] for c in cards] == ["critical"]


def test_tdxd_drafted_with_trastuzumab_stays_critical_even_if_the_old_orders_lapsed():
    orders = [ordering(TDXD), ordering("trastuzumab")]
    cards = by_rule(
        safety_cards("order-select", on_open_thp_orders(42), orders=orders, selected=orders[:1]),
        "C9",
    )
    assert [c["indicator"] for c in cards] == ["critical"]


def test_phesgo_after_lapsed_iv_orders_asks_to_close_them():
    cards = by_rule(
        safety_cards("order-select", on_open_thp_orders(42), orders=[ordering(PHESGO)]),
        "duplicate-her2-antibody",
    )
    assert summaries(cards) == [
        (
            "duplicate-her2-antibody",
            "warning",
            f"Switching to Phesgo: close the open trastuzumab and pertuzumab orders (last given "
            f"{day(42)})",
        )
    ]
    assert not any(s.get("isRecommended") for s in cards[0].get("suggestions", []))


def test_phesgo_while_iv_trastuzumab_is_on_schedule_stays_critical():
    [card] = by_rule(
        safety_cards("order-select", on_open_thp_orders(14), orders=[ordering(PHESGO)]),
        "duplicate-her2-antibody",
    )
    assert card["indicator"] == "critical"
    assert card["summary"].endswith("stop one")
