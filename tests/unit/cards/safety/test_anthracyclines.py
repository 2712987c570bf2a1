"""C3 (HER2 antibody with an anthracycline) and C4 (cumulative anthracycline dose)."""

from __future__ import annotations

import pytest

from cards import CardsConfig, Hook
from fhir_mappings import BodySize, BsaMethod, Dose
from tests.unit.cards.safety.support import (
    anthracycline_total,
    cards,
    facts,
    gap,
    on,
    order,
    therapy,
)

# --- C3 ----------------------------------------------------------------------------------


def c3(patient, orders, hook=Hook.ORDER_SELECT, gaps=()):
    return cards(hook, patient, orders, rule="C3", gaps=gaps)


def deletes(card):
    return [
        a["resourceId"] for s in card["suggestions"] for a in s["actions"] if a["type"] == "delete"
    ]


def test_trastuzumab_ordered_while_doxorubicin_is_active_is_critical():
    patient = facts(therapy=therapy(on("doxorubicin", since_days=20)))
    [card] = c3(patient, [order("trastuzumab")])
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "Do not give trastuzumab with doxorubicin (doxorubicin active): "
        "give HER2 therapy after the anthracycline"
    )
    assert deletes(card) == ["MedicationRequest/draft-trastuzumab"]
    assert {r["code"] for r in card["overrideReasons"]} == {
        "benefit-outweighs-risk",
        "clinical-trial",
        "not-applicable",
    }


def test_pertuzumab_with_a_drafted_epirubicin_offers_removing_either_draft():
    orders = [order("pertuzumab"), order("epirubicin", selected=False)]
    [card] = c3(facts(), orders)
    assert card["indicator"] == "critical"
    assert "epirubicin drafted" in card["summary"]
    assert deletes(card) == [
        "MedicationRequest/draft-pertuzumab",
        "MedicationRequest/draft-epirubicin",
    ]
    assert card["selectionBehavior"] == "at-most-one"


def test_anthracycline_ordered_while_trastuzumab_is_active_is_critical():
    patient = facts(therapy=therapy(on("trastuzumab", since_days=40)))
    [card] = c3(patient, [order("doxorubicin")])
    assert card["indicator"] == "critical"
    assert "(trastuzumab active)" in card["summary"]
    assert deletes(card) == ["MedicationRequest/draft-doxorubicin"]


@pytest.mark.parametrize(
    "drug", ["ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan", "pertuzumab-trastuzumab-sc"]
)
def test_every_trastuzumab_class_product_counts(drug):
    patient = facts(therapy=therapy(on("doxorubicin", since_days=20)))
    assert [c["indicator"] for c in c3(patient, [order(drug)])] == ["critical"]


def test_anthracycline_finished_before_trastuzumab_is_the_standard_sequence():
    patient = facts(therapy=therapy(on("doxorubicin", since_days=120, active=False, end_days=30)))
    assert c3(patient, [order("trastuzumab")]) == []


def test_taxane_with_trastuzumab_is_not_an_anthracycline():
    assert c3(facts(), [order("trastuzumab"), order("paclitaxel")]) == []


def test_order_sign_with_both_drafted_gives_one_card():
    orders = [order("trastuzumab"), order("doxorubicin")]
    rendered = c3(facts(), orders, hook=Hook.ORDER_SIGN)
    assert [c["indicator"] for c in rendered] == ["critical"]


@pytest.mark.parametrize(("days", "expected"), [(100, "warning"), (215, None)])
def test_anthracycline_within_7_months_of_the_last_trastuzumab_is_a_warning(days, expected):
    patient = facts(
        therapy=therapy(on("trastuzumab", since_days=500, active=False, last_dose_days=days))
    )
    found = c3(patient, [order("doxorubicin")])
    assert [c["indicator"] for c in found] == ([expected] if expected else [])
    if expected:
        assert found[0]["summary"].startswith(
            "Doxorubicin ordered 100 days after the last trastuzumab"
        )
        assert "unverified" in found[0]["detail"]


def test_medication_gap_without_an_overlap_is_said():
    [card] = c3(
        facts(), [order("trastuzumab")], gaps=[gap("medicationRequests", "Medication orders")]
    )
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Medication history could not be retrieved from the EHR")


# --- C4 ----------------------------------------------------------------------------------


def c4(patient, orders, config=None, gaps=()):
    return cards(Hook.ORDER_SELECT, patient, orders, rule="C4", config=config, gaps=gaps)


def with_totals(*totals, **parts):
    return facts(therapy=therapy(anthracyclines=totals), **parts)


@pytest.mark.parametrize(("total", "expected"), [(299, None), (300, "warning")])
def test_doxorubicin_300_boundary(total, expected):
    found = c4(with_totals(anthracycline_total("doxorubicin", total)), [order("doxorubicin")])
    assert [c["indicator"] for c in found] == ([expected] if expected else [])
    if expected:
        assert found[0]["summary"] == (
            "Cumulative doxorubicin-equivalent 300 mg/m² so far (≥300 mg/m²): "
            "monitor LVEF more often, consider dexrazoxane"
        )
        assert "doxorubicin: 300 mg/m² given (4 administration(s))" in found[0]["detail"]


