"""Drafted doses against the computed dose, named traps, re-loading (C11), reductions."""

from __future__ import annotations

import pytest

from cards import CardsConfig, Hook
from cards.findings import Indicator
from fhir_mappings import Dose, TherapySetting
from tests.unit.cards.regimens.support import (
    DOCETAXEL,
    HYLECTA,
    NERATINIB,
    PACLITAXEL,
    PERTUZUMAB,
    PHESGO,
    T_DM1,
    T_DXD,
    TRASTUZUMAB,
    TUCATINIB,
    body,
    created,
    dose_of,
    early_stage,
    exposed,
    her2_mbc,
    history,
    metastatic,
    only,
    order,
    rendered,
    run,
)

RULES = only(["dose-check", "C11"])  # one review of each draft decides both


def _check(facts, *orders, config=None):
    return run(facts, *orders, rules=RULES, config=config)


@pytest.mark.parametrize(
    ("drug", "dose", "unit", "interval"),
    [
        (TRASTUZUMAB, 560, "mg", 21),
        (TRASTUZUMAB, 8, "mg/kg", 21),
        (TRASTUZUMAB, 280, "mg", 7),
        (TRASTUZUMAB, 580, "mg", 21),  # +3.6 %: within the 5 % IV rounding threshold
        (PERTUZUMAB, 840, "mg", 21),
        (T_DXD, 378, "mg", 21),
        (T_DXD, 5.4, "mg/kg", 21),
        (T_DM1, 252, "mg", 21),
        (DOCETAXEL, 134, "mg", 21),
        (DOCETAXEL, 75, "mg/m2", 21),
        (PACLITAXEL, 143, "mg", 7),
        (TUCATINIB, 300, "mg", 0.5),
        (NERATINIB, 240, "mg", 1),
        (NERATINIB, 120, "mg", 1),  # dose-escalation start
        (HYLECTA, 600, "mg", 21),
        (PHESGO, 1200, "mg", 21),
        (PHESGO, 15, "mL", 21),
    ],
)
def test_right_first_doses_get_no_card(drug, dose, unit, interval):
    assert _check(her2_mbc(), order(drug, dose, unit, interval=interval)) == []


def test_t_dxd_gastric_dose_in_breast_cancer_is_named():
    [finding] = _check(her2_mbc(), order(T_DXD, 448))
    assert finding.indicator is Indicator.CRITICAL and finding.safety  # §3.9 C8
    assert finding.summary == (
        "T-DXd 448 mg (6.4 mg/kg): 6.4 mg/kg is the gastric cancer dose; "
        "expected 378 mg (5.4 mg/kg)"
    )
    assert [dose_of(r) for r in created(finding)] == [378]
    assert finding.doses_for == {T_DXD}  # dropped next to a critical card withholding T-DXd
    assert [o.code for o in finding.override_reasons] == [
        "dose-intended", "clinical-trial", "data-not-current-in-ehr",
    ]  # fmt: skip
    rendered([finding])
    rendered([finding], Hook.ORDER_SIGN)  # safety: shown at signing too


def test_t_dxd_written_in_mg_per_kg():
    [finding] = _check(her2_mbc(), order(T_DXD, 6.4, "mg/kg"))
    assert "gastric cancer dose" in finding.summary


def test_t_dxd_for_gastric_cancer_is_not_checked_against_the_breast_dose():
    facts = her2_mbc(disease=metastatic(gastric=True))
    assert _check(facts, order(T_DXD, 448)) == []


def test_t_dm1_above_its_maximum():
    [finding] = _check(her2_mbc(), order(T_DM1, 315))
    assert "above the 3.6 mg/kg label maximum" in finding.summary
    [near] = _check(her2_mbc(), order(T_DM1, 266))  # 3.8 mg/kg: within ±10 % but above 3.6
    assert near.summary.startswith("T-DM1 266 mg (3.8 mg/kg) exceeds the 3.6 mg/kg label maximum")
    assert _check(her2_mbc(), order(T_DM1, 253)) == []  # whole-mg rounding


