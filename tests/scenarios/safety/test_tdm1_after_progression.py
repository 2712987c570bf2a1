"""T-DM1 for metastatic disease after progression on THP (or for residual disease after
neoadjuvant therapy): its label table has 40 % and 45 % limits, and a withhold reading
confirmed on repeat means discontinue."""

from __future__ import annotations

import pytest

from cards.sources import resolve
from tests.scenarios.safety.builders import (
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import recent_labs

TDM1 = "ado-trastuzumab-emtansine"


def on_tdm1(baseline: float, *readings: tuple[float, float]) -> list:
    return [
        woman(63),
        her2_positive(),
        metastatic(500),
        taking("trastuzumab", since=480, ended=200),
        echo(baseline, days=130),
        taking(TDM1, since=120),
        recent_labs(),
        [echo(p, days=d) for p, d in readings],
    ]


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (50, 40, "critical"),  # 40 % with a 10-point fall
        (49, 40, "info"),  # 40 % with a 9-point fall: continue, repeat LVEF within 3 weeks
        (55, 45, "critical"),  # 45 % with a 10-point fall
        (60, 46, None),  # 46 %: continue
        (45, 39, "critical"),  # below 40 %
    ],
)
def test_tdm1_metastatic_table(baseline, latest, expected):
    cards = safety_cards("order-select", on_tdm1(baseline, (latest, 6)), orders=[ordering(TDM1)])
    assert [c["indicator"] for c in cards] == ([expected] if expected else [])
    if expected == "critical":
        assert cards[0]["summary"].startswith(
            f"Withhold T-DM1 (ado-trastuzumab emtansine): LVEF {latest} %"
        )
        # The metastatic table is in the US prescribing information, not on the
        # early-breast-cancer dosing page.
        assert cards[0]["source"]["url"] == resolve("kadcyla-label").url
        assert "early-breast-cancer" not in cards[0]["detail"]
    if expected == "info":
        assert cards[0]["summary"].startswith(
            "Continue T-DM1 and repeat LVEF within 3 weeks: LVEF 40 %"
        )


def test_info_row_is_not_shown_at_order_sign():
    assert safety_cards("order-sign", on_tdm1(49, (40, 6)), orders=[ordering(TDM1)]) == []


def test_below_40_confirmed_three_weeks_later_means_discontinue():
    cards = safety_cards("order-sign", on_tdm1(55, (38, 25), (37, 4)), orders=[ordering(TDM1)])
    assert summaries(cards) == [
        (
            "C2",
            "critical",
            "Discontinue T-DM1 (ado-trastuzumab emtansine): LVEF 37 % on 2026-11-17 confirms the "
            "decline first seen on 2026-10-27",
        )
    ]


@pytest.mark.parametrize(
    ("baseline", "latest", "clause"),
    [
        (49, 40, "label asks for a repeat: repeat LVEF by 2026-12-06"),  # continue, repeat ≤3 wk
        (60, 47, "next due by 2027-02-15"),  # >45 %: routine 3-monthly monitoring
    ],
)
def test_patient_view_next_lvef_follows_the_label_row(baseline, latest, clause):
    cards = safety_cards("patient-view", on_tdm1(baseline, (latest, 6)))
    [summary] = [c for c in cards if c["source"]["topic"]["code"] == "cardiac-summary"]
    assert summary["summary"].endswith(clause)