@pytest.mark.parametrize(("total", "expected"), [(449, "warning"), (450, "critical")])
def test_doxorubicin_450_boundary(total, expected):
    found = c4(with_totals(anthracycline_total("doxorubicin", total)), [order("doxorubicin")])
    assert [c["indicator"] for c in found] == [expected]
    if expected == "critical":
        assert "reaches the 450 mg/m² limit" in found[0]["summary"]


@pytest.mark.parametrize(("total", "expected"), [(399, "warning"), (400, "critical")])
def test_with_trastuzumab_on_file_the_label_s_lower_ceiling_is_critical(total, expected):
    earlier_trastuzumab = on("trastuzumab", since_days=700, active=False, end_days=400)
    patient = facts(
        therapy=therapy(
            earlier_trastuzumab, anthracyclines=[anthracycline_total("doxorubicin", total)]
        )
    )
    found = c4(patient, [order("doxorubicin")])
    assert [c["indicator"] for c in found] == [expected]
    assert "the lower (400 mg/m²) ceiling of the label is the relevant one" in found[0]["detail"]
    if expected == "critical":
        assert "reaches the 400 mg/m² limit" in found[0]["summary"]


def test_thresholds_are_configurable():
    strict = CardsConfig(threshold_overrides={"anthracycline_cumulative_warning_mg_m2": 240})
    patient = with_totals(anthracycline_total("doxorubicin", 240))
    assert c4(patient, [order("doxorubicin")]) == []
    assert [c["indicator"] for c in c4(patient, [order("doxorubicin")], config=strict)] == [
        "warning"
    ]


def test_drafted_dose_in_mg_per_m2_is_added():
    patient = with_totals(anthracycline_total("doxorubicin", 240))
    [card] = c4(patient, [order("doxorubicin", dose=Dose(60, "mg/m2"))])
    assert card["summary"].startswith("Cumulative doxorubicin-equivalent 300 mg/m² with this order")


def test_drafted_dose_in_mg_is_converted_with_bsa():
    body = BodySize(weights=(), heights=(), bsa_m2=2.0, bsa_method=BsaMethod.RECORDED)
    patient = with_totals(anthracycline_total("doxorubicin", 240), body=body)
    [card] = c4(patient, [order("doxorubicin", dose=Dose(120, "mg", mg=120))])
    assert "300 mg/m² with this order" in card["summary"]


def test_daunorubicin_is_converted_with_the_ighg_ratio():
    patient = with_totals(
        anthracycline_total("doxorubicin", 180), anthracycline_total("daunorubicin", 200)
    )
    [card] = c4(patient, [order("doxorubicin")])  # 180 + 200 x 0.6 = 300
    assert card["summary"].startswith("Cumulative doxorubicin-equivalent 300 mg/m²")
    assert "ratio 0.6" in card["detail"]
    below = with_totals(
        anthracycline_total("doxorubicin", 180), anthracycline_total("daunorubicin", 198)
    )
    assert c4(below, [order("doxorubicin")]) == []


@pytest.mark.parametrize(("total", "expected"), [(549, None), (550, "warning"), (900, "critical")])
def test_epirubicin_is_held_against_its_own_label_limits(total, expected):
    found = c4(with_totals(anthracycline_total("epirubicin", total)), [order("epirubicin")])
    assert [c["indicator"] for c in found] == ([expected] if expected else [])
    if expected == "critical":
        assert (
            found[0]["summary"]
            == "Cumulative epirubicin 900 mg/m² so far reaches its 900 mg/m² label limit"
        )


def test_mixed_history_sums_fractions_of_each_limit_and_shows_components():
    patient = with_totals(
        anthracycline_total("doxorubicin", 150), anthracycline_total("epirubicin", 275)
    )  # 150/300 + 275/550 = 100% of the warning limits
    [card] = c4(patient, [order("doxorubicin")])
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Cumulative anthracycline so far at 100% of the warning limit: "
        "doxorubicin 150 mg/m² + epirubicin 275 mg/m²"
    )


def test_uncounted_administrations_make_an_incomplete_total_warning():
    patient = with_totals(anthracycline_total("doxorubicin", 120, given=2, uncounted=2))
    [card] = c4(patient, [order("doxorubicin")])
    assert card["indicator"] == "warning"
    assert "incomplete" in card["summary"]
    assert (
        "2 doxorubicin administration(s) without a dose in mg/m² were not counted" in card["detail"]
    )


def test_prior_anthracycline_without_administrations_is_missing_data():
    patient = facts(therapy=therapy(on("epirubicin", since_days=900, active=False, end_days=800)))
    [card] = c4(patient, [order("doxorubicin")])
    assert "epirubicin is on file without administrations to count" in card["detail"]


def test_first_anthracycline_with_nothing_on_file_gets_no_card():
    assert c4(facts(), [order("doxorubicin", dose=Dose(60, "mg/m2"))]) == []


def test_administration_gap_is_said():
    [card] = c4(
        facts(),
        [order("doxorubicin")],
        gaps=[gap("medicationAdministrations", "Medication administrations")],
    )
    assert card["indicator"] == "warning"
    assert "check the cumulative anthracycline dose before doxorubicin" in card["summary"]


def test_non_anthracycline_orders_do_not_trigger():
    patient = with_totals(anthracycline_total("doxorubicin", 500))
    assert c4(patient, [order("trastuzumab"), order("docetaxel")]) == []
