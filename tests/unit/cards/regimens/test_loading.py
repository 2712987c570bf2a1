"""Loading or maintenance from the last dose date (C11), on both sides of each limit."""

from __future__ import annotations

import pytest

from cards import CardsConfig
from cards.catalog import catalog
from cards.regimens.loading import DueDose, due_dose
from tests.unit.cards.regimens.support import (
    HYLECTA,
    PERTUZUMAB,
    PHESGO,
    T_DXD,
    TRASTUZUMAB,
    exposed,
    her2_mbc,
    history,
)


def _due(drug: str, schedule: str, *exposures, config: CardsConfig | None = None):
    facts = her2_mbc(therapy=history(*exposures))
    entry = catalog().drugs[drug]
    return due_dose(entry, entry.schedule(schedule), facts, catalog(), config or CardsConfig())


def test_first_dose_is_a_loading_dose():
    due = _due(TRASTUZUMAB, "q3w")
    assert due.due is DueDose.LOADING and not due.reload


@pytest.mark.parametrize(
    ("schedule", "days_since", "due"),
    [
        ("q3w", 21, DueDose.MAINTENANCE),
        ("q3w", 28, DueDose.MAINTENANCE),  # 7 days late: not more than 1 week
        ("q3w", 29, DueDose.LOADING),  # 8 days late: re-load
        ("weekly", 14, DueDose.MAINTENANCE),
        ("weekly", 15, DueDose.LOADING),
    ],
)
def test_trastuzumab_reloads_when_more_than_a_week_late(schedule, days_since, due):
    result = _due(TRASTUZUMAB, schedule, exposed(TRASTUZUMAB, last_dose_days=days_since))
    assert result.due is due
    assert result.reload is (due is DueDose.LOADING)


@pytest.mark.parametrize(
    ("drug", "days_since", "due"),
    [
        (PERTUZUMAB, 41, DueDose.MAINTENANCE),
        (PERTUZUMAB, 42, DueDose.LOADING),
        (PHESGO, 41, DueDose.MAINTENANCE),
        (PHESGO, 43, DueDose.LOADING),
    ],
)
def test_pertuzumab_and_phesgo_reload_at_six_weeks(drug, days_since, due):
    assert _due(drug, "q3w", exposed(drug, last_dose_days=days_since)).due is due


def test_phesgo_doses_count_as_trastuzumab_doses():
    assert _due(TRASTUZUMAB, "q3w", exposed(PHESGO, last_dose_days=21)).due is DueDose.MAINTENANCE


def test_t_dxd_is_not_a_trastuzumab_dose():
    assert _due(TRASTUZUMAB, "q3w", exposed(T_DXD, last_dose_days=21)).due is DueDose.LOADING


def test_earlier_doses_without_dates_are_unknown_not_maintenance():
    due = _due(TRASTUZUMAB, "q3w", exposed(TRASTUZUMAB, start_days=None, last_dose_days=None))
    assert due.due is DueDose.UNKNOWN
    assert "not" in due.reason


def test_reload_limit_is_configurable():
    config = CardsConfig(threshold_overrides={"trastuzumab_reload_late_days": 14})
    due = _due(TRASTUZUMAB, "q3w", exposed(TRASTUZUMAB, last_dose_days=30), config=config)
    assert due.due is DueDose.MAINTENANCE


def test_a_drug_without_loading_dose_is_always_maintenance():
    assert _due(HYLECTA, "q3w").due is DueDose.MAINTENANCE


def test_end_of_a_finished_order_stands_in_for_a_missing_administration():
    finished = exposed(TRASTUZUMAB, start_days=200, end_days=21, last_dose_days=None)
    due = _due(TRASTUZUMAB, "q3w", finished)
    assert due.due is DueDose.MAINTENANCE
    assert "no administration on file" in due.reason
    long_ago = exposed(TRASTUZUMAB, start_days=200, end_days=60, last_dose_days=None)
    assert _due(TRASTUZUMAB, "q3w", long_ago).due is DueDose.LOADING


def test_an_active_order_without_administrations_is_unknown():
    standing = exposed(TRASTUZUMAB, start_days=30, active=True, last_dose_days=None)
    assert _due(TRASTUZUMAB, "q3w", standing).due is DueDose.UNKNOWN
