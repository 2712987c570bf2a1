"""An echocardiography report that gives the LVEF as a range ("55-60 %"), sent as a FHIR
`valueRange` (allowed for Observation.value[x]), is a recent LVEF: the lower bound is read, as
the same range written as text already was. Skipping it made C1 call the last LVEF "200 days
old" at every order-sign while a 10-day-old echo was on file (review 2, finding 3)."""

from __future__ import annotations

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


def _echo_range(low: float | None, high: float, *, days: float) -> dict:
    bounds = {"high": {"value": high, "unit": "%", "system": fb.UCUM, "code": "%"}}
    if low is not None:
        bounds["low"] = {"value": low, "unit": "%", "system": fb.UCUM, "code": "%"}
    return fb.observation("10230-1", when=days_ago(days), value={"valueRange": bounds})


def _on_trastuzumab(*lvefs: dict) -> list:
    return [woman(57), her2_positive(), metastatic(), taking("trastuzumab", since=210), *lvefs]


def test_a_recent_lvef_sent_as_a_range_is_not_overdue():
    resources = _on_trastuzumab(echo(63, days=200), _echo_range(55, 60, days=10))
    cards = safety_cards("order-sign", resources, orders=[ordering("trastuzumab")])
    assert summaries(cards) == []


def test_the_lower_bound_is_what_the_withhold_rule_reads():
    # 63 % at the start, "45-50 %" now: the lower bound is 18 points down, a Herceptin withhold.
    resources = _on_trastuzumab(echo(63, days=215), _echo_range(45, 50, days=3))
    cards = safety_cards("order-sign", resources, orders=[ordering("trastuzumab")])
    assert [(s[0], s[1]) for s in summaries(cards)] == [("C2", "critical")]
    assert "45 %" in cards[0]["summary"]


def test_a_range_without_a_lower_bound_is_not_read_as_a_value():
    resources = _on_trastuzumab(echo(63, days=200), _echo_range(None, 35, days=10))
    cards = safety_cards("order-sign", resources, orders=[ordering("trastuzumab")])
    assert [(s[0], s[1]) for s in summaries(cards)] == [("C1", "warning")]
