"""T-DXd and T-DM1 after a label dose reduction (Enhertu 5.4 -> 4.4 -> 3.2 mg/kg, Kadcyla 3.6 ->
3.0 -> 2.4 mg/kg; neither label allows re-escalation): a draft above the last reduced dose, by
more than the institution's rounding threshold, is a re-escalation at any level, whether it
matches a higher label level or lies between levels; the card's one replacement is the last
reduced dose, never a higher level (pharmacist review finding 1). Patient: 70 kg."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.regimens.builders import (
    created,
    cycles,
    dose_mg,
    draft,
    her2_positive_mbc,
    order_select,
    order_sign,
    topic,
)

T_DXD, T_DM1 = "fam-trastuzumab-deruxtecan", "ado-trastuzumab-emtansine"


def _dose_cards(drug: str, last_mg: float, drafted_mg: float, hook: Any) -> list[dict[str, Any]]:
    """Three doses at `last_mg`, the last 21 days ago; the next one drafted at `drafted_mg`."""
    record = [*her2_positive_mbc(metastatic_days=400), *cycles(drug, 63, 42, 21, dose=last_mg)]
    return [c for c in hook(record, draft(drug, drafted_mg)) if topic(c) == "dose-check"]


@pytest.mark.parametrize("hook", [order_select, order_sign])
@pytest.mark.parametrize(
    ("drug", "last_mg", "drafted_mg", "reduced_to"),
    [
        (T_DXD, 224, 308, "3.2 mg/kg"),  # back to the first reduction level
        (T_DXD, 224, 270, "3.2 mg/kg"),  # between levels: was "29 % below 378 mg", replace 378
        (T_DXD, 308, 378, "4.4 mg/kg"),  # back to the full dose
        (T_DM1, 168, 210, "2.4 mg/kg"),  # 2.4 -> 3.0
        (T_DM1, 168, 185, "2.4 mg/kg"),  # between levels: was "27 % below 252 mg", replace 252
        (T_DM1, 168, 190, "2.4 mg/kg"),  # was an information card offering 210 mg (3.0)
        (T_DM1, 210, 230, "3 mg/kg"),  # was an information card offering the full 252 mg
    ],
)
def test_above_the_last_reduced_dose_is_a_re_escalation(
    hook, drug, last_mg, drafted_mg, reduced_to
):
    [card] = _dose_cards(drug, last_mg, drafted_mg, hook)
    assert card["indicator"] == "warning"
    assert f"after a reduction to {reduced_to}" in card["summary"]
    assert "the label does not allow re-escalation" in card["summary"]
    [replacement] = created(card)
    assert dose_mg(replacement) == last_mg  # the last reduced dose, never a higher level
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] is True


@pytest.mark.parametrize(
    ("drug", "last_mg", "drafted_mg"),
    [
        (T_DXD, 224, 224),  # the same reduced dose
        (T_DXD, 308, 320),  # 3.9 % above 308 mg: within the 5 % rounding threshold
        (T_DXD, 308, 224),  # a further label reduction, 4.4 -> 3.2 mg/kg
        (T_DXD, 378, 378),  # never reduced
        (T_DM1, 210, 215),  # 2.4 % above 210 mg
    ],
)
def test_the_reduced_dose_or_a_further_reduction_gets_no_card(drug, last_mg, drafted_mg):
    assert _dose_cards(drug, last_mg, drafted_mg, order_select) == []


def test_above_the_label_maximum_after_a_reduction_stays_critical():
    [card] = _dose_cards(T_DM1, 210, 255, order_select)
    assert card["indicator"] == "critical"
    assert "3.6 mg/kg label maximum" in card["summary"]
    # its replacement is the last reduced dose, not the 3.6 mg/kg maximum (review finding 1)
    assert [dose_mg(r) for r in created(card)] == [210]
    assert "so the dose to order is 210 mg (3 mg/kg)" in card["detail"]


def test_a_named_trap_after_a_reduction_offers_the_reduced_dose():
    # T-DXd 6.4 mg/kg (448 mg) is the gastric-cancer dose: critical; after 4.4 mg/kg, replace
    # with 308 mg, not the full 378 mg
    [card] = _dose_cards(T_DXD, 308, 448, order_select)
    assert card["indicator"] == "critical"
    assert [dose_mg(r) for r in created(card)] == [308]


def test_a_named_trap_without_a_reduction_still_offers_the_full_dose():
    [card] = _dose_cards(T_DXD, 378, 448, order_select)
    assert [dose_mg(r) for r in created(card)] == [378]