def test_t_dm1_at_the_t_dxd_dose_is_named_as_a_mix_up():
    [finding] = _check(her2_mbc(), order(T_DM1, 378))
    assert "5.4 mg/kg is the T-DXd dose" in finding.summary


def test_a_t_dxd_order_is_not_checked_as_trastuzumab():
    # 420 mg of T-DXd is 6 mg/kg: right for trastuzumab, wrong for T-DXd
    [finding] = _check(her2_mbc(), order(T_DXD, 420))
    assert finding.summary.startswith(
        "T-DXd 420 mg (6 mg/kg): 6 mg/kg is the trastuzumab maintenance dose"
    )
    [between] = _check(her2_mbc(), order(T_DXD, 490))  # 7 mg/kg: no trap is that number
    assert between.summary.startswith("T-DXd 490 mg (7 mg/kg) is 30 % above the computed 378 mg")


def test_docetaxel_overdose_names_the_computed_dose_and_bsa():
    [finding] = _check(her2_mbc(), order(DOCETAXEL, 180))
    assert (
        finding.summary
        == "Docetaxel 180 mg (101 mg/m²) is 34 % above the computed 134 mg (75 mg/m²)"
    )
    text = " ".join(finding.reasoning)
    assert "75 mg/m² × 1.79 m² = 134 mg" in text
    assert "Mosteller from 165 cm and 70 kg" in text


def test_docetaxel_escalation_to_100_is_accepted_only_on_treatment_in_mbc():
    on_treatment = her2_mbc(therapy=history(exposed(DOCETAXEL, last_dose_days=21, active=True)))
    assert _check(on_treatment, order(DOCETAXEL, 179)) == []
    assert len(_check(her2_mbc(), order(DOCETAXEL, 179))) == 1
    early = on_treatment.__class__(**{**on_treatment.__dict__, "disease": early_stage()})
    assert len(_check(early, order(DOCETAXEL, 179))) == 1


def test_weekly_paclitaxel_at_the_three_weekly_dose():
    [finding] = _check(her2_mbc(), order(PACLITAXEL, 313, interval=7))
    assert "computed 143 mg (80 mg/m²)" in finding.summary


def test_weekly_trastuzumab_at_the_three_weekly_dose():
    [finding] = _check(her2_mbc(), order(TRASTUZUMAB, 420, interval=7))
    assert "280 mg (4 mg/kg) loading dose" in finding.summary


def test_tolerance_is_configurable():
    strict = CardsConfig(threshold_overrides={"dose_tolerance_percent": 5})
    assert _check(her2_mbc(), order(NERATINIB, 256, interval=1)) == []  # oral, +6.7 %
    [finding] = _check(her2_mbc(), order(NERATINIB, 256, interval=1), config=strict)
    assert finding.indicator is Indicator.WARNING


def test_iv_rounding_threshold_is_configurable():
    # 600 mg = 8.57 mg/kg: 7 % above the 8 mg/kg loading dose, inside the ±10 % tolerance
    [finding] = _check(her2_mbc(), order(TRASTUZUMAB, 600))
    assert finding.indicator is Indicator.INFO
    assert finding.summary.endswith("outside the 5 % rounding threshold")
    [suggestion] = finding.suggestions
    assert not suggestion.is_recommended
    lenient = CardsConfig(threshold_overrides={"iv_dose_rounding_percent": 10})
    assert _check(her2_mbc(), order(TRASTUZUMAB, 600), config=lenient) == []


def test_first_trastuzumab_dose_needs_loading():
    [finding] = _check(her2_mbc(), order(TRASTUZUMAB, 420, order_id="h"))
    assert finding.rule == "dose-check"
    assert finding.summary.startswith(
        "First trastuzumab dose: give the 560 mg (8 mg/kg) loading dose"
    )
    [suggestion] = finding.suggestions
    # the draft is updated in place: a one-draft client applies the replacement whole
    assert [a.type for a in suggestion.actions] == ["update"]
    assert suggestion.actions[0].resource["id"] == "h"
    assert dose_of(created(finding)[0]) == 560


