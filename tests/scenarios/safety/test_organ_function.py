"""Organ function before a dose (rule 'organ-function'), through FHIR JSON: each label threshold
with a value just inside and just outside it, missing results, results older than the drug's
window, the ULN the laboratory sent against the service default, and units as laboratories
write them. Cards fire on order-select and order-sign for the drafted drug only."""

from __future__ import annotations

from typing import Any

import pytest

from cards import CardsConfig
from tests.scenarios.safety.builders import (
    actions,
    by_rule,
    early_breast_cancer,
    echo,
    her2_positive,
    man,
    metastatic,
    ordering,
    safety_cards,
    safety_findings,
    size,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import (
    ALT,
    AST,
    BILIRUBIN,
    BILIRUBIN_MOLAR,
    CREATININE,
    CREATININE_MOLAR,
    EGFR,
    NEUTROPHILS,
    PLATELETS,
    blood_count,
    child_pugh_class,
    child_pugh_condition,
    cirrhosis,
    clearance,
    lab,
    liver,
    recent_labs,
)

RULE = "organ-function"
TDM1 = "ado-trastuzumab-emtansine"
TDXD = "fam-trastuzumab-deruxtecan"
HOOKS = ["order-select", "order-sign"]


def patient(*, early: bool = False) -> list[Any]:
    setting = early_breast_cancer(400) if early else metastatic(300)
    return [woman(60), her2_positive(500), setting, echo(60, days=30), size(70, 165)]


def cards_for(drug: str, *labs: Any, hook: str = "order-select", **kw: Any) -> list[dict]:
    return by_rule(safety_cards(hook, patient(), *labs, orders=[ordering(drug)], **kw), RULE)


def only(cards: list[dict]) -> dict:
    assert len(cards) == 1, [c["summary"] for c in cards]
    return cards[0]


# --- T-DM1 (Kadcyla label, metastatic breast cancer tables) ---------------------------------


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize(
    ("alt", "expected"),
    [
        (200, None),  # 5.0× ULN: grade 2, treat at the same dose
        (202, "Do not give T-DM1"),  # 5.05×: grade 3, withhold then reduce
        (800, "Do not give T-DM1"),  # 20×: still grade 3
        (804, "Discontinue T-DM1"),  # 20.1×: grade 4
    ],
)
def test_tdm1_transaminase_grades(hook: str, alt: float, expected: str | None) -> None:
    found = cards_for(TDM1, liver(alt=alt), blood_count(), hook=hook)
    if expected is None:
        assert found == []
        return
    card = only(found)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith(expected)
    assert (
        f"ALT {alt:g} U/L" in card["detail"] and "upper limit of normal of 40 U/L" in card["detail"]
    )
    assert "the laboratory's reference range" in card["detail"]
    assert actions(card, "delete")[0]["resourceId"] == f"MedicationRequest/draft-{TDM1}"


@pytest.mark.parametrize(
    ("alt", "bilirubin", "expected"),
    [
        (122, 2.1, "Discontinue T-DM1"),  # AST/ALT 3.05× with bilirubin 2.1×: permanent stop
        (120, 2.1, "Do not give T-DM1"),  # 3.0× is not above 3: bilirubin grade 2 hold only
        (122, 2.0, "Do not give T-DM1"),  # bilirubin 2.0× is not above 2
    ],
)
def test_tdm1_transaminases_with_bilirubin_is_a_permanent_stop(
    alt: float, bilirubin: float, expected: str
) -> None:
    card = only(cards_for(TDM1, liver(alt=alt, bilirubin=bilirubin), blood_count()))
    assert card["indicator"] == "critical" and card["summary"].startswith(expected)


@pytest.mark.parametrize(("bilirubin", "fires"), [(1.5, False), (1.55, True)])
def test_tdm1_bilirubin_grade_2_hold(bilirubin: float, fires: bool) -> None:
    found = cards_for(TDM1, liver(bilirubin=bilirubin), blood_count())
    assert bool(found) is fires
    if fires:
        assert "treat at the same dose" in only(found)["detail"]


@pytest.mark.parametrize(
    ("platelets", "expected"),
    [(50, None), (49, "then treat at the same dose"), (25, "same dose"), (24, "reduce one")],
)
def test_tdm1_thrombocytopenia_hold(platelets: float, expected: str | None) -> None:
    found = cards_for(TDM1, liver(), blood_count(platelets=platelets))
    if expected is None:
        assert found == []
        return
    card = only(found)
    assert card["indicator"] == "critical" and expected in card["detail"]
    assert f"platelets {platelets:g} ×10⁹/L" in card["summary"]


def test_bilirubin_in_micromoles_is_converted_before_grading() -> None:
    # 51.3 umol/L = 3.0 mg/dL against an upper limit of 17.1 umol/L (1.0 mg/dL): 3× = grade 2
    found = cards_for(
        TDM1,
        lab(ALT, 20, "U/L", uln=40),
        lab(AST, 20, "U/L", uln=40),
        lab(BILIRUBIN_MOLAR, 51.3, "umol/L", uln=17.1),
        blood_count(),
    )
    card = only(found)
    assert "total bilirubin 3.0× ULN" in card["summary"]


def test_without_a_reference_range_the_default_uln_is_used_and_said() -> None:
    labs = [lab(ALT, 205, "U/L"), lab(AST, 20, "U/L"), lab(BILIRUBIN, 0.5, "mg/dL"), blood_count()]
    card = only(cards_for(TDM1, *labs))
    assert "ALT 5.1× ULN" in card["summary"]
    assert "the service default; the laboratory sent no reference range" in card["detail"]


def test_the_institution_overrides_the_default_uln() -> None:
    labs = [lab(ALT, 205, "U/L"), lab(AST, 20, "U/L"), lab(BILIRUBIN, 0.5, "mg/dL"), blood_count()]
    config = CardsConfig(threshold_overrides={"uln_default_alt_u_l": 45})  # 205/45 = 4.6×
    assert cards_for(TDM1, *labs, config=config) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_tdm1_without_liver_tests_warns_and_offers_the_order(hook: str) -> None:
    card = only(cards_for(TDM1, blood_count(), hook=hook))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("No ALT, AST and total bilirubin on file before T-DM1")
    [create] = actions(card, "create")
    assert create["resource"]["resourceType"] == "ServiceRequest"
    assert create["resource"]["code"]["coding"][0]["code"] == "24325-3"


def test_old_liver_tests_are_named_not_recent_and_never_used_as_current() -> None:
    found = cards_for(TDM1, liver(alt=400, days=30), blood_count())
    card = only(found)  # no critical from a 30-day-old ALT of 10× ULN
    assert card["indicator"] == "warning"
    assert "within 3 weeks before T-DM1" in card["summary"]
    assert "ALT not recent: last 400 U/L on 2026-10-22, 30 days ago" in card["detail"]


def test_liver_tests_within_the_cycle_count_as_recent() -> None:
    assert cards_for(TDM1, liver(days=21), blood_count(days=21)) == []


def test_tdm1_early_breast_cancer_rows_are_unverified_so_they_only_warn() -> None:
    found = by_rule(
        safety_cards(
            "order-select",
            patient(early=True),
            liver(alt=160),  # 4×: grade 2 ALT in the early table
            blood_count(),
            orders=[ordering(TDM1)],
        ),
        RULE,
    )
    card = only(found)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("T-DM1 (ado-trastuzumab emtansine) may need to be withheld")
    assert "unverified" in card["detail"]


def test_a_critical_lab_card_declares_the_drug_it_withholds() -> None:
    findings = safety_findings(
        "order-select", patient(), liver(alt=404), blood_count(), orders=[ordering(TDM1)]
    )
    [lab_card] = [f for f in findings if f.rule == RULE]
    assert lab_card.withholds == frozenset({TDM1})


# --- T-DXd (Enhertu label) -----------------------------------------------------------------


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize(
    ("neutrophils", "expected"),
    [(1.0, None), (0.99, "maintain the dose"), (0.5, "maintain the dose"), (0.49, "reduce one")],
)
def test_tdxd_neutropenia(hook: str, neutrophils: float, expected: str | None) -> None:
    found = cards_for(TDXD, blood_count(neutrophils=neutrophils), hook=hook)
    if expected is None:
        assert found == []
        return
    card = only(found)
    assert card["indicator"] == "critical" and card["summary"].startswith("Do not give T-DXd")
    assert expected in card["detail"]


def test_neutrophils_per_microlitre_are_converted() -> None:
    card = only(cards_for(TDXD, lab(NEUTROPHILS, 800, "/uL"), lab(PLATELETS, 200, "10*3/uL")))
    assert "neutrophils 0.8 ×10⁹/L" in card["summary"]


@pytest.mark.parametrize(("platelets", "fires"), [(50, False), (49, True), (24, True)])
def test_tdxd_thrombocytopenia(platelets: float, fires: bool) -> None:
    found = cards_for(TDXD, blood_count(platelets=platelets))
    assert bool(found) is fires


def test_tdxd_without_a_recent_blood_count_warns_with_a_cbc_order() -> None:
    card = only(cards_for(TDXD, blood_count(days=25)))
    assert card["indicator"] == "warning"
    [create] = actions(card, "create")
    assert create["resource"]["code"]["coding"][0]["code"] == "57021-8"


# --- Capecitabine (creatinine clearance, Cockcroft-Gault) ------------------------------------

CAPE = "capecitabine"


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize(
    ("ml_min", "indicator", "start"),
    [
        (29.9, "critical", "Capecitabine is contraindicated"),
        (30, "warning", "Reduce the capecitabine starting dose"),
        (50, "warning", "Reduce the capecitabine starting dose"),
        (50.1, None, None),
    ],
)
def test_capecitabine_renal_bands(
    hook: str, ml_min: float, indicator: str | None, start: str | None
) -> None:
    found = cards_for(CAPE, clearance(ml_min), hook=hook)
    if indicator is None:
        assert found == []
        return
    card = only(found)
    assert (card["indicator"], card["summary"].startswith(start or "")) == (indicator, True)


def test_capecitabine_clearance_computed_by_cockcroft_gault_and_said_so() -> None:
    # woman, 60, 70 kg, creatinine 3.0 mg/dL: (140-60) x 70 / (72 x 3.0) x 0.85 = 22 mL/min
    card = only(cards_for(CAPE, lab(CREATININE, 3.0, "mg/dL")))
    assert card["indicator"] == "critical"
    assert "creatinine clearance 22 mL/min (Cockcroft-Gault)" in card["summary"]
    assert "computed by Cockcroft-Gault" in card["detail"]


def test_creatinine_in_micromoles_feeds_cockcroft_gault() -> None:
    card = only(cards_for(CAPE, lab(CREATININE_MOLAR, 150, "umol/L")))  # 1.7 mg/dL: 39 mL/min
    assert card["indicator"] == "warning" and "39 mL/min" in card["summary"]


def test_a_man_gets_no_female_factor() -> None:
    resources = [man(60), her2_positive(500), metastatic(300), size(70, 165)]
    cards = by_rule(
        safety_cards(
            "order-select", resources, lab(CREATININE, 2.2, "mg/dL"), orders=[ordering(CAPE)]
        ),
        RULE,
    )
    assert "35 mL/min" in only(cards)["summary"]  # 80 x 70 / (72 x 2.2) = 35.4


def test_an_egfr_alone_is_never_a_critical_contraindication() -> None:
    card = only(cards_for(CAPE, lab(EGFR, 18, "mL/min/{1.73_m2}")))
    assert card["indicator"] == "warning"
    assert "Cockcroft-Gault" in card["detail"] and "eGFR 18" in card["summary"]


def test_capecitabine_without_renal_function_warns_with_a_creatinine_order() -> None:
    card = only(cards_for(CAPE))
    assert card["indicator"] == "warning" and "serum creatinine" in card["summary"]
    [create] = actions(card, "create")
    assert create["resource"]["code"]["coding"][0]["code"] == "2160-0"


def test_an_old_creatinine_is_named_with_its_date() -> None:
    card = only(cards_for(CAPE, lab(CREATININE, 3.0, "mg/dL", days=40)))
    assert card["indicator"] == "warning"
    assert "not recent: last 3 mg/dL on 2026-10-12, 40 days ago" in card["detail"]


def test_creatinine_without_a_weight_names_what_cockcroft_gault_lacks() -> None:
    resources = [woman(60), her2_positive(500), metastatic(300)]
    cards = by_rule(
        safety_cards(
            "order-select", resources, lab(CREATININE, 3.0, "mg/dL"), orders=[ordering(CAPE)]
        ),
        RULE,
    )
    card = only(cards)
    assert card["indicator"] == "warning" and "no weight on file" in card["detail"]


# --- Tucatinib, neratinib, lapatinib ---------------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "indicator"),
    [
        (liver(alt=200), None),  # 5.0×: grade 2 ALT, no modification
        (liver(alt=204), "critical"),  # 5.1×: grade 3
        (liver(bilirubin=1.5), None),
        (liver(bilirubin=1.55), "critical"),  # grade 2 bilirubin: withhold
    ],
)
def test_tucatinib_hepatotoxicity(labs: list, indicator: str | None) -> None:
    found = cards_for("tucatinib", labs)
    assert [c["indicator"] for c in found] == ([indicator] if indicator else [])


