"""C1 (LVEF missing or overdue) and the patient-view cardiac monitoring summary."""

from __future__ import annotations

import pytest

from cards import CardsConfig, Hook
from fhir_mappings import LvefSeries
from tests.unit.cards.facts_factory import lvef_measurement
from tests.unit.cards.safety.support import (
    cards,
    facts,
    gap,
    lvef,
    on,
    only,
    order,
    therapy,
)


def c1(patient, drugs, hook=Hook.ORDER_SELECT, config=None, gaps=()):
    orders = [order(d) for d in drugs]
    return cards(hook, patient, orders, rule="C1", config=config, gaps=gaps)


def test_no_lvef_on_file_before_trastuzumab_is_a_warning_with_an_echo_to_order():
    [card] = c1(facts(), ["trastuzumab"])
    assert card["indicator"] == "warning"
    assert card["summary"] == "No LVEF on file before trastuzumab: order an echocardiogram"
    assert "- No LVEF on file" in card["detail"]
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] is True
    request = suggestion["actions"][0]["resource"]
    assert request["resourceType"] == "ServiceRequest"
    assert request["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "40701008",
        "display": "Echocardiography (procedure)",
    }
    assert request["subject"] == {"reference": "Patient/pat-1"}
    assert card["selectionBehavior"] == "at-most-one"
    assert {r["code"] for r in card["overrideReasons"]} >= {"already-addressed"}


@pytest.mark.parametrize(("age", "expected"), [(92, None), (93, "warning")])
def test_three_month_interval_boundary(age, expected):
    patient = facts(lvef=lvef((58, age)))
    found = c1(patient, ["trastuzumab"])
    assert [c["indicator"] for c in found] == ([expected] if expected else [])
    if expected:
        assert found[0]["summary"] == (
            "LVEF overdue before trastuzumab: last 58 % on 2026-08-20, 93 days ago "
            "(due approximately every 3 months)"
        )
        assert "- Last LVEF 58 % on 2026-08-20, 93 days ago" in found[0]["detail"]


def test_example_from_the_issue_264_days():
    patient = facts(lvef=lvef((58, 264)))
    [card] = c1(patient, ["pertuzumab"])
    assert "Last LVEF 58 % on 2026-03-02, 264 days ago" in card["detail"]


@pytest.mark.parametrize("drug", ["trastuzumab-sc", "ado-trastuzumab-emtansine"])
def test_every_her2_antibody_has_the_three_month_interval(drug):
    assert c1(facts(lvef=lvef((60, 92))), [drug]) == []
    assert len(c1(facts(lvef=lvef((60, 93))), [drug])) == 1


@pytest.mark.parametrize("drug", ["pertuzumab", "pertuzumab-trastuzumab-sc"])
def test_pertuzumab_and_phesgo_have_the_labels_12_weeks(drug):
    assert c1(facts(lvef=lvef((60, 92))), [drug]) == []
    [card] = c1(facts(lvef=lvef((60, 93))), [drug])
    assert card["summary"].endswith("(due approximately every 3 months)")


def test_tdxd_interval_is_configurable():
    patient = facts(lvef=lvef((60, 46)))
    drug = "fam-trastuzumab-deruxtecan"
    assert c1(patient, [drug]) == []
    tight = CardsConfig(threshold_overrides={"lvef_interval_days_tdxd": 45})
    [card] = c1(patient, [drug], config=tight)
    assert "46 days ago (due approximately every 45 days)" in card["summary"]
    assert c1(facts(lvef=lvef((60, 45))), [drug], config=tight) == []


@pytest.mark.parametrize(("age", "expected"), [(28, None), (29, "warning")])
def test_margetuximab_needs_an_lvef_within_4_weeks_before_the_first_dose(age, expected):
    found = c1(facts(lvef=lvef((60, age))), ["margetuximab"])
    assert [c["indicator"] for c in found] == ([expected] if expected else [])
    if expected:
        assert "(due within 4 weeks)" in found[0]["summary"]