def test_loading_dose_when_maintenance_is_due():
    facts = her2_mbc(therapy=history(exposed(TRASTUZUMAB, last_dose_days=21, active=True)))
    [finding] = _check(facts, order(TRASTUZUMAB, 560))
    assert "maintenance 420 mg (6 mg/kg) is due" in finding.summary
    assert _check(facts, order(TRASTUZUMAB, 420)) == []


@pytest.mark.parametrize(("days", "cards"), [(28, 0), (29, 1)])
def test_trastuzumab_reload_after_more_than_one_week_late(days, cards):
    facts = her2_mbc(therapy=history(exposed(TRASTUZUMAB, last_dose_days=days)))
    found = _check(facts, order(TRASTUZUMAB, 420))
    assert len(found) == cards
    if found:
        assert found[0].rule == "C11"
        assert found[0].summary.startswith("Re-load trastuzumab: last dose 2026-10-23; give 560 mg")
        assert dose_of(created(found[0])[0]) == 560


@pytest.mark.parametrize(("days", "cards"), [(41, 0), (42, 1)])
def test_pertuzumab_reload_at_six_weeks(days, cards):
    facts = her2_mbc(therapy=history(exposed(PERTUZUMAB, last_dose_days=days)))
    found = _check(facts, order(PERTUZUMAB, 420))
    assert len(found) == cards
    if found:
        assert found[0].rule == "C11" and "give 840 mg" in found[0].summary


def test_phesgo_reload_by_volume():
    facts = her2_mbc(therapy=history(exposed(PHESGO, last_dose_days=50)))
    [finding] = _check(facts, order(PHESGO, 10, "mL"))
    assert finding.rule == "C11"
    assert "give 1200 mg pertuzumab (15 mL), not the 10 mL maintenance dose" in finding.summary
    [resource] = created(finding)  # Phesgo is ordered by volume: 15 mL once, then 10 mL
    loading, maintenance = resource["dosageInstruction"]
    assert loading["doseAndRate"][0]["doseQuantity"]["value"] == 15
    assert loading["doseAndRate"][0]["doseQuantity"]["unit"] == "mL"
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 10
    assert "1200 mg pertuzumab (15 mL)" in loading["text"]
    assert _check(facts, order(PHESGO, 15, "mL")) == []


def test_phesgo_volume_that_is_neither_dose():
    [finding] = _check(her2_mbc(), order(PHESGO, 12, "mL"))
    assert "neither the 15 mL loading nor the 10 mL maintenance dose" in finding.summary


def test_undated_earlier_trastuzumab_asks_about_reloading():
    facts = her2_mbc(
        therapy=history(exposed(TRASTUZUMAB, start_days=None, setting=TherapySetting.EARLY))
    )
    [finding] = _check(facts, order(TRASTUZUMAB, 420))
    assert finding.rule == "C11"
    assert finding.summary.startswith("Last trastuzumab dose date not on file")
    assert finding.indicator is Indicator.INFO  # a question (rules.json C11), not an alert
    assert not finding.suggestions[0].is_recommended


def test_t_dxd_reduction_is_accepted_once_on_treatment():
    first = her2_mbc()
    assert len(_check(first, order(T_DXD, 308))) == 1  # 4.4 mg/kg as a first dose
    on = her2_mbc(therapy=history(exposed(T_DXD, last_dose_days=21, doses=[(21, Dose(378, "mg"))])))
    assert _check(on, order(T_DXD, 308)) == []


def test_t_dxd_no_re_escalation_after_a_reduction():
    reduced = her2_mbc(
        therapy=history(exposed(T_DXD, last_dose_days=21, doses=[(21, Dose(4.4, "mg/kg"))]))
    )
    [finding] = _check(reduced, order(T_DXD, 378))
    assert "the label does not allow re-escalation" in finding.summary
    assert dose_of(created(finding)[0]) == 308
    assert _check(reduced, order(T_DXD, 308)) == []


def test_no_weight_no_mg_check_but_mg_per_kg_still_checked():
    facts = her2_mbc(body=body(None, 165))
    assert _check(facts, order(T_DXD, 448)) == []
    assert len(_check(facts, order(T_DXD, 6.4, "mg/kg"))) == 1


