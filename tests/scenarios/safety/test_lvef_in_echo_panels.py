"""LVEF recorded as a component of an echocardiography/MUGA panel Observation, the way many
EHRs store an echo report: read like a top-level LVEF, once, and named as the panel's component."""

from __future__ import annotations

from typing import Any

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


def echo_panel(percent: float, *, days: float, status: str = "final", top: float | None = None):
    """A 'Cardiac 2D echo panel' whose LVEF is in a component (and at the top, if `top`)."""
    resource = fb.observation(
        "34552-0",
        when=days_ago(days),
        value={} if top is None else fb.quantity(top, "%"),
        status=status,
        display="Cardiac 2D echo panel",
    )
    resource["component"] = [
        {"code": {"coding": [{"system": fb.LOINC, "code": "8867-4"}]},
         **fb.quantity(64, "/min")},
        {"code": {"coding": [{"system": fb.LOINC, "code": "18043-0"}], "text": "LVEF"},
         **fb.quantity(percent, "%")},
    ]  # fmt: skip
    return resource


def on_trastuzumab(*extra: Any) -> list[Any]:
    # baseline 60 % before the first dose, 300 days ago
    return [woman(57), her2_positive(), metastatic(), taking("trastuzumab", since=300),
            echo(60, days=310), *extra]  # fmt: skip


def test_an_lvef_of_38_in_an_echo_panel_withholds_trastuzumab() -> None:
    """The issue's record: before, 'LVEF overdue ... last 60 %' instead of the withhold."""
    cards = safety_cards(
        "order-sign", on_trastuzumab(echo_panel(38, days=5)), orders=[ordering("trastuzumab")]
    )
    [(rule, indicator, summary)] = summaries(cards)
    assert (rule, indicator) == ("C2", "critical")
    assert "38 %" in summary
    assert "| LVEF \\(in Cardiac 2D echo panel\\) | 38 % |" in cards[0]["detail"]
    assert "overdue" not in summary


def test_an_lvef_both_at_the_top_and_in_a_component_is_one_reading() -> None:
    cards = safety_cards("patient-view", on_trastuzumab(echo_panel(61, days=5, top=61)))
    detail = next(c["detail"] for c in cards if c["source"]["topic"]["code"] == "cardiac-summary")
    assert detail.count("| 61 % |") == 1


def test_a_preliminary_panel_is_read_and_said_to_be_preliminary() -> None:
    cards = safety_cards(
        "order-sign",
        on_trastuzumab(echo_panel(38, days=5, status="preliminary")),
        orders=[ordering("trastuzumab")],
    )
    [card] = cards
    assert card["indicator"] == "critical"
    assert "The latest reading is preliminary." in card["detail"]


def test_an_entered_in_error_panel_is_not_an_lvef() -> None:
    cards = safety_cards(
        "order-sign",
        on_trastuzumab(echo(62, days=20), echo_panel(38, days=5, status="entered-in-error")),
        orders=[ordering("trastuzumab")],
    )
    assert cards == []
