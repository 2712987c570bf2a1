"""A 56-year-old woman with HER2-positive metastatic breast cancer on THP maintenance
(trastuzumab + pertuzumab every 3 weeks since May). Baseline echo 70 %; this week's echo
is lower. Is the next cycle safe to give?"""

from __future__ import annotations

import pytest

from cards.sources import resolve
from tests.scenarios.safety.builders import (
    actions,
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)


def thp_patient(baseline: float, latest: float) -> list:
    return [
        woman(56),
        her2_positive(),
        metastatic(),
        echo(baseline, days=200),
        taking("trastuzumab", since=190),
        taking("pertuzumab", since=190),
        echo(latest, days=5),
    ]


NEXT_CYCLE = [ordering("trastuzumab"), ordering("pertuzumab")]


def test_fall_of_16_points_withholds_trastuzumab_and_pertuzumab_with_it():
    # The trastuzumab table withholds; pertuzumab is not given without trastuzumab.
    cards = safety_cards("order-select", thp_patient(70, 54), orders=NEXT_CYCLE)
    assert summaries(cards) == [
        (
            "C2",
            "critical",
            "Withhold trastuzumab and pertuzumab: LVEF 54 % on 2026-11-16, 16 points below "
            "baseline 70 % (2026-05-05)",
        )
    ]
    [card] = cards
    assert [a["resourceId"] for a in actions(card, "delete")] == [
        "MedicationRequest/draft-trastuzumab",
        "MedicationRequest/draft-pertuzumab",
    ]
    assert actions(card, "create")[0]["resource"]["resourceType"] == "ServiceRequest"
    # The withhold rule is in the US prescribing information, and the source is labelled for
    # what it is.
    assert card["source"]["url"] == resolve("herceptin-label").url
    assert card["source"]["label"].startswith("Herceptin US label")
    assert "US prescribing information, Herceptin (trastuzumab), Genentech" in card["detail"]


def test_fall_of_15_points_above_the_lln_gives_no_card():
    assert safety_cards("order-select", thp_patient(70, 55), orders=NEXT_CYCLE) == []


def test_below_lln_with_a_10_point_fall_withholds_both():
    cards = safety_cards("order-select", thp_patient(55, 45), orders=NEXT_CYCLE)
    [(rule, indicator, summary)] = summaries(cards)
    assert (rule, indicator) == ("C2", "critical")
    assert summary.startswith("Withhold trastuzumab and pertuzumab: LVEF 45 %")
    assert "10 points below baseline 55 %" in summary


def test_below_lln_with_a_9_point_fall_gives_no_card():
    # 45 % is below the LLN but only 9 points down; pertuzumab's metastatic table needs 10.
    assert safety_cards("order-select", thp_patient(54, 45), orders=NEXT_CYCLE) == []


def test_order_sign_repeats_the_withhold():
    cards = safety_cards("order-sign", thp_patient(70, 54), orders=NEXT_CYCLE)
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [("C2", "critical")]


@pytest.mark.parametrize(("latest", "expected"), [(54, "critical"), (55, None)])
def test_patient_view_raises_the_withhold_for_the_drugs_she_is_on(latest, expected):
    cards = safety_cards("patient-view", thp_patient(70, latest))
    c2 = [c for c in cards if c["source"]["topic"]["code"] == "C2"]
    assert [c["indicator"] for c in c2] == ([expected] if expected else [])
    if not expected:
        [summary] = cards
        assert summary["indicator"] == "info"
        assert summary["summary"] == (
            "On trastuzumab and pertuzumab: last LVEF 55 % on 2026-11-16 (baseline 70 % on "
            "2026-05-05); next due by 2027-02-16"
        )


def test_patient_view_next_due_is_the_withhold_repeat_interval():
    # 70 -> 54 withholds trastuzumab (and pertuzumab with it): the label repeats LVEF in
    # 4 weeks while trastuzumab is withheld (pertuzumab goes with it), not at the routine
    # interval.
    # One card per problem: the withhold card speaks for trastuzumab and pertuzumab, and the
    # cardiac summary for the same drugs is not shown beside it.
    cards = safety_cards("patient-view", thp_patient(70, 54))
    codes = [c["source"]["topic"]["code"] for c in cards]
    assert "cardiac-summary" not in codes
    [withhold] = [c for c in cards if c["source"]["topic"]["code"] == "C2"]
    assert "repeat LVEF every 4 weeks" in withhold["detail"]
    assert "Next LVEF due by 2026-12-14: in 4 weeks per the " in withhold["detail"]
    # each interval names its label
    assert "**trastuzumab** (Herceptin US label)" in withhold["detail"]
    # the echocardiogram is dated from the LVEF of 2026-11-16, not "now"
    [echo] = [s for s in withhold["suggestions"] if "echocardiogram" in s["label"]]
    assert echo["label"] == "Order an echocardiogram (LVEF) for 2026-12-14"
    assert echo["actions"][0]["resource"]["occurrenceDateTime"] == "2026-12-14"
