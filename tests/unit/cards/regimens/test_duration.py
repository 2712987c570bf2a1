"""The current trastuzumab course for the 1-year check: administrations, orders without
administrations, the gap that separates courses, and weekly doses counted as a third of a cycle."""

from __future__ import annotations

from datetime import date, timedelta

from cards.regimens.course_count import count
from fhir_mappings import Dose, TherapySetting
from tests.unit.cards.facts_factory import exposure
from tests.unit.cards.regimens.support import (
    NOW,
    T_DM1,
    TRASTUZUMAB,
    ago,
    early_stage,
    exposed,
    her2_mbc,
    history,
    only,
    order,
    run,
)

GAP = timedelta(days=90)
RULES = only(["adjuvant-duration"])


def _given(*days: float):
    # administrations: the support factory marks dose events as MedicationAdministration
    return exposed(
        TRASTUZUMAB,
        start_days=max(days),
        last_dose_days=min(days),
        end_days=min(days),
        setting=TherapySetting.EARLY,
        doses=[(d, Dose(420, "mg")) for d in sorted(days)],
    )


def test_course_walks_back_over_gaps_up_to_the_limit():
    from cards.regimens.course_count import current_course

    course = current_course((_given(400, 310, 220, 130, 40),), NOW, GAP)
    assert course is not None and course.start == ago(400) and course.doses == 5
    broken = current_course((_given(400, 309, 218),), NOW, GAP)  # 91 days apart: new course
    assert broken is None  # and the last dose is 218 days ago: no current course at all


def test_an_order_without_administrations_covers_its_period():
    from cards.regimens.course_count import current_course

    ordered = exposure(
        TRASTUZUMAB, start_days=380, end_days=20, active=False, setting=TherapySetting.EARLY
    )
    course = current_course((ordered,), NOW, GAP)
    assert course is not None and course.start == ago(380) and course.doses == 0


def test_warning_past_52_weeks_and_none_after_a_conjugate():
    facts = her2_mbc(disease=early_stage(), therapy=history(_given(*range(380, 20, -21))))
    [finding] = run(facts, order(TRASTUZUMAB, 420), rules=RULES)
    assert finding.safety and finding.indicator.value == "warning"
    after_t_dm1 = her2_mbc(
        disease=early_stage(),
        therapy=history(
            _given(*range(380, 20, -21)),
            exposed(T_DM1, start_days=200, last_dose_days=60, setting=TherapySetting.EARLY),
        ),
    )
    assert run(after_t_dm1, order(TRASTUZUMAB, 420), rules=RULES) == []


def _days(*offsets: int) -> list[date]:
    return [date(2026, 1, 1) + timedelta(days=d) for d in offsets]


def test_weekly_doses_are_a_third_of_a_cycle_and_the_switch_a_week_later_is_a_cycle():
    # weekly x3, the first three-weekly dose a week after the last weekly one (label), then q3w
    tally = count(_days(0, 7, 14, 21, 42), weekly_gap_days=10)
    assert (tally.weekly, tally.three_weekly) == (3, 2)
    assert tally.cycles == 3 and tally.weeks == 9


def test_a_missed_week_does_not_make_a_weekly_dose_a_cycle():
    tally = count(_days(0, 7, 21, 28), weekly_gap_days=10)  # no dose on day 14
    assert (tally.weekly, tally.three_weekly) == (4, 0)
