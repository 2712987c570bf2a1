"""Two LVEFs recorded at the same time that disagree (an echo and a MUGA, or a report entered
twice): which one the withhold rule judged depended on the order the EHR listed them in, so the
same record gave a critical "Withhold" card or none (review 2, finding 5). The lower one now
counts as the latest, whatever the order; the card shows it with its date."""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    days_ago,
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)


def _same_time(*percents: float, date_only: bool = False) -> list[dict]:
    when = days_ago(3)[:10] if date_only else days_ago(3)
    return [fb.observation("10230-1", when=when, value=fb.quantity(p, "%")) for p in percents]


def _on_hp(*lvefs: dict) -> list:
    return [
        woman(57),
        her2_positive(),
        metastatic(300),
        echo(62, days=215),  # baseline, before the first dose 210 days ago
        taking("trastuzumab", since=210, dose=420),
        taking("pertuzumab", since=210, dose=420),
        *lvefs,
    ]


@pytest.mark.parametrize("date_only", [False, True])
@pytest.mark.parametrize("percents", [(58, 45), (45, 58)])
def test_the_lower_of_two_lvefs_at_the_same_time_is_judged_whatever_the_order(
    percents: tuple[float, float], date_only: bool
) -> None:
    resources = _on_hp(*_same_time(*percents, date_only=date_only))
    cards = safety_cards(
        "order-sign", resources, orders=[ordering("trastuzumab"), ordering("pertuzumab")]
    )
    assert [(s[0], s[1]) for s in summaries(cards)] == [("C2", "critical")]
    assert "LVEF 45 %" in cards[0]["summary"]


def test_a_later_lvef_the_same_day_is_still_the_latest() -> None:
    morning = fb.observation("10230-1", when=days_ago(3.3), value=fb.quantity(45, "%"))
    afternoon = fb.observation("10230-1", when=days_ago(3.0), value=fb.quantity(58, "%"))
    resources = _on_hp(afternoon, morning)
    cards = safety_cards(
        "order-sign", resources, orders=[ordering("trastuzumab"), ordering("pertuzumab")]
    )
    assert summaries(cards) == []
