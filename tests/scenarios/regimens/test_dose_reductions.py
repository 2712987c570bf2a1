"""Standard chemotherapy dose reductions once treatment is under way (review finding 1).

Docetaxel 75 -> 60 mg/m² (Taxotere SmPC 4.2), weekly paclitaxel in 10 mg/m² steps (practice;
the label gives no weekly levels) and capecitabine at 75 % / 50 % of its starting dose
(Xeloda label) are accepted once earlier doses are on file. Before the first dose, or below
the lowest level, the reduced dose is still flagged against the full dose. Patient: 70 kg,
165 cm, BSA 1.79 m²."""

from __future__ import annotations

import pytest

from tests.scenarios.regimens.builders import (
    card_of,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    order_sign,
    topics,
)


def _dose_cards(cards: list[dict]) -> list[dict]:
    return [c for c in cards if c["source"]["topic"]["code"] == "dose-check"]


def _thp(*, docetaxel_given: bool) -> list[dict]:
    days = (84, 63, 42, 21)
    history = [*cycles("trastuzumab", *days), *cycles("pertuzumab", *days)]
    if docetaxel_given:
        history += cycles("docetaxel", *days, dose=134)
    return [*her2_positive_mbc(metastatic_days=100), *history]


def _thp_drafts(docetaxel_mg: float) -> list[dict]:
    return [draft("trastuzumab", 420), draft("pertuzumab", 420), draft("docetaxel", docetaxel_mg)]


@pytest.mark.parametrize("hook", [order_select, order_sign])
@pytest.mark.parametrize("mg", [107, 104, 111])  # 60 mg/m² and within 5 % of it
def test_docetaxel_reduced_to_60_at_cycle_5_gets_no_dose_card(hook, mg):
    assert _dose_cards(hook(_thp(docetaxel_given=True), *_thp_drafts(mg))) == []


@pytest.mark.parametrize("mg", [100, 116])  # 7 % below, 8 % above 60 mg/m²: the tolerance
def test_docetaxel_near_the_reduced_dose_is_information_beyond_the_rounding(mg):
    """Read as the 60 mg/m² reduction level, beyond the 5 % IV rounding threshold: an
    information card naming the reduced dose, never a warning; nothing at signing."""
    [card] = _dose_cards(order_select(_thp(docetaxel_given=True), *_thp_drafts(mg)))
    assert card["indicator"] == "info"
    assert "the 107 mg (60 mg/m²) reduced dose: outside the 5 % rounding" in card["summary"]
    assert _dose_cards(order_sign(_thp(docetaxel_given=True), *_thp_drafts(mg))) == []


def test_docetaxel_below_the_lowest_reduction_level_is_still_flagged():
    cards = order_select(_thp(docetaxel_given=True), *_thp_drafts(85))  # 47 mg/m²
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Docetaxel 85 mg")


def test_docetaxel_at_60_before_any_docetaxel_is_flagged():
    """Cycle 1 at 60 mg/m²: no toxicity yet to reduce for, so the full dose is expected."""
    cards = order_select(_thp(docetaxel_given=False), *_thp_drafts(107))
    assert card_of(cards, "dose-check")["summary"].startswith("Docetaxel 107 mg")


def _apt(*, weeks_given: int) -> list[dict]:
    days = [7 * w for w in range(weeks_given, 0, -1)]
    return [
        *her2_positive_mbc(metastatic_days=100),
        *cycles("trastuzumab", *days),
        *cycles("paclitaxel", *days, dose=143),
    ]


def _weekly(paclitaxel_mg: float) -> list[dict]:
    return [draft("trastuzumab", 140, every=7), draft("paclitaxel", paclitaxel_mg, every=7)]


@pytest.mark.parametrize("hook", [order_select, order_sign])
@pytest.mark.parametrize("mg", [125, 107])  # 70 and 60 mg/m²
def test_weekly_paclitaxel_reduced_in_10_mg_steps_gets_no_dose_card(hook, mg):
    assert _dose_cards(hook(_apt(weeks_given=5), *_weekly(mg))) == []


def test_weekly_paclitaxel_below_60_is_still_flagged():
    cards = order_select(_apt(weeks_given=5), *_weekly(90))  # 50 mg/m²
    assert card_of(cards, "dose-check")["summary"].startswith("Paclitaxel 90 mg")


def test_weekly_paclitaxel_at_70_in_week_1_is_flagged():
    resources = [*her2_positive_mbc(metastatic_days=100)]
    cards = order_select(resources, draft("trastuzumab", 280, every=7), *_weekly(125)[1:])
    assert "dose-check" in topics(cards)


def _her2climb(*, capecitabine_given: bool) -> list[dict]:
    days = (63, 42, 21)
    history = [*cycles("trastuzumab", *days), *cycles("tucatinib", *range(63, 0, -1))]
    if capecitabine_given:
        history += cycles("capecitabine", *[d - k for d in days for k in range(14)], dose=1800)
    return [*her2_positive_mbc(metastatic_days=400), *history]


def _climb_drafts(capecitabine_mg: float) -> list[dict]:
    return [
        draft("tucatinib", 300, per_day=2),
        draft("trastuzumab", 420),
        draft("capecitabine", capecitabine_mg, per_day=2),
    ]


@pytest.mark.parametrize("hook", [order_select, order_sign])
@pytest.mark.parametrize("mg", [1350, 900])  # 75 % and 50 % of 1000 mg/m²
def test_capecitabine_reduced_to_75_or_50_percent_gets_no_dose_card(hook, mg):
    assert _dose_cards(hook(_her2climb(capecitabine_given=True), *_climb_drafts(mg))) == []


def test_capecitabine_below_half_the_starting_dose_is_still_flagged():
    cards = order_select(_her2climb(capecitabine_given=True), *_climb_drafts(650))
    assert card_of(cards, "dose-check")["summary"].startswith("Capecitabine 650 mg")


def test_capecitabine_at_75_percent_before_any_capecitabine_is_flagged():
    cards = order_select(_her2climb(capecitabine_given=False), *_climb_drafts(1350))
    assert card_of(cards, "dose-check")["summary"].startswith("Capecitabine 1350 mg")


def test_near_the_escalated_docetaxel_dose_names_it_as_escalated_not_reduced():
    # 170 mg (95 mg/m²) is read as the 100 mg/m² level the Perjeta label allows escalating to
    [card] = _dose_cards(order_select(_thp(docetaxel_given=True), *_thp_drafts(170)))
    assert "below the 179 mg (100 mg/m²) escalated dose" in card["summary"]
    assert "reduced" not in card["summary"]