def test_margetuximab_already_running_uses_the_3_month_interval():
    patient = facts(lvef=lvef((60, 60)), therapy=therapy(on("margetuximab", since_days=100)))
    assert c1(patient, ["margetuximab"]) == []


def test_strictest_interval_applies_when_several_are_ordered():
    patient = facts(lvef=lvef((60, 40)))
    [card] = c1(patient, ["trastuzumab", "margetuximab"])
    assert card["summary"].startswith("LVEF overdue before trastuzumab and margetuximab")


def test_only_undated_lvef_counts_as_missing():
    undated = lvef_measurement(60, None)
    patient = facts(
        lvef=LvefSeries(measurements=(undated,), baseline=None, current_regimen_start=None)
    )
    [card] = c1(patient, ["trastuzumab"])
    assert card["summary"].startswith("No dated LVEF on file before trastuzumab")
    assert "undated" in card["detail"]


def test_lvef_gap_is_said_on_a_warning():
    [card] = c1(
        facts(lvef=lvef((60, 10))),
        ["trastuzumab"],
        gaps=[gap("lvef", "LVEF observations")],
    )
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "LVEF could not be retrieved from the EHR (the FHIR server timed out); "
        "verify LVEF before trastuzumab"
    )


@pytest.mark.parametrize("drug", ["tucatinib", "docetaxel", "doxorubicin"])
def test_drugs_without_an_lvef_table_get_no_c1(drug):
    assert c1(facts(), [drug]) == []


def test_order_sign_repeats_the_warning():
    assert [c["indicator"] for c in c1(facts(), ["trastuzumab"], hook=Hook.ORDER_SIGN)] == [
        "warning"
    ]


def test_unselected_draft_does_not_trigger():
    patient = facts()
    assert (
        cards(Hook.ORDER_SELECT, patient, [order("trastuzumab", selected=False)], rule="C1") == []
    )


# --- patient-view ------------------------------------------------------------------------


def on_trastuzumab(*readings, baseline_index=0):
    return facts(
        lvef=lvef(*readings, baseline_index=baseline_index, regimen_start_days=190),
        therapy=therapy(on("trastuzumab", since_days=190)),
    )


def test_patient_view_summarises_monitoring_for_a_patient_on_trastuzumab():
    patient = on_trastuzumab((62, 200), (58, 30))
    [card] = cards(Hook.PATIENT_VIEW, patient)
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "On trastuzumab: last LVEF 58 % on 2026-10-22 (baseline 62 % on 2026-05-05); "
        "next due by 2027-01-22"
    )
    assert card["source"]["topic"]["code"] == "cardiac-summary"


def test_patient_view_overdue_replaces_the_summary_with_the_c1_warning():
    patient = on_trastuzumab((62, 200), (58, 100))
    rendered = cards(Hook.PATIENT_VIEW, patient)
    card = only(rendered, "C1")
    assert card["summary"].startswith("LVEF overdue on trastuzumab: last 58 %")
    assert "cardiac-summary" not in [c["source"]["topic"]["code"] for c in rendered]


def test_patient_view_no_lvef_at_all_on_trastuzumab():
    patient = facts(therapy=therapy(on("trastuzumab", since_days=60)))
    [card] = cards(Hook.PATIENT_VIEW, patient)
    assert card["summary"] == "No LVEF on file on trastuzumab: order an echocardiogram"


def test_patient_view_for_a_patient_not_on_her2_antibodies_is_empty():
    assert cards(Hook.PATIENT_VIEW, facts(lvef=lvef((40, 10)))) == []
    ended = facts(therapy=therapy(on("trastuzumab", since_days=400, active=False, end_days=200)))
    assert cards(Hook.PATIENT_VIEW, ended) == []


def test_patient_view_ignores_drafts_and_other_hooks_ignore_the_summary():
    patient = on_trastuzumab((62, 200), (58, 30))
    assert cards(Hook.ORDER_SELECT, patient, [order("trastuzumab")]) == []
