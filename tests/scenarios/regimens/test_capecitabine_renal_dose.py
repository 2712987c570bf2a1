"""Capecitabine at creatinine clearance 30-50 mL/min (review findings 2 and 8).

The Xeloda label starts capecitabine at 75 % of the dose in moderate renal impairment. A
draft already at that dose gets neither the organ-function "reduce" card nor a dose-check
"replace with the full dose"; a full-dose draft gets both, and both name the reduced dose of
the regimen drafted (750 mg/m² instead of 1000 with tucatinib, 562.5 instead of 750 with
neratinib), never the 1250 mg/m² monotherapy dose. Below 30 mL/min nothing suggests a dose.
Patient: 70 kg, 165 cm, BSA 1.79 m²."""

from __future__ import annotations

import pytest

from tests.scenarios.regimens.builders import (
    created,
    cycles,
    dose_mg,
    draft,
    drug_text,
    her2_positive_mbc,
    order_select,
    order_sign,
)
from tests.scenarios.safety.lab_builders import blood_count, clearance, liver

HOOKS = [order_select, order_sign]


def _patient(ml_min: float) -> list[dict]:
    history = cycles("fam-trastuzumab-deruxtecan", 84, 63, 42)
    return [
        *her2_positive_mbc(metastatic_days=700),
        *history,
        clearance(ml_min, days=3),
        *liver(days=3),
        blood_count(days=3),
    ]


def _tucatinib(capecitabine_mg: float) -> list[dict]:
    return [
        draft("tucatinib", 300, per_day=2),
        draft("trastuzumab", 560),
        draft("capecitabine", capecitabine_mg, per_day=2),
    ]


def _rule(cards: list[dict], rule: str) -> list[dict]:
    return [c for c in cards if c["source"]["topic"]["code"] == rule]


def _capecitabine_doses(cards: list[dict]) -> list[float]:
    return [
        dose_mg(r)
        for c in cards
        for r in created(c)
        if drug_text(r).startswith("capecitabine") and r["dosageInstruction"][0].get("doseAndRate")
    ]


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("mg", [1350, 1450, 900])  # 75 %, 75 % + 8 %, below
def test_renally_reduced_capecitabine_gets_no_reduce_and_no_full_dose_card(hook, mg):
    cards = hook(_patient(45), *_tucatinib(mg))
    assert _rule(cards, "organ-function") == []
    if mg == 900:  # 50 % before any capecitabine: the renal starting dose is expected
        assert set(_capecitabine_doses(cards)) == {1300}  # 1343 mg as the tablets make it
    else:
        assert _rule(cards, "dose-check") == []
        assert _capecitabine_doses(cards) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_full_dose_at_crcl_45_both_cards_ask_for_the_regimen_reduced_dose(hook):
    cards = hook(_patient(45), *_tucatinib(1800))
    [renal] = _rule(cards, "organ-function")
    assert renal["summary"].startswith("Reduce the capecitabine starting dose")
    assert (
        "75 % of 1000 mg/m² twice daily, 1343 mg at 1.79 m² "
        "(rounded to 1300 mg (2 × 500 mg + 2 × 150 mg tablets))" in renal["detail"]
    )
    assert "1250" not in renal["detail"] and "950" not in renal["detail"]
    [dose] = _rule(cards, "dose-check")
    assert "1300 mg (750 mg/m²)" in dose["summary"]
    assert (
        "75 % of 1000 mg/m², the label's starting dose in moderate renal impairment"
        in (dose["detail"])
    )
    assert set(_capecitabine_doses(cards)) <= {1300}


def test_just_above_the_tolerance_of_the_renal_dose_still_gets_the_renal_card():
    cards = order_select(_patient(45), *_tucatinib(1500))  # 838 mg/m², 12 % above 750
    [renal] = _rule(cards, "organ-function")
    assert renal["summary"].startswith("Reduce the capecitabine starting dose")


def test_with_neratinib_the_example_is_75_percent_of_750():
    drafts = [draft("neratinib", 240, every=1), draft("capecitabine", 1340, per_day=2)]
    [renal] = _rule(order_select(_patient(40), *drafts), "organ-function")
    assert "With neratinib: 75 % of 750 mg/m² twice daily, 1007 mg at 1.79 m²" in (renal["detail"])
    reduced = [draft("neratinib", 240, every=1), draft("capecitabine", 1000, per_day=2)]
    cards = order_select(_patient(40), *reduced)
    assert _rule(cards, "organ-function") == [] and _rule(cards, "dose-check") == []


@pytest.mark.parametrize("hook", HOOKS)
def test_above_50_ml_min_the_full_dose_is_expected(hook):
    cards = hook(_patient(51), *_tucatinib(1350))
    assert _rule(cards, "organ-function") == []
    [dose] = _rule(cards, "dose-check")
    assert "1800 mg (1000 mg/m²)" in dose["summary"]
    assert _rule(hook(_patient(51), *_tucatinib(1790)), "dose-check") == []


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("mg", [1350, 1790])
def test_below_30_ml_min_nothing_suggests_a_capecitabine_dose(hook, mg):
    cards = hook(_patient(25), *_tucatinib(mg))
    [renal] = _rule(cards, "organ-function")
    assert renal["indicator"] == "critical"
    assert _rule(cards, "dose-check") == []
    assert _capecitabine_doses(cards) == []
