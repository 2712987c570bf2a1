"""Margetuximab in later lines: given with chemotherapy, never with trastuzumab (review finding
16), and its label population is at least 2 prior anti-HER2 regimens in total, at least 1 for
metastatic disease (§1.4 [L9])."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    card_of,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    topics,
)

LATER = "C12-later-lines"


def _after_thp_and_t_dxd() -> list[dict]:
    return [
        *her2_positive_mbc(metastatic_days=720),
        *cycles("trastuzumab", 690, 669, 648, 200, dose=420),
        *cycles("pertuzumab", 690, 669, 648, 200, dose=420),
        *cycles("docetaxel", 690, 669, 648, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", 180, 159, 40, dose=378),
    ]


def test_margetuximab_with_trastuzumab_is_two_antibodies():
    cards = order_select(
        _after_thp_and_t_dxd(),
        draft("margetuximab", 1050),
        draft("capecitabine", 1790, per_day=2),
        draft("trastuzumab", 560),
    )
    card = card_of(cards, LATER)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Margetuximab + trastuzumab are two anti-HER2 antibodies: margetuximab is given with "
        "chemotherapy, not trastuzumab"
    )
    assert "already given" not in card["summary"]


def test_margetuximab_with_capecitabine_after_two_lines_gets_no_card():
    cards = order_select(
        _after_thp_and_t_dxd(), draft("margetuximab", 1050), draft("capecitabine", 1790, per_day=2)
    )
    assert LATER not in topics(cards)


def _after_first_line_t_dxd(*, adjuvant: bool) -> list[dict]:
    """One metastatic line (T-DXd + pertuzumab); with or without adjuvant trastuzumab."""
    resources = [
        *her2_positive_mbc(metastatic_days=400, diagnosis_days=1500),
        *cycles("fam-trastuzumab-deruxtecan", 390, 369, 348, 100, dose=378),
        *cycles("pertuzumab", 390, 369, 348, 100, dose=420),
    ]
    if adjuvant:
        resources += cycles("trastuzumab", 1400, 1379, 1358, 1100, dose=420)
    return resources


def test_margetuximab_after_one_regimen_in_total_is_outside_its_label():
    cards = order_select(
        _after_first_line_t_dxd(adjuvant=False),
        draft("margetuximab", 1050),
        draft("capecitabine", 1790, per_day=2),
    )
    card = card_of(cards, LATER)
    assert card["summary"].startswith("Margetuximab + chemotherapy: label: after at least 2 prior")
    assert "1 prior anti-HER2 regimen(s) on file" in card["detail"]


def test_margetuximab_after_adjuvant_trastuzumab_and_one_metastatic_line_is_in_its_label():
    cards = order_select(
        _after_first_line_t_dxd(adjuvant=True),
        draft("margetuximab", 1050),
        draft("capecitabine", 1790, per_day=2),
    )
    assert LATER not in topics(cards)
