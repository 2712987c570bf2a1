"""The current trastuzumab course for the 52-week check: administrations, orders without
administrations, and the gap that separates courses."""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings import Dose, TherapySetting
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
    from cards.regimens.duration import current_course

    course = current_course((_given(400, 310, 220, 130, 40),), NOW, GAP)
    assert course is not None and course.start == ago(400) and course.doses == 5
    broken = current_course((_given(400, 309, 218),), NOW, GAP)  # 91 days apart: new course
    assert broken is None  # and the last dose is 218 days ago: no current course at all


def test_an_order_without_administrations_covers_its_period():
    from cards.regimens.duration import current_course

    ordered = exposed(TRASTUZUMAB, start_days=380, end_days=20, setting=TherapySetting.EARLY)
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