def test_neratinib_hepatotoxicity_rows_are_unverified_and_only_warn() -> None:
    card = only(cards_for("neratinib", liver(alt=240)))
    assert card["indicator"] == "warning" and "unverified" in card["detail"]


@pytest.mark.parametrize(("started", "lft_days", "warns"), [(200, 60, False), (10, 40, True)])
def test_neratinib_liver_tests_monthly_in_the_first_three_months(
    started: float, lft_days: float, warns: bool
) -> None:
    history = taking("neratinib", since=started, doses_every=1, last_given=1)
    cards = by_rule(
        safety_cards(
            "order-select",
            patient(),
            history,
            liver(days=lft_days),
            orders=[ordering("neratinib")],
        ),
        RULE,
    )
    assert bool(cards) is warns


@pytest.mark.parametrize(("lft_days", "warns"), [(41, False), (43, True)])
def test_lapatinib_liver_tests_every_four_to_six_weeks(lft_days: float, warns: bool) -> None:
    assert bool(cards_for("lapatinib", liver(days=lft_days))) is warns


# --- Scope ---------------------------------------------------------------------------------


def test_a_drug_without_lab_criteria_gets_no_organ_function_card() -> None:
    assert cards_for("trastuzumab", liver(alt=800)) == []


def test_patient_view_shows_no_organ_function_card() -> None:
    cards = safety_cards("patient-view", patient(), taking(TDM1, since=60), liver(alt=800))
    assert by_rule(cards, RULE) == []