def test_order_without_a_dose_is_not_checked():
    assert _check(her2_mbc(), order(T_DXD)) == []


def test_unselected_orders_are_not_checked_on_order_select():
    assert _check(her2_mbc(), order(T_DXD, 448, selected=False)) == []


def test_early_stage_doses_are_checked_too():
    facts = her2_mbc(disease=early_stage())
    assert (
        _check(facts, order(PACLITAXEL, 143, interval=7), order(TRASTUZUMAB, 280, interval=7)) == []
    )
    [finding] = _check(facts, order(T_DM1, 315))
    assert "3.6 mg/kg" in finding.summary


def test_not_breast_cancer_gets_no_dose_check():
    facts = her2_mbc(disease=metastatic(breast=False, gastric=True))
    assert _check(facts, order(T_DXD, 448), order(TRASTUZUMAB, 999)) == []


def test_order_text_never_reaches_summary_or_reasoning():
    evil = "<img src=x onerror=alert(1)> **Kadcyla**"
    [finding] = _check(her2_mbc(), order(T_DXD, 448, text=evil))
    assert "img" not in finding.summary and "img" not in " ".join(finding.reasoning)
    assert "Kadcyla" not in " ".join(finding.reasoning)
    card = rendered([finding])[0]
    assert "<img" not in card["detail"]


def test_lapatinib_dose_follows_its_partner():
    from tests.unit.cards.regimens.support import CAPECITABINE, LAPATINIB, LETROZOLE

    with_cape = (order(LAPATINIB, 1500, interval=1), order(CAPECITABINE, 1790, interval=0.5))
    [finding] = _check(her2_mbc(), *with_cape)
    # the summary says why 1250 mg: it is the dose with capecitabine
    assert finding.summary == "Lapatinib 1500 mg is 20 % above 1250 mg, the dose with capecitabine"
    with_letrozole = (order(LAPATINIB, 1500, interval=1), order(LETROZOLE, 2.5, interval=1))
    assert _check(her2_mbc(), *with_letrozole) == []
    # with trastuzumab the lapatinib dose is not in the table: no check rather than a wrong one
    assert _check(her2_mbc(), order(LAPATINIB, 1000, interval=1), order(TRASTUZUMAB, 560)) == []


@pytest.mark.parametrize(
    ("label", "drafted", "matches"),
    [
        (21, 21, True),
        (21, 19, True),  # within the 2-day window
        (21, 23, True),
        (21, 18, False),
        (21, 7, False),
        (7, 9, True),
        (7, 14, False),
        (1, 1, True),
        (1, 0.5, False),  # once daily is not twice daily
        (0.5, 1, False),
        (0.5, 0.5, True),
        (0.5, 1 / 3, False),  # three times daily is not twice daily
        (1, 2, False),  # every other day is not daily
    ],
)
def test_interval_matches(label, drafted, matches):
    from cards.regimens.dose_review import interval_matches

    assert interval_matches(label, drafted, 2) is matches


def test_drafted_interval_that_is_no_label_schedule():
    [finding] = _check(her2_mbc(), order(PERTUZUMAB, 840, interval=7))
    assert finding.indicator is Indicator.WARNING and finding.safety
    assert finding.extra["verdict"] == "wrong-interval"
    assert finding.summary == "Pertuzumab 840 mg weekly: the label schedule is every 3 weeks"
    assert _check(her2_mbc(), order(PERTUZUMAB, 840, interval=21)) == []
    assert _check(her2_mbc(), order(PERTUZUMAB, 840, interval=None)) == []  # no interval: no check


def test_wrong_interval_and_a_dose_of_no_schedule_suggests_nothing():
    [finding] = _check(her2_mbc(), order(DOCETAXEL, 60, interval=7))
    assert finding.summary.startswith("Docetaxel 60 mg (34 mg/m²) weekly")
    assert finding.suggestions == ()
    assert "check which schedule was meant" in " ".join(finding.reasoning)


