"""Adjuvant trastuzumab beyond 1 year (review finding 13; §1.9: 52 weeks in total, extending
beyond 1 year is not recommended [L1]; H+P 1 year, up to 18 cycles [L2]).

Second review R1: the limit is counted in doses given (a weekly dose is a third of a cycle), so
the weeks between the neoadjuvant and adjuvant parts (surgery) do not count as therapy; the
calendar is used only when no administrations are on file, with a surgery allowance."""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    body_size,
    card_of,
    cycles,
    deleted,
    draft,
    order_select,
    order_sign,
    ordered,
    reference,
    topic,
    topics,
)

RULE = "adjuvant-duration"


def _early(*trastuzumab_days: float, drug: str = "trastuzumab") -> list[dict]:
    return [
        fb.patient(),
        fb.breast_cancer(onset=ago(420)),
        fb.her2_ihc("3+", when=ago(415)),
        fb.lvef(60, when=ago(20)),
        *body_size(),
        *cycles(drug, *trastuzumab_days, dose=420),
    ]


def _every_three_weeks(first: int, last: int) -> list[int]:
    return list(range(first, last - 1, -21))


def test_trastuzumab_drafted_after_18_cycles():
    trastuzumab = draft("trastuzumab", 420)
    cards = order_select(_early(*_every_three_weeks(380, 23)), trastuzumab)
    card = card_of(cards, RULE)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Trastuzumab: 18 cycles given since 2025-11-06; adjuvant HER2 therapy is 1 year, up to "
        "18 cycles in total"
    )
    assert "18 administrations are on file" in card["detail"]
    assert "held" in card["detail"]  # held doses do not count: they add no therapy
    assert deleted(card) == [reference(trastuzumab)]
    assert card["source"]["url"].startswith("https://")
    assert topics(order_sign(_early(*_every_three_weeks(380, 23)), draft("trastuzumab", 420))) == [
        RULE
    ]


def test_trastuzumab_drafted_after_17_cycles_gets_no_card():
    cards = order_select(_early(*_every_three_weeks(350, 14)), draft("trastuzumab", 420))
    assert RULE not in topics(cards)


@pytest.mark.parametrize(("doses", "cards"), [(17, 0), (18, 1)])
def test_the_limit_is_18_cycles_given(doses, cards):
    resources = _early(*_every_three_weeks(21 * doses, 21))
    assert topics(order_select(resources, draft("trastuzumab", 420))).count(RULE) == cards


def test_phesgo_counts_as_trastuzumab():
    cards = order_select(
        _early(*_every_three_weeks(380, 23), drug="pertuzumab-trastuzumab-sc"),
        draft("pertuzumab-trastuzumab-sc", 600),
    )
    assert RULE in topics(cards)


def test_a_new_course_after_a_long_break_is_not_counted_from_the_old_one():
    # an earlier course ended 300 days ago; the current one started 60 days ago
    resources = _early(*_every_three_weeks(700, 300), *_every_three_weeks(60, 18))
    assert RULE not in topics(order_select(resources, draft("trastuzumab", 420)))


def test_metastatic_disease_gets_no_duration_card():
    resources = [
        *_early(*_every_three_weeks(380, 23)),
        fb.metastatic_breast_cancer(onset=ago(400)),
    ]
    assert RULE not in topics(order_select(resources, draft("trastuzumab", 420)))


def _neoadjuvant_then_adjuvant(adjuvant_doses: int, *, dose: float | None = 420) -> list[dict]:
    """TCHP x6 (H+P every 3 weeks from 378 days ago), surgery, adjuvant H+P from 6 weeks after
    the last neoadjuvant cycle: the calendar runs 3 weeks ahead of the doses given."""
    neoadjuvant = _every_three_weeks(378, 273)
    adjuvant = list(range(231, 231 - 21 * adjuvant_doses, -21))
    return [
        *_early(),
        fb.receptor("er", percent=0, when=ago(415)),
        *cycles("trastuzumab", *neoadjuvant, *adjuvant, dose=dose),
        *cycles("pertuzumab", *neoadjuvant, *adjuvant, dose=dose),
        *cycles("docetaxel", *neoadjuvant, dose=130),
    ]


def test_neoadjuvant_and_adjuvant_17_cycles_with_a_surgery_gap_gets_no_card():
    # 54 calendar weeks since the first dose, 17 cycles given: the 18th is due
    resources = _neoadjuvant_then_adjuvant(11)
    cards = order_select(resources, draft("trastuzumab", 420), draft("pertuzumab", 420))
    assert RULE not in topics(cards)


def test_neoadjuvant_and_adjuvant_18_cycles_removes_both_drafts():
    resources = _neoadjuvant_then_adjuvant(12)
    trastuzumab, pertuzumab = draft("trastuzumab", 420), draft("pertuzumab", 420)
    card = card_of(order_select(resources, trastuzumab, pertuzumab), RULE)
    assert "18 cycles" in card["summary"]
    assert sorted(deleted(card)) == sorted([reference(trastuzumab), reference(pertuzumab)])
    assert "trastuzumab + pertuzumab" in card["suggestions"][0]["label"]


def test_administrations_without_a_dose_amount_are_counted():
    resources = _neoadjuvant_then_adjuvant(12, dose=None)
    card = card_of(order_select(resources, draft("trastuzumab", 420)), RULE)
    assert "18 administrations are on file" in card["detail"]
    assert "no administrations" not in card["detail"]
    quiet = _neoadjuvant_then_adjuvant(11, dose=None)
    assert RULE not in topics(order_select(quiet, draft("trastuzumab", 420)))


def test_weekly_doses_count_as_a_third_of_a_cycle():
    # weekly x12 with paclitaxel (4 cycles' worth), then every 3 weeks
    def resources(three_weekly: int) -> list[dict]:
        first_q3w = 21 * three_weekly
        weekly = list(range(first_q3w + 7 * 12, first_q3w, -7))
        return _early(*weekly, *_every_three_weeks(first_q3w, 21))

    assert RULE not in topics(order_select(resources(13), draft("trastuzumab", 420)))
    card = card_of(order_select(resources(14), draft("trastuzumab", 420)), RULE)
    assert "12 weekly" in card["detail"]


@pytest.mark.parametrize(("weeks", "cards"), [(59, 0), (61, 1)])
def test_without_administrations_the_calendar_counts_with_a_surgery_allowance(weeks, cards):
    # 52 weeks + an 8-week allowance for surgery between the neoadjuvant and adjuvant parts
    resources = [
        *_early(),
        ordered("trastuzumab", start_days=weeks * 7, status="active"),
    ]
    found = [c for c in order_select(resources, draft("trastuzumab", 420)) if topic(c) == RULE]
    assert len(found) == cards
    if found:
        assert "no administrations are on file" in found[0]["detail"]
