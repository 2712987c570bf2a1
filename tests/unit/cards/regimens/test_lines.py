"""Line of therapy from facts only: the 12-month rule, completed and ongoing lines, and
"undetermined" when the dates cannot decide."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cards import CardsConfig, Hook, HookInput
from cards.regimens.lines import LineKind, assess_line
from cards.regimens.situation import situation
from fhir_mappings import TherapySetting
from tests.unit.cards.regimens.support import (
    DOCETAXEL,
    PERTUZUMAB,
    T_DM1,
    T_DXD,
    TRASTUZUMAB,
    TUCATINIB,
    exposed,
    her2_mbc,
    history,
    line,
    metastatic,
    order,
)


def _line(facts, *orders):
    return assess_line(situation(HookInput(Hook.ORDER_SELECT, "p", facts, orders), CardsConfig()))


def test_no_her2_therapy_for_metastatic_disease_is_first_line():
    result = _line(her2_mbc())
    assert result.kind is LineKind.FIRST and result.number == 1
    assert not result.early_relapse


@pytest.mark.parametrize(
    ("adjuvant_end_days", "kind"),
    [
        (60 + 200, LineKind.SECOND),  # ~6.6 months before recurrence
        (60 + 365, LineKind.SECOND),  # 11.99 months
        (60 + 370, LineKind.FIRST),  # 12.16 months
        (60 + 800, LineKind.FIRST),
    ],
)
def test_twelve_month_rule_after_adjuvant_trastuzumab(adjuvant_end_days, kind):
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=adjuvant_end_days)
    facts = her2_mbc(
        disease=metastatic(since_days=60, adjuvant_end_days=adjuvant_end_days),
        therapy=history(adjuvant),
    )
    result = _line(facts)
    assert result.kind is kind
    assert result.early_relapse is (kind is LineKind.SECOND)
    assert "months before the metastatic diagnosis" in result.reasons[0]


@pytest.mark.parametrize(("months", "kind"), [(12.0, LineKind.SECOND), (12.01, LineKind.FIRST)])
def test_twelve_months_exactly_is_within_twelve_months(months, kind):
    disease = replace(
        metastatic(since_days=60, adjuvant_end_days=430), months_adjuvant_end_to_recurrence=months
    )
    assert _line(her2_mbc(disease=disease)).kind is kind


def test_adjuvant_trastuzumab_without_an_end_date_is_undetermined():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, start_days=None)
    result = _line(her2_mbc(therapy=history(adjuvant)))
    assert result.kind is LineKind.UNDETERMINED and result.number is None
    assert result.missing == ("End date of (neo)adjuvant trastuzumab-based therapy",)


def test_no_adjuvant_end_from_the_mapping_is_not_guessed_from_the_exposure():
    # the mapping leaves the end unknown when the record has none (§1.2 "Do not guess"): an
    # earlier administration must not stand in for it
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=200)
    result = _line(her2_mbc(disease=metastatic(since_days=60), therapy=history(adjuvant)))
    assert result.kind is LineKind.UNDETERMINED
    assert result.unclear_because == "end of (neo)adjuvant trastuzumab-based therapy not on file"


def test_adjuvant_t_dm1_counts_as_trastuzumab_based_therapy():
    t_dm1 = exposed(T_DM1, setting=TherapySetting.EARLY, last_dose_days=330)
    facts = her2_mbc(
        disease=metastatic(since_days=60, adjuvant_end_days=330), therapy=history(t_dm1)
    )
    assert _line(facts).kind is LineKind.SECOND
    # pertuzumab alone or extended adjuvant neratinib is not trastuzumab-based therapy
    others = history(
        exposed(PERTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=330),
        exposed("neratinib", setting=TherapySetting.EARLY, last_dose_days=100),
    )
    assert _line(her2_mbc(therapy=others)).kind is LineKind.FIRST


@pytest.mark.parametrize("months", [-0.6, 0.0])
def test_adjuvant_therapy_still_given_after_the_metastatic_date_is_second_line(months):
    """Recurrence during adjuvant therapy, or a date recorded late: either way within 12
    months of it, so second line (ASCO rec. 5.0), with the dates to check."""
    disease = replace(
        metastatic(since_days=60, adjuvant_end_days=40), months_adjuvant_end_to_recurrence=months
    )
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=40)
    result = _line(her2_mbc(disease=disease, therapy=history(adjuvant)))
    assert result.kind is LineKind.SECOND
    if months < 0:
        assert "still on file when the metastatic disease was recorded" in result.reasons[0]
        assert "check the dates in the record" in result.reasons[0]
        assert "-0.6" not in result.reasons[0]


def test_adjuvant_therapy_still_active_shortly_before_recurrence_is_second_line():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=80, active=True)
    facts = her2_mbc(
        disease=metastatic(since_days=60, adjuvant_end_days=80), therapy=history(adjuvant)
    )
    assert _line(facts).kind is LineKind.SECOND


def test_adjuvant_order_still_active_long_before_recurrence_is_undetermined():
    """Last record 14 months before the recurrence but the order still open: it may have run
    on (second line) or been left open (first line); the record cannot tell."""
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=500, active=True)
    facts = her2_mbc(
        disease=metastatic(since_days=60, adjuvant_end_days=500), therapy=history(adjuvant)
    )
    result = _line(facts)
    assert result.kind is LineKind.UNDETERMINED
    assert "is still marked active after the metastatic diagnosis date" in result.reasons[0]
    assert "still running" not in result.reasons[0]  # its last record is 14 months earlier


def test_missing_metastatic_diagnosis_date_is_undetermined_after_adjuvant_trastuzumab():
    facts = her2_mbc(disease=metastatic(since_days=None, adjuvant_end_days=400))
    result = _line(facts)
    assert result.kind is LineKind.UNDETERMINED
    assert "Date of the metastatic diagnosis (recurrence)" in result.missing


def test_her2_therapy_that_cannot_be_placed_is_undetermined():
    unplaced = exposed(TRASTUZUMAB, setting=TherapySetting.UNKNOWN)
    result = _line(her2_mbc(therapy=history(unplaced)))
    assert result.kind is LineKind.UNDETERMINED


def test_completed_lines_count():
    thp = [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL]
    one = her2_mbc(therapy=history(lines=[line(1, thp, 400, 120)]))
    assert _line(one).kind is LineKind.SECOND and _line(one).prior_metastatic_lines == 1
    two = her2_mbc(therapy=history(lines=[line(1, thp, 700, 400), line(2, [T_DXD], 390, 120)]))
    assert _line(two).kind is LineKind.LATER and _line(two).number == 3


def test_early_relapse_adds_a_line_to_metastatic_lines():
    facts = her2_mbc(
        disease=metastatic(since_days=400, adjuvant_end_days=500),
        therapy=history(lines=[line(1, [T_DXD], 390, 120)]),
    )
    assert _line(facts).number == 3


def test_drafts_continuing_the_ongoing_line():
    ongoing = line(1, [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL], 60)
    facts = her2_mbc(therapy=history(lines=[ongoing]))
    result = _line(facts, order(TRASTUZUMAB, 420), order(PERTUZUMAB, 420))
    assert result.continuing and result.kind is LineKind.FIRST


def test_pertuzumab_may_join_trastuzumab_in_the_first_line():
    facts = her2_mbc(therapy=history(lines=[line(1, [TRASTUZUMAB, DOCETAXEL], 40)]))
    assert _line(facts, order(PERTUZUMAB, 840)).continuing


def test_a_new_her2_drug_starts_the_next_line():
    ongoing = line(1, [TRASTUZUMAB, PERTUZUMAB], 300)
    result = _line(her2_mbc(therapy=history(lines=[ongoing])), order(T_DM1, 252))
    assert not result.continuing
    assert result.kind is LineKind.SECOND and result.prior_metastatic_lines == 1
    assert "start the next line" in result.reasons[-1]


def test_tucatinib_added_to_an_ongoing_second_line_starts_the_third():
    lines = [line(1, [TRASTUZUMAB, PERTUZUMAB], 700, 400), line(2, [T_DXD], 390)]
    result = _line(her2_mbc(therapy=history(lines=lines)), order(TUCATINIB, 300, interval=0.5))
    assert result.kind is LineKind.LATER and result.number == 3


def test_a_line_that_ended_recently_is_still_current():
    """Every cycle may be recorded as completed; the next cycle is not a new line."""
    thp = [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL]
    recent = her2_mbc(therapy=history(lines=[line(1, thp, 120, 21)]))
    result = _line(recent, order(TRASTUZUMAB, 420), order(PERTUZUMAB, 420))
    assert result.kind is LineKind.FIRST and result.continuing
    assert _line(recent).ongoing is not None  # patient-view: still on the first line
    ended = her2_mbc(therapy=history(lines=[line(1, thp, 300, 91)]))
    assert _line(ended, order(TRASTUZUMAB, 420)).kind is LineKind.SECOND


def test_recent_line_window_is_configurable():
    thp = [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL]
    facts = her2_mbc(therapy=history(lines=[line(1, thp, 300, 60)]))
    config = CardsConfig(threshold_overrides={"line_current_days": 30})
    hook_input = HookInput(Hook.ORDER_SELECT, "p", facts, (order(TRASTUZUMAB, 420),))
    assert assess_line(situation(hook_input, config)).kind is LineKind.SECOND
    assert _line(facts, order(TRASTUZUMAB, 420)).kind is LineKind.FIRST