def test_capecitabine_is_checked_against_its_partner_dose():
    from tests.unit.cards.regimens.support import CAPECITABINE

    with_tucatinib = (order(TUCATINIB, 300, interval=0.5), order(CAPECITABINE, 1790, interval=0.5))
    assert _check(her2_mbc(), *with_tucatinib) == []
    with_neratinib = (order(NERATINIB, 240, interval=1), order(CAPECITABINE, 1790, interval=0.5))
    [finding] = _check(her2_mbc(), *with_neratinib)
    assert "1300 mg (750 mg/m²), the dose with neratinib" in finding.summary
    alone = order(CAPECITABINE, 2500, interval=0.5)
    assert _check(her2_mbc(), alone, order(TRASTUZUMAB, 560)) == []


@pytest.mark.parametrize(
    ("drug", "mg", "indicator"),
    [
        (T_DXD, 448, Indicator.CRITICAL),  # 6.4 mg/kg: the gastric dose
        (T_DXD, 420, Indicator.CRITICAL),  # 6 mg/kg: a trastuzumab dose for T-DXd
        (T_DXD, 252, Indicator.WARNING),  # 3.6 mg/kg: the T-DM1 dose, an under-dose
        (T_DM1, 378, Indicator.CRITICAL),  # 5.4 mg/kg: above 3.6, never exceed
        (T_DM1, 560, Indicator.CRITICAL),  # 8 mg/kg: a trastuzumab dose for T-DM1
        (T_DM1, 266, Indicator.CRITICAL),  # 3.8 mg/kg: above the label maximum
        (TRASTUZUMAB, 252, Indicator.WARNING),  # 3.6 mg/kg: the T-DM1 dose for trastuzumab
        (DOCETAXEL, 180, Indicator.WARNING),  # an ordinary wrong dose
    ],
)
def test_indicator_of_named_traps(drug, mg, indicator):
    facts = her2_mbc(therapy=history(exposed(TRASTUZUMAB, last_dose_days=21, active=True)))
    [finding] = _check(facts, order(drug, mg))
    assert finding.indicator is indicator


def test_an_exact_trap_inside_the_tolerance_is_named():
    facts = her2_mbc(therapy=history(exposed(TRASTUZUMAB, last_dose_days=21, active=True)))
    [finding] = _check(facts, order(TRASTUZUMAB, 378))  # 5.4 mg/kg, 10 % below 6 mg/kg
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith("Trastuzumab 378 mg (5.4 mg/kg): 5.4 mg/kg is the T-DXd dose")
    assert _check(facts, order(TRASTUZUMAB, 5.4, "mg/kg"))[0].summary.startswith(
        "Trastuzumab 5.4 mg/kg: 5.4 mg/kg is the T-DXd dose"
    )
    # 5.5 mg/kg: not exactly 5.4, so no trap; 8 % below 6 mg/kg, beyond the 5 % rounding
    [near] = _check(facts, order(TRASTUZUMAB, 385))
    assert near.indicator is Indicator.INFO and "T-DXd" not in near.summary
    assert _check(facts, order(TRASTUZUMAB, 420)) == []


def test_trap_match_widths_are_configurable():
    facts = her2_mbc(therapy=history(exposed(TRASTUZUMAB, last_dose_days=21, active=True)))
    wide = CardsConfig(threshold_overrides={"dose_trap_exact_percent": 2})
    assert len(_check(facts, order(TRASTUZUMAB, 385), config=wide)) == 1


def test_dose_check_and_c11_share_one_review_of_each_draft(monkeypatch):
    """The two rules split one review's findings; the review runs once per call and config."""
    import cards.regimens.dose_check as dose_check

    reviewed: list[str] = []
    real = dose_check.review_dose

    def counted(sit, drafted, drug):
        reviewed.append(drug.id)
        return real(sit, drafted, drug)

    monkeypatch.setattr(dose_check, "review_dose", counted)
    facts = her2_mbc(therapy=history(exposed(TRASTUZUMAB, last_dose_days=29)))
    [finding] = run(facts, order(TRASTUZUMAB, 420), rules=RULES, config=CardsConfig())
    assert finding.rule == "C11"
    assert reviewed == [TRASTUZUMAB]
