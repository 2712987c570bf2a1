"""Echo every 3 months on HER2 antibodies: a patient due for her next trastuzumab whose
last echo is recent, 3 months old, or missing; and an EHR that could not send the LVEF."""

from __future__ import annotations

import pytest

from cards import CardsConfig
from tests.scenarios.safety.builders import (
    actions,
    echo,
    gap,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import recent_labs


def on_trastuzumab(*extra) -> list:
    return [woman(57), her2_positive(), metastatic(), taking("trastuzumab", since=300), *extra]


@pytest.mark.parametrize(("age", "expected"), [(92, None), (93, "warning")])
def test_three_month_boundary(age, expected):
    cards = safety_cards(
        "order-select", on_trastuzumab(echo(62, days=age)), orders=[ordering("trastuzumab")]
    )
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])
    if expected:
        assert cards[0]["summary"] == (
            "LVEF overdue before trastuzumab: last 62 % on 2026-08-20, 93 days ago "
            "(due approximately every 3 months)"
        )
        assert "Last LVEF 62 % on 2026-08-20, 93 days ago" in cards[0]["detail"]
        [create] = actions(cards[0], "create")
        assert create["resource"]["code"]["coding"][0]["code"] == "40701008"


def test_no_lvef_on_file_on_order_sign():
    cards = safety_cards("order-sign", on_trastuzumab(), orders=[ordering("trastuzumab")])
    assert summaries(cards) == [
        ("C1", "warning", "No LVEF on file before trastuzumab: order an echocardiogram")
    ]
    assert "- No LVEF on file" in cards[0]["detail"]


def test_lvef_the_ehr_could_not_send_is_said_not_skipped():
    cards = safety_cards(
        "order-select",
        on_trastuzumab(echo(62, days=20)),
        orders=[ordering("trastuzumab")],
        gaps=[gap("lvef", "LVEF observations")],
    )
    assert summaries(cards) == [
        (
            "C1",
            "warning",
            "LVEF could not be retrieved from the EHR (the FHIR server timed out); verify LVEF "
            "before trastuzumab",
        )
    ]


def test_tdxd_interval_follows_the_institution():
    patient = [woman(57), her2_positive(), metastatic(), echo(62, days=70), recent_labs()]
    order = ordering("fam-trastuzumab-deruxtecan")
    default = safety_cards("order-sign", patient, orders=[order])
    assert default == []
    monthly = CardsConfig(threshold_overrides={"lvef_interval_days_tdxd": 60})
    cards = safety_cards("order-sign", patient, orders=[order], config=monthly)
    assert [c["source"]["topic"]["code"] for c in cards] == ["C1"]


def test_patient_view_summary_with_next_due_date():
    patient = on_trastuzumab(echo(64, days=310), echo(60, days=40))
    cards = safety_cards("patient-view", patient)
    assert summaries(cards) == [
        (
            "cardiac-summary",
            "info",
            "On trastuzumab: last LVEF 60 % on 2026-10-12 (baseline 64 % on 2026-01-15); "
            "next due by 2027-01-12",
        )
    ]


def test_patient_view_overdue_is_a_warning_instead_of_the_summary():
    patient = on_trastuzumab(echo(64, days=310), echo(60, days=150))
    assert summaries(safety_cards("patient-view", patient)) == [
        (
            "C1",
            "warning",
            "LVEF overdue on trastuzumab: last 60 % on 2026-06-24, 150 days ago "
            "(due approximately every 3 months)",
        )
    ]
