"""C5: pregnancy and HER2-directed therapy."""

from __future__ import annotations

import pytest

from cards import CardsConfig, Hook
from fhir_mappings import Demographics, PregnancyState, Sex
from tests.unit.cards.safety.support import cards, facts, gap, man, order, pregnancy, woman


def c5(patient, drugs=("trastuzumab",), hook=Hook.ORDER_SELECT, gaps=(), config=None):
    return cards(hook, patient, [order(d) for d in drugs], rule="C5", gaps=gaps, config=config)


def test_active_pregnancy_with_trastuzumab_is_critical_with_contraception_duration():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.PREGNANT, 20))
    [card] = c5(patient, ["trastuzumab", "pertuzumab"])
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "Pregnancy on file (2026-11-01): trastuzumab and pertuzumab can cause embryo-fetal harm "
        "(boxed warning)"
    )
    assert "for 7 months after the last dose" in card["detail"]
    assert "MotHER" in card["detail"]
    deletes = [a["resourceId"] for s in card["suggestions"] for a in s["actions"]]
    assert deletes == ["MedicationRequest/draft-trastuzumab", "MedicationRequest/draft-pertuzumab"]


def test_tdxd_contraception_says_to_check_locally():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.PREGNANT, 5))
    [card] = c5(patient, ["fam-trastuzumab-deruxtecan"])
    assert "for 7 months after the last dose (confirmed in secondary summaries" in card["detail"]


def test_tucatinib_contraception_is_one_week():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.PREGNANT, 5))
    [card] = c5(patient, ["tucatinib"])
    assert "for 1 week after the last dose" in card["detail"]


def test_no_pregnancy_status_in_a_woman_of_reproductive_potential_asks_for_hcg():
    [card] = c5(facts(demographics=woman()))
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Verify pregnancy status before trastuzumab: no pregnancy status on file"
    )
    codes = [s["actions"][0]["resource"]["code"]["coding"][0]["code"] for s in card["suggestions"]]
    assert codes == ["2118-8", "2106-3"]
    assert [s.get("isRecommended", False) for s in card["suggestions"]] == [True, False]
    assert card["selectionBehavior"] == "at-most-one"
    assert "- No pregnancy test or pregnancy status on file" in card["detail"]


@pytest.mark.parametrize(("days", "expected"), [(30, None), (31, "warning")])
def test_negative_hcg_counts_within_the_window(days, expected):
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.NOT_PREGNANT, days))
    found = c5(patient)
    assert [c["indicator"] for c in found] == ([expected] if expected else [])
    if expected:
        assert "last status 2026-10-21, 31 days ago" in found[0]["summary"]


def test_window_is_configurable():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.NOT_PREGNANT, 10))
    tight = CardsConfig(threshold_overrides={"pregnancy_status_window_days": 7})
    assert c5(patient) == []
    assert len(c5(patient, config=tight)) == 1


def test_men_get_no_pregnancy_card():
    assert c5(facts(demographics=man())) == []


def test_women_outside_the_reproductive_window_get_no_pregnancy_card():
    assert c5(facts(demographics=woman(62, reproductive=False))) == []


def test_woman_of_unknown_age_is_asked():
    [card] = c5(facts(demographics=woman(reproductive=None)))
    assert card["indicator"] == "warning"
    assert "age is not on file" in card["detail"]


@pytest.mark.parametrize("sex", [Sex.UNKNOWN, Sex.OTHER])
def test_a_sex_not_recorded_as_female_or_male_is_not_read_as_male(sex: Sex):
    """Missing data is not normal: a 45-year-old whose record gives no sex (or 'other') is asked
    about like a woman, and the card says what the record lacks (review 2, finding 16)."""
    patient = Demographics(sex=sex, age_years=45, reproductive_potential=True)
    [card] = c5(facts(demographics=patient))
    assert card["indicator"] == "warning"
    assert "does not give the patient's sex as female or male." in card["detail"]
    assert "Her age" not in card["detail"]
    unknown_age = Demographics(sex=sex, age_years=None, reproductive_potential=None)
    [card] = c5(facts(demographics=unknown_age))
    assert "and the patient's age is not on file" in card["detail"]


def test_a_sex_not_recorded_outside_the_window_gets_no_pregnancy_card():
    patient = Demographics(sex=Sex.UNKNOWN, age_years=66, reproductive_potential=False)
    assert c5(facts(demographics=patient)) == []


def test_old_pregnancy_record_is_not_a_current_pregnancy():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.PREGNANT, 900))
    [card] = c5(patient)
    assert card["indicator"] == "warning"
    assert "Last pregnancy record on 2024-06-04, 900 days ago" in card["detail"]


def test_undated_pregnancy_is_a_warning_not_critical():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.PREGNANT, None))
    [card] = c5(patient)
    assert card["indicator"] == "warning"


def test_pregnancy_gap_is_said():
    [card] = c5(facts(demographics=woman()), gaps=[gap("pregnancy", "Pregnancy observations")])
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Pregnancy status could not be retrieved from the EHR")


def test_patient_gap_with_unknown_sex_is_said():
    unknown = Demographics(sex=Sex.UNKNOWN, age_years=None, reproductive_potential=None)
    [card] = c5(facts(demographics=unknown), gaps=[gap("patient", "Patient record")])
    assert card["indicator"] == "warning"


def test_non_her2_orders_do_not_trigger():
    assert c5(facts(demographics=woman()), ["docetaxel"]) == []


def test_order_sign_keeps_the_pregnancy_cards():
    patient = facts(demographics=woman(), pregnancy=pregnancy(PregnancyState.PREGNANT, 20))
    assert [c["indicator"] for c in c5(patient, hook=Hook.ORDER_SIGN)] == ["critical"]
    assert [c["indicator"] for c in c5(facts(demographics=woman()), hook=Hook.ORDER_SIGN)] == [
        "warning"
    ]
