"""IV doses per kg or m² as pharmacies round them (issue 10): the card shows the exact computed
dose; a draft within the institution's rounding threshold (`iv_dose_rounding_percent`, 5 % by
default) is rounding and gets no card; beyond it but within the ±10 % dose tolerance an
information card on order-select (nothing at signing); beyond the tolerance a warning as
before. Named traps and label maxima are never rounded over. Patient: 70 kg, BSA 1.79 m²."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cards import CardsConfig
from cds_service.settings import Settings
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
    topic,
)


def _dose_cards(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cards if topic(c) == "dose-check"]


def _after_first_line() -> list[dict[str, Any]]:
    """Progressed after THP: T-DXd 5.4 mg/kg is the computed 378 mg."""
    return [
        *her2_positive_mbc(metastatic_days=400),
        *cycles("trastuzumab", 390, 369, 348, 200, dose=420),
        *cycles("pertuzumab", 390, 369, 348, 200, dose=420),
        *cycles("docetaxel", 390, 369, 348, dose=134),
    ]


def _thp(docetaxel_mg: float) -> list[dict[str, Any]]:
    """First-line THP drafts; docetaxel 75 mg/m² is the computed 134 mg."""
    return [draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", docetaxel_mg)]


def _from_file(tmp_path: Path, overrides: dict[str, float]) -> CardsConfig:
    """The thresholds as an institution sets them: HER2CDS_THRESHOLDS_FILE."""
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps(overrides))
    settings = Settings.from_env({"HER2CDS_THRESHOLDS_FILE": str(path)})
    return CardsConfig(threshold_overrides=settings.threshold_overrides)


@pytest.mark.parametrize("mg", [378, 390, 366])  # exact; +3.2 %; -3.2 %
@pytest.mark.parametrize("hook", [order_select, order_sign])
def test_t_dxd_exact_or_within_rounding_gets_no_dose_card(hook, mg):
    assert _dose_cards(hook(_after_first_line(), draft("fam-trastuzumab-deruxtecan", mg))) == []


def test_between_rounding_and_tolerance_is_an_information_card():
    card = card_of(order_select(her2_positive_mbc(), *_thp(145)), "dose-check")  # +8 %
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "Docetaxel 145 mg (81 mg/m²) is 8 % above the computed 134 mg (75 mg/m²): outside the "
        "5 % rounding threshold"
    )
    assert "The computed dose is 134 mg (75 mg/m²), shown exact as IV doses are." in card["detail"]
    assert (
        "more than the 5 % the pharmacy rounds IV doses by, within the ±10 % dose"
        in (card["detail"])
    )
    [suggestion] = card["suggestions"]
    assert suggestion["label"] == "Replace with docetaxel 134 mg"
    assert not suggestion.get("isRecommended")  # a rounding the prescriber may intend
    assert [dose_mg(r) for r in created(card)] == [134]


def test_between_rounding_and_tolerance_is_silent_at_signing():
    assert regimen_cards(order_sign(her2_positive_mbc(), *_thp(145))) == []


def test_beyond_the_tolerance_is_a_warning_as_before():
    card = card_of(order_select(her2_positive_mbc(), *_thp(150)), "dose-check")  # +12 %
    assert card["indicator"] == "warning"
    assert (
        card["summary"]
        == "Docetaxel 150 mg (84 mg/m²) is 12 % above the computed 134 mg (75 mg/m²)"
    )
    assert "within the 5 % rounding threshold of the computed dose are accepted" in card["detail"]
    assert card_of(order_sign(her2_positive_mbc(), *_thp(150)), "dose-check")["indicator"] == (
        "warning"
    )


def test_a_card_shown_for_another_reason_says_the_dose_is_within_rounding():
    # first trastuzumab dose drafted at 430 mg: the 6 mg/kg maintenance dose (+2.4 %), not the
    # 8 mg/kg loading dose; the card is about the loading dose, the amount itself is rounding
    drafts = [draft("trastuzumab", 430), draft("pertuzumab", 840), draft("docetaxel", 134)]
    card = card_of(order_select(her2_positive_mbc(), *drafts), "dose-check")
    assert card["summary"].startswith("First trastuzumab dose: give the 560 mg (8 mg/kg) loading")
    assert "read as 6 mg/kg (2.4 % above it, within the 5 % rounding threshold" in card["detail"]


def test_rounding_never_goes_over_a_label_maximum():
    # T-DM1 259 mg = 3.7 mg/kg: within 5 % of 3.6 mg/kg, above the label's never-exceed dose
    card = card_of(
        order_select(_after_first_line(), draft("ado-trastuzumab-emtansine", 259)), "dose-check"
    )
    assert card["indicator"] == "critical"
    assert "The 5 % rounding threshold does not apply above a label maximum." in card["detail"]


@pytest.mark.parametrize(
    ("drug", "mg", "per_day", "capecitabine_mg"),
    [("tucatinib", 320, 2, 1800), ("neratinib", 256, 1, 1300)],  # +6.7 %; capecitabine per partner
)
def test_oral_doses_keep_the_dose_tolerance(drug, mg, per_day, capecitabine_mg):
    capecitabine = draft("capecitabine", capecitabine_mg, per_day=2)
    drafts = [draft("trastuzumab", 560), capecitabine, draft(drug, mg, per_day=per_day)]
    assert _dose_cards(order_select(_after_first_line(), *drafts)) == []


def test_an_institution_with_a_10_percent_threshold_accepts_8_percent(tmp_path):
    config = _from_file(tmp_path, {"iv_dose_rounding_percent": 10})
    assert _dose_cards(order_select(her2_positive_mbc(), *_thp(145), config=config)) == []


def test_an_institution_with_a_2_percent_threshold_queries_3_percent(tmp_path):
    config = _from_file(tmp_path, {"iv_dose_rounding_percent": 2})
    cards = order_select(
        _after_first_line(), draft("fam-trastuzumab-deruxtecan", 390), config=config
    )
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "T-DXd 390 mg (5.57 mg/kg) is 3.2 % above the computed 378 mg (5.4 mg/kg): outside the "
        "2 % rounding threshold"
    )


def test_a_first_dose_beyond_rounding_names_the_loading_dose():
    # 600 mg = 8.57 mg/kg: 7.1 % above the 8 mg/kg loading dose a first dose needs
    drafts = [draft("trastuzumab", 600), draft("pertuzumab", 840), draft("docetaxel", 134)]
    card = card_of(order_select(her2_positive_mbc(), *drafts), "dose-check")
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "Trastuzumab 600 mg (8.57 mg/kg) is 7.1 % above the computed 560 mg (8 mg/kg) loading "
        "dose: outside the 5 % rounding threshold"
    )
    [resource] = created(card)  # the loading dose, then 6 mg/kg every 3 weeks
    assert [d["sequence"] for d in resource["dosageInstruction"]] == [1, 2]


def _given(trastuzumab_mg: float, docetaxel_mg: float) -> list[dict[str, Any]]:
    """THP on treatment: three cycles at these doses, the last 21 days ago, same weight."""
    return [
        *her2_positive_mbc(metastatic_days=100),
        *cycles("trastuzumab", 63, 42, 21, dose=trastuzumab_mg),
        *cycles("pertuzumab", 63, 42, 21, dose=420),
        *cycles("docetaxel", 63, 42, 21, dose=docetaxel_mg),
    ]


def test_a_dose_already_given_is_not_queried_again_each_cycle():
    # 450 mg trastuzumab (+7 %) and 145 mg docetaxel (+8 %) chosen and given three times: the
    # information card was for the first or a changed dose, not every re-order
    drafts = (draft("trastuzumab", 450), draft("pertuzumab", 420), draft("docetaxel", 145))
    assert _dose_cards(order_select(_given(450, 145), *drafts)) == []


def test_a_changed_dose_beyond_rounding_is_queried_again():
    # given at 134 mg (exact); now drafted at 145 mg: a change, the card comes back
    drafts = (draft("trastuzumab", 420), draft("pertuzumab", 420), draft("docetaxel", 145))
    [card] = _dose_cards(order_select(_given(420, 134), *drafts))
    assert card["indicator"] == "info"
    assert card["summary"].startswith("Docetaxel 145 mg (81 mg/m²) is 8 % above")


def test_a_difference_just_beyond_the_threshold_is_never_written_as_the_threshold():
    # 359 mg is 5.03 % below 378 mg: "5 % below ... outside the 5 % threshold" would contradict
    [card] = _dose_cards(
        order_select(_after_first_line(), draft("fam-trastuzumab-deruxtecan", 359))
    )
    assert "is 5.03 % below the computed 378 mg" in card["summary"]


def test_an_exact_dose_on_a_card_about_something_else_says_nothing_about_rounding():
    # first trastuzumab dose drafted at exactly 6 mg/kg (420 mg): the card is the loading dose
    drafts = [draft("trastuzumab", 420), draft("pertuzumab", 840), draft("docetaxel", 134)]
    card = card_of(order_select(her2_positive_mbc(), *drafts), "dose-check")
    assert card["summary"].startswith("First trastuzumab dose: give the 560 mg (8 mg/kg) loading")
    assert "rounding threshold" not in card["detail"]
