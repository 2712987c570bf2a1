"""A 57-year-old woman progressed on first-line trastuzumab + pertuzumab. Nobody closed the
orders: they are still "active" in the EHR. T-DXd (or Phesgo) is now drafted at the next cycle
or later. That is a change of line (or of product), not a substitution: one warning asks for
the previous orders to be closed, and its delete actions name those old orders, never the new
draft. In the middle of a cycle (the next trastuzumab dose not yet due: less than its 3-week
cycle less `switch_cycle_early_days` since the last dose) the critical do-not-substitute card
stands."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    actions,
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
        f"Switching to T-DXd: close the previous trastuzumab and pertuzumab orders (last given "
        f"{day(42)})"
    )
    # The delete actions close the old orders; the new draft is never offered for removal.
    deleted = [a["resourceId"] for a in actions(card, "delete")]
    assert len(deleted) == 2 and f"MedicationRequest/draft-{TDXD}" not in deleted
    assert all(r.startswith("MedicationRequest/medrx-") for r in deleted)
    assert "close" in card["detail"].lower() and "do not substitute" in card["detail"]


def test_tdxd_while_trastuzumab_is_on_schedule_stays_critical():
    [card] = by_rule(
        safety_cards("order-select", on_open_thp_orders(14), orders=[ordering(TDXD)]), "C9"
    )
    assert card["indicator"] == "critical"
    assert card["summary"].endswith("different drugs, do not substitute")


@pytest.mark.parametrize(
    ("last_given", "indicator"),
    [(17, "critical"), (18, "warning"), (27, "warning"), (30, "warning")],
)
def test_the_line_is_drawn_at_the_next_cycle(last_given, indicator):
    # 21-day cycle less 3 days (`switch_cycle_early_days`) = 18 days: the next dose is due.
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
            "Switching to Phesgo: close the previous trastuzumab and pertuzumab orders "
            f"(last given {day(42)})",
        )
    ]
    deleted = [a["resourceId"] for a in actions(cards[0], "delete")]
    assert len(deleted) == 2 and f"MedicationRequest/draft-{PHESGO}" not in deleted


def test_phesgo_while_iv_trastuzumab_is_on_schedule_stays_critical():
    [card] = by_rule(
        safety_cards("order-select", on_open_thp_orders(14), orders=[ordering(PHESGO)]),
        "duplicate-her2-antibody",
    )
    assert card["indicator"] == "critical"
    assert card["summary"].endswith("stop one")