def test_only_the_selected_draft_is_checked_on_order_select() -> None:
    orders = [ordering(TDM1), ordering(CAPE)]
    cards = by_rule(
        safety_cards(
            "order-select", patient(), liver(alt=800), orders=orders, selected=[orders[1]]
        ),
        RULE,
    )
    assert all("T-DM1" not in c["summary"] for c in cards)


def test_labs_that_could_not_be_fetched_are_a_named_gap() -> None:
    from tests.scenarios.safety.builders import gap

    card = only(cards_for(TDM1, gaps=[gap("labs", "liver, kidney and blood count results")]))
    assert card["indicator"] == "warning"
    assert "could not be retrieved" in card["summary"]


# --- Severe hepatic impairment (Child-Pugh C) for the TKIs -----------------------------------


@pytest.mark.parametrize(
    ("drug", "dose"),
    [
        ("tucatinib", "200 mg twice daily"),
        ("neratinib", "80 mg once daily"),
        ("lapatinib", "750 mg once daily"),
    ],
)
def test_a_recorded_child_pugh_c_gives_the_label_dose(drug: str, dose: str) -> None:
    found = cards_for(drug, recent_labs(), cirrhosis(), child_pugh_class("C"))
    card = only(found)
    assert card["indicator"] == "warning"
    assert "Child-Pugh C" in card["summary"] and dose in card["summary"] + card["detail"]


