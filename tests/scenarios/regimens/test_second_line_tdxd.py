"""Second line after progression on first-line THP: T-DXd 5.4 mg/kg q3w is preferred; T-DM1
only when T-DXd is unavailable (ASCO 2022 rec. 2.1)."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    card_of,
    created,
    cycles,
    deleted,
    dose_mg,
    draft,
    drug_text,
    her2_positive_mbc,
    order_select,
    patient_view,
    reference,
    regimen_cards,
    topics,
)


def _after_first_line_thp(*, last_cycle_days: float = 120, **patient) -> list:
    """THP from 14 months ago; the last cycle `last_cycle_days` ago (progression since)."""
    start = 420
    days = [start, start - 21, start - 42, last_cycle_days + 21, last_cycle_days]
    return [
        *her2_positive_mbc(metastatic_days=430, **patient),
        *cycles("trastuzumab", *days, dose=420),
        *cycles("pertuzumab", *days, dose=420),
        *cycles("docetaxel", start, start - 21, start - 42, dose=134),
    ]


def test_t_dm1_where_t_dxd_was_never_given():
    tdm1 = draft("ado-trastuzumab-emtansine", 252)
    cards = order_select(_after_first_line_thp(), tdm1)
    card = card_of(cards, "C12-second-line")
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "T-DXd 378 mg (5.4 mg/kg) every 3 weeks is preferred over T-DM1 second line"
    )
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] is True
    assert deleted(card) == [reference(tdm1)]
    [resource] = created(card)
    assert (drug_text(resource), dose_mg(resource)) == ("T-DXd (fam-trastuzumab deruxtecan)", 378)
    assert "T-DM1 252 mg (3.6 mg/kg) every 3 weeks when T-DXd is unavailable" in card["detail"]
    assert "1 earlier HER2-directed line(s) for metastatic disease" in card["detail"]


def test_t_dxd_second_line_gets_no_regimen_card():
    cards = order_select(_after_first_line_thp(), draft("fam-trastuzumab-deruxtecan", 378))
    assert regimen_cards(cards) == []


def test_next_thp_cycle_is_not_second_line():
    resources = _after_first_line_thp(last_cycle_days=21)
    cards = order_select(resources, draft("trastuzumab", 420), draft("pertuzumab", 420))
    assert regimen_cards(cards) == []


def test_patient_view_after_progression_recommends_t_dxd():
    card = card_of(patient_view(_after_first_line_thp()), "C12-summary")
    assert card["summary"] == (
        "HER2+ MBC, second line: T-DXd 378 mg (5.4 mg/kg) q3w preferred; "
        "T-DM1 252 mg if unavailable"
    )


def test_patient_view_during_first_line_says_continue():
    card = card_of(patient_view(_after_first_line_thp(last_cycle_days=21)), "C12-summary")
    assert card["summary"].startswith(
        "HER2+ MBC on first line pertuzumab + trastuzumab since 2025-09-27"
    )
    assert "continue HER2 therapy until progression" in card["summary"]
    assert "T-DXd is preferred second line" in card["detail"]


def test_t_dm1_after_first_line_t_dxd_plus_pertuzumab_is_a_later_option():
    days = [420, 399, 378, 141, 120]
    resources = [
        *her2_positive_mbc(metastatic_days=430),
        *cycles("fam-trastuzumab-deruxtecan", *days, dose=378),
        *cycles("pertuzumab", *days, dose=420),
    ]
    cards = order_select(resources, draft("ado-trastuzumab-emtansine", 252))
    assert "C12-second-line" not in topics(cards)
    assert regimen_cards(cards) == []
