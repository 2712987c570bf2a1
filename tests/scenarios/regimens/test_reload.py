"""Loading or maintenance from the date of the last dose (C11): trastuzumab is re-loaded when
more than a week late, pertuzumab and Phesgo at six weeks or more."""

from __future__ import annotations

import pytest

from cards.hook_input import DataGap
from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.regimens.builders import (
    NOW,
    card_of,
    created,
    cycles,
    deleted,
    dose_mg,
    draft,
    her2_positive_mbc,
    order_select,
    order_sign,
    reference,
    regimen_cards,
)


def _on_hp(last_days: float, *, drug: str = "trastuzumab", every: int = 21, dose: float = 420):
    """First-line HER2 therapy for months, the last dose `last_days` ago (chemotherapy done)."""
    start = 200
    return [
        *her2_positive_mbc(metastatic_days=start + 10),
        *cycles(drug, start, start - every, last_days, dose=dose),
        *cycles("docetaxel", start, start - 21, dose=134),
    ]


@pytest.mark.parametrize(("days", "reload"), [(21, False), (28, False), (29, True), (35, True)])
def test_trastuzumab_every_3_weeks(days, reload):
    h = draft("trastuzumab", 420)
    cards = order_select(_on_hp(days), h)
    if not reload:
        assert regimen_cards(cards) == []
        return
    card = card_of(cards, "C11")
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Re-load trastuzumab: last dose")
    assert "give 560 mg (8 mg/kg), not the 420 mg (6 mg/kg) maintenance dose" in card["summary"]
    assert deleted(card) == [reference(h)]
    assert [dose_mg(r) for r in created(card)] == [560]


@pytest.mark.parametrize(("days", "reload"), [(14, False), (15, True)])
def test_trastuzumab_weekly(days, reload):
    resources = _on_hp(days, every=7, dose=140)
    cards = order_select(resources, draft("trastuzumab", 140, every=7))
    assert [c["source"]["topic"]["code"] for c in regimen_cards(cards)] == (
        ["C11"] if reload else []
    )
    if reload:
        assert [dose_mg(r) for r in created(regimen_cards(cards)[0])] == [280]


@pytest.mark.parametrize(("days", "reload"), [(41, False), (42, True)])
def test_pertuzumab_six_weeks(days, reload):
    resources = [*_on_hp(21), *cycles("pertuzumab", 200, 179, days, dose=420)]
    cards = order_select(resources, draft("trastuzumab", 420), draft("pertuzumab", 420))
    if reload:
        card = card_of(cards, "C11")
        assert "give 840 mg, not the 420 mg maintenance dose" in card["summary"]
    else:
        assert regimen_cards(cards) == []


def test_phesgo_after_seven_weeks_needs_the_loading_volume():
    resources = _on_hp(49, drug="pertuzumab-trastuzumab-sc", dose=10)
    cards = order_select(resources, draft("pertuzumab-trastuzumab-sc", 10, "mL"))
    card = card_of(cards, "C11")
    assert card["summary"].startswith("Re-load Phesgo")
    assert (
        regimen_cards(order_select(resources, draft("pertuzumab-trastuzumab-sc", 15, "mL"))) == []
    )


def test_loading_dose_when_maintenance_is_due():
    card = card_of(order_select(_on_hp(21), draft("trastuzumab", 560)), "dose-check")
    assert card["summary"].startswith("Trastuzumab 560 mg (8 mg/kg) is a loading dose")
    assert "maintenance 420 mg (6 mg/kg) is due" in card["summary"]


def test_reload_warning_is_shown_at_order_sign():
    cards = order_sign(_on_hp(35), draft("trastuzumab", 420))
    assert [c["source"]["topic"]["code"] for c in regimen_cards(cards)] == ["C11"]


def test_without_the_administration_history_a_reload_is_not_ruled_out():
    gap = DataGap(
        "medicationAdministrations", "medication administrations", "the FHIR server timed out"
    )
    h = draft("trastuzumab", 420)
    cards = run_hook(
        "order-select",
        her2_positive_mbc(),
        now=NOW,
        draft_orders=fb.draft_bundle(h),
        selections=fb.selections(h),
        gaps=[gap],
    )
    card = card_of(cards, "C11")
    assert card["summary"].startswith("Last trastuzumab dose date not on file")
    assert card["indicator"] == "info"
    assert "could not be obtained" in card["detail"]


# Review finding 3: the delay is counted in calendar days (date of the last dose to the date
# of this order, Herceptin "more than one week"), never in hours. NOW is 12:00 UTC, so 28.4
# days before is 02:24 and 27.6 days before is 21:36 on the same calendar day, 28 days back.
@pytest.mark.parametrize(("days", "reload"), [(27.6, False), (28.4, False), (28.6, True)])
def test_trastuzumab_one_week_late_is_decided_by_the_date_not_the_hour(days, reload):
    h = draft("trastuzumab", 420)
    for hook in (order_select, order_sign):
        topics = [c["source"]["topic"]["code"] for c in regimen_cards(hook(_on_hp(days), h))]
        assert topics == (["C11"] if reload else []), (hook, days)


@pytest.mark.parametrize(("days", "reload"), [(13.6, False), (14.4, False), (14.6, True)])
def test_weekly_trastuzumab_one_week_late_by_the_date(days, reload):
    resources = _on_hp(days, every=7, dose=140)
    cards = order_select(resources, draft("trastuzumab", 140, every=7))
    assert [c["source"]["topic"]["code"] for c in regimen_cards(cards)] == (
        ["C11"] if reload else []
    )


@pytest.mark.parametrize(("days", "reload"), [(41.4, False), (41.6, True)])
def test_pertuzumab_six_weeks_by_the_date(days, reload):
    """41.6 days before 12:00 is 21:36 six calendar weeks ago: 6 weeks or more, re-load."""
    resources = [*_on_hp(21), *cycles("pertuzumab", 200, 179, days, dose=420)]
    cards = order_select(resources, draft("trastuzumab", 420), draft("pertuzumab", 420))
    assert [c["source"]["topic"]["code"] for c in regimen_cards(cards)] == (
        ["C11"] if reload else []
    )