@pytest.mark.parametrize("letter", ["A", "B"])
def test_child_pugh_a_or_b_changes_nothing(letter: str) -> None:
    assert cards_for("tucatinib", recent_labs(), cirrhosis(), child_pugh_condition(letter)) == []


def test_child_pugh_c_as_a_condition_finding_counts() -> None:
    card = only(cards_for("tucatinib", recent_labs(), child_pugh_condition("C")))
    assert "Child-Pugh C" in card["summary"]


def test_liver_disease_without_a_class_names_the_missing_assessment() -> None:
    card = only(cards_for("neratinib", recent_labs(), cirrhosis()))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Liver disease on file, no Child-Pugh class")
    assert "does not guess" in card["detail"]


def test_no_liver_disease_no_hepatic_card() -> None:
    assert cards_for("lapatinib", recent_labs()) == []


def test_the_newest_child_pugh_class_wins() -> None:
    found = cards_for(
        "tucatinib",
        recent_labs(),
        child_pugh_class("C", days=200),
        child_pugh_class("B", days=5),
    )
    assert found == []


def test_capecitabine_for_a_patient_without_breast_cancer_is_not_this_services_concern() -> None:
    colorectal = [woman(60), size(70, 165)]  # no breast cancer on file
    cards = safety_cards(
        "order-sign", colorectal, lab(CREATININE, 3.0, "mg/dL"), orders=[ordering(CAPE)]
    )
    assert by_rule(cards, RULE) == []


@pytest.mark.parametrize(
    ("drug", "window"),
    [
        (TDM1, 21),
        (TDXD, 21),
        ("tucatinib", 21),
        ("lapatinib", 42),
        ("neratinib", 31),  # the first three months of a course: monthly
    ],
)
def test_each_drugs_window_just_inside_and_just_outside(drug: str, window: float) -> None:
    inside = cards_for(drug, liver(days=window - 0.5), blood_count(days=window - 0.5))
    outside = cards_for(drug, liver(days=window + 1), blood_count(days=window + 1))
    assert inside == []
    card = only(outside)
    assert card["indicator"] == "warning" and "not recent: last" in card["detail"]


def test_a_result_stamped_hours_ahead_is_todays() -> None:
    """Within the mapping's clock tolerance (4 hours, fhir_mappings MappingConfig)."""
    assert cards_for(TDM1, liver(days=-0.1), blood_count(days=-0.1)) == []


def test_a_future_dated_result_is_never_current() -> None:
    card = only(cards_for(TDM1, liver(alt=800, days=-30), blood_count()))
    assert card["indicator"] == "warning"
    assert "800 U/L" in card["detail"]
    assert "dated after the time of this request" in card["detail"]
