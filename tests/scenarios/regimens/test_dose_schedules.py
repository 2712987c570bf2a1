"""The drafted dosing interval against the label schedules, and capecitabine's dose with its
partner (review findings 1 and 3). 70 kg, 165 cm, BSA 1.79 m²."""

from __future__ import annotations

import pytest

from tests.scenarios.regimens.builders import (
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


def _dose_card(cards: list[dict]) -> dict:
    return card_of(cards, "dose-check")


def test_docetaxel_three_weekly_dose_drafted_weekly():
    docetaxel = draft("docetaxel", 134, every=7)
    cards = order_select(
        her2_positive_mbc(), docetaxel, draft("trastuzumab", 560), draft("pertuzumab", 840)
    )
    card = _dose_card(cards)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Docetaxel 134 mg (75 mg/m²) weekly: the label schedule is every 3 weeks"
    )
    assert "docetaxel 134 mg (75 mg/m²) every 3 weeks" in card["detail"]
    assert deleted(card) == [reference(docetaxel)]
    [resource] = created(card)
    assert dose_mg(resource) == 134
    assert resource["dosageInstruction"][0]["timing"]["repeat"] == {
        "frequency": 1, "period": 3, "periodUnit": "wk",
    }  # fmt: skip


def test_docetaxel_every_three_weeks_gets_no_card():
    drafts = [draft("docetaxel", 134), draft("trastuzumab", 560), draft("pertuzumab", 840)]
    assert regimen_cards(order_select(her2_positive_mbc(), *drafts)) == []


@pytest.mark.parametrize("every", [20, 22])
def test_an_interval_within_the_window_reads_as_the_label_schedule(every):
    drafts = [
        draft("docetaxel", 134, every=every),
        draft("trastuzumab", 560, every=every),
        draft("pertuzumab", 840, every=every),
    ]
    assert regimen_cards(order_select(her2_positive_mbc(), *drafts)) == []


def test_pertuzumab_weekly():
    cards = order_select(
        her2_positive_mbc(),
        draft("pertuzumab", 840, every=7),
        draft("trastuzumab", 280, every=7),
        draft("paclitaxel", 143, every=7),
    )
    card = _dose_card(cards)
    assert card["summary"] == "Pertuzumab 840 mg weekly: the label schedule is every 3 weeks"


def test_herceptin_hylecta_weekly():
    cards = order_select(
        her2_positive_mbc(),
        draft("trastuzumab-sc", 600, every=7),
        draft("pertuzumab", 840),
        draft("docetaxel", 134),
    )
    card = _dose_card(cards)
    assert card["summary"] == "Trastuzumab SC 600 mg weekly: the label schedule is every 3 weeks"
    assert card["indicator"] == "warning"


def test_trastuzumab_every_two_weeks_names_both_label_schedules():
    cards = order_select(
        her2_positive_mbc(),
        draft("trastuzumab", 560, every=14),
        draft("pertuzumab", 840),
        draft("docetaxel", 134),
    )
    card = _dose_card(cards)
    assert card["summary"] == (
        "Trastuzumab 560 mg (8 mg/kg) every 2 weeks: the label schedule is every 3 weeks or weekly"
    )
    # 8 mg/kg is the 3-weekly loading dose: replace with that schedule
    [resource] = created(card)
    assert resource["dosageInstruction"][-1]["timing"]["repeat"]["period"] == 3


def test_a_wrong_interval_is_shown_at_order_sign():
    cards = order_sign(
        her2_positive_mbc(),
        draft("docetaxel", 134, every=7),
        draft("trastuzumab", 560),
        draft("pertuzumab", 840),
    )
    assert [c["summary"] for c in regimen_cards(cards)] == [
        "Docetaxel 134 mg (75 mg/m²) weekly: the label schedule is every 3 weeks"
    ]


def test_tucatinib_once_daily_instead_of_twice():
    cards = order_select(
        _after_thp_and_t_dxd(),
        draft("tucatinib", 300, every=1),
        draft("trastuzumab", 560),
        draft("capecitabine", 1790, per_day=2),
    )
    card = _dose_card(cards)
    assert card["summary"] == "Tucatinib 300 mg once daily: the label schedule is twice daily"


def _after_thp_and_t_dxd() -> list:
    return [
        *her2_positive_mbc(metastatic_days=800),
        *cycles("trastuzumab", 790, 769, 748, 500, dose=420),
        *cycles("pertuzumab", 790, 769, 748, 500, dose=420),
        *cycles("docetaxel", 790, 769, 748, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", 480, 459, 438, 120, dose=378),
    ]


# --- Finding 3: capecitabine at the dose of its partner (§2.2) ---------------------------


def test_capecitabine_with_tucatinib_above_1000_mg_per_m2():
    capecitabine = draft("capecitabine", 2500, per_day=2)
    cards = order_select(
        _after_thp_and_t_dxd(),
        draft("tucatinib", 300, per_day=2),
        draft("trastuzumab", 560),
        capecitabine,
    )
    card = _dose_card(cards)
    assert card["summary"] == (
        "Capecitabine 2500 mg (1397 mg/m²) is 40 % above 1800 mg (1000 mg/m²), the dose with "
        "tucatinib"
    )
    assert deleted(card) == [reference(capecitabine)]
    [resource] = created(card)
    assert dose_mg(resource) == 1800


def test_capecitabine_with_neratinib_is_750_mg_per_m2():
    cards = order_select(
        _after_thp_and_t_dxd(),
        draft("neratinib", 240, every=1),
        draft("capecitabine", 1790, per_day=2),
    )
    card = _dose_card(cards)
    assert card["summary"].startswith(
        "Capecitabine 1790 mg (1000 mg/m²) is 33 % above 1300 mg (750 mg/m²), the dose with "
        "neratinib"
    )
    right = order_select(
        _after_thp_and_t_dxd(),
        draft("neratinib", 240, every=1),
        draft("capecitabine", 1340, per_day=2),
    )
    assert [c for c in regimen_cards(right) if c["summary"].startswith("Capecitabine")] == []


def test_capecitabine_right_dose_with_tucatinib_gets_no_card():
    cards = order_select(
        _after_thp_and_t_dxd(),
        draft("tucatinib", 300, per_day=2),
        draft("trastuzumab", 560),
        draft("capecitabine", 1790, per_day=2),
    )
    assert regimen_cards(cards) == []


def test_capecitabine_without_a_known_partner_is_not_checked():
    # trastuzumab + capecitabine: the capecitabine dose is not in the table, so no check
    cards = order_select(
        _after_thp_and_t_dxd(),
        draft("trastuzumab", 560),
        draft("capecitabine", 2500, per_day=2),
    )
    assert [c for c in cards if c["source"]["topic"]["code"] == "dose-check"] == []
