"""Adjuvant trastuzumab beyond 52 weeks (review finding 13; §1.9: 52 weeks in total, extending
beyond 1 year is not recommended [L1])."""

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
    reference,
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


def test_trastuzumab_drafted_54_weeks_after_the_course_started():
    trastuzumab = draft("trastuzumab", 420)
    cards = order_select(_early(*_every_three_weeks(380, 23)), trastuzumab)
    card = card_of(cards, RULE)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Trastuzumab since 2025-11-06 (54 weeks): adjuvant HER2 therapy is given for 52 weeks "
        "in total, not longer"
    )
    assert "18 doses" in card["detail"]
    assert "held" in card["detail"]  # doses held for toxicity can explain a longer course
    assert deleted(card) == [reference(trastuzumab)]
    assert card["source"]["url"].startswith("https://")
    assert topics(order_sign(_early(*_every_three_weeks(380, 23)), draft("trastuzumab", 420))) == [
        RULE
    ]


def test_trastuzumab_drafted_at_week_50_gets_no_card():
    cards = order_select(_early(*_every_three_weeks(350, 14)), draft("trastuzumab", 420))
    assert RULE not in topics(cards)


@pytest.mark.parametrize(("started", "cards"), [(364, 0), (365, 1)])
def test_the_limit_is_52_weeks(started, cards):
    resources = _early(*_every_three_weeks(started, 21))
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
