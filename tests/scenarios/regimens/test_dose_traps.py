"""Named dose traps (review finding 5): the T-DXd gastric dose in breast cancer (§3.9 C8), T-DM1
above its "never exceed" 3.6 mg/kg and a trastuzumab dose drafted for T-DM1 or T-DXd are
critical; a mix-up that under-doses stays a warning; the T-DXd dose drafted for trastuzumab is
named only when it is exactly that dose. 70 kg, 165 cm."""

from __future__ import annotations

import pytest

from tests.scenarios.regimens.builders import (
    card_of,
    created,
    cycles,
    dose_mg,
    draft,
    her2_positive_mbc,
    order_select,
    order_sign,
    regimen_cards,
)


def _after_first_line() -> list[dict]:
    """Progressed after THP: T-DM1 or T-DXd is a legitimate second line."""
    return [
        *her2_positive_mbc(metastatic_days=400),
        *cycles("trastuzumab", 390, 369, 348, 200, dose=420),
        *cycles("pertuzumab", 390, 369, 348, 200, dose=420),
        *cycles("docetaxel", 390, 369, 348, dose=134),
    ]


def _on_trastuzumab() -> list[dict]:
    """In first-line maintenance: the 6 mg/kg maintenance dose of trastuzumab is due."""
    return [
        *her2_positive_mbc(metastatic_days=200),
        *cycles("trastuzumab", 190, 169, 148, 127, 106, 85, 64, 43, 22, dose=420),
        *cycles("pertuzumab", 190, 169, 148, 127, 106, 85, 64, 43, 22, dose=420),
    ]


@pytest.mark.parametrize(
    ("drug", "mg", "summary"),
    [
        (
            "fam-trastuzumab-deruxtecan",
            448,
            "T-DXd 448 mg (6.4 mg/kg): 6.4 mg/kg is the gastric cancer dose; "
            "expected 378 mg (5.4 mg/kg)",
        ),
        (
            "fam-trastuzumab-deruxtecan",
            420,
            "T-DXd 420 mg (6 mg/kg): 6 mg/kg is the trastuzumab maintenance dose; "
            "expected 378 mg (5.4 mg/kg)",
        ),
        (
            "fam-trastuzumab-deruxtecan",
            560,
            "T-DXd 560 mg (8 mg/kg): 8 mg/kg is the trastuzumab loading dose; "
            "expected 378 mg (5.4 mg/kg)",
        ),
        (
            "ado-trastuzumab-emtansine",
            560,
            "T-DM1 560 mg (8 mg/kg): 8 mg/kg is the trastuzumab loading dose; "
            "expected 252 mg (3.6 mg/kg)",
        ),
        (
            "ado-trastuzumab-emtansine",
            420,
            "T-DM1 420 mg (6 mg/kg): 6 mg/kg is the trastuzumab maintenance dose; "
            "expected 252 mg (3.6 mg/kg)",
        ),
        (
            "ado-trastuzumab-emtansine",
            378,
            "T-DM1 378 mg (5.4 mg/kg): 5.4 mg/kg is the T-DXd dose; expected 252 mg (3.6 mg/kg)",
        ),
        (
            "ado-trastuzumab-emtansine",
            260,
            "T-DM1 260 mg (3.71 mg/kg) exceeds the 3.6 mg/kg label maximum (252 mg at this weight)",
        ),
    ],
)
def test_named_dose_traps_are_critical(drug, mg, summary):
    cards = order_select(_after_first_line(), draft(drug, mg))
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "critical"
    assert card["summary"] == summary
    [resource] = created(card)
    assert dose_mg(resource) == (378 if drug == "fam-trastuzumab-deruxtecan" else 252)
    assert card_of(order_sign(_after_first_line(), draft(drug, mg)), "dose-check")["indicator"] == (
        "critical"
    )


def test_t_dm1_at_its_label_dose_or_a_label_reduction_gets_no_dose_card():
    cards = order_select(_after_first_line(), draft("ado-trastuzumab-emtansine", 252))
    assert [c for c in regimen_cards(cards) if c["source"]["topic"]["code"] == "dose-check"] == []


def test_t_dxd_at_the_t_dm1_dose_is_a_named_warning():
    # an under-dose from a mix-up: wrong, but no label maximum is crossed
    card = card_of(
        order_select(_after_first_line(), draft("fam-trastuzumab-deruxtecan", 252)), "dose-check"
    )
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("T-DXd 252 mg (3.6 mg/kg): 3.6 mg/kg is the T-DM1 dose")


def test_t_dxd_within_rounding_of_its_dose_gets_no_card():
    cards = order_select(_after_first_line(), draft("fam-trastuzumab-deruxtecan", 390))
    assert [c for c in cards if c["source"]["topic"]["code"] == "dose-check"] == []


def test_trastuzumab_at_exactly_the_t_dxd_dose_is_named():
    # 378 mg = 5.4 mg/kg: within ±10 % of 6 mg/kg, but exactly the T-DXd dose
    cards = order_select(_on_trastuzumab(), draft("trastuzumab", 378), draft("pertuzumab", 420))
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Trastuzumab 378 mg (5.4 mg/kg): 5.4 mg/kg is the T-DXd dose; expected 420 mg (6 mg/kg)"
    )
    assert "exactly" in card["detail"]
    [resource] = created(card)
    assert dose_mg(resource) == 420


@pytest.mark.parametrize("mg", [400, 440])
def test_trastuzumab_near_but_not_at_the_t_dxd_dose_is_left_alone(mg):
    cards = order_select(_on_trastuzumab(), draft("trastuzumab", mg), draft("pertuzumab", 420))
    assert [c for c in cards if c["source"]["topic"]["code"] == "dose-check"] == []


def test_trastuzumab_between_rounding_and_tolerance_is_not_called_a_trap():
    # 390 mg = 5.57 mg/kg: 7 % below 6 mg/kg, near 5.4 but not exactly the T-DXd dose
    cards = order_select(_on_trastuzumab(), draft("trastuzumab", 390), draft("pertuzumab", 420))
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "info"
    assert "T-DXd" not in card["summary"] and "T-DXd" not in card["detail"]
    sign = order_sign(_on_trastuzumab(), draft("trastuzumab", 390), draft("pertuzumab", 420))
    assert [c for c in sign if c["source"]["topic"]["code"] == "dose-check"] == []
