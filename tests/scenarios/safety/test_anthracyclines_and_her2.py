"""Anthracyclines and HER2 antibodies: AC then THP is the standard sequence; giving them
together is the boxed-warning error, and the cumulative anthracycline dose sets limits."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    actions,
    anthracycline_given,
    early_breast_cancer,
    echo,
    gap,
    her2_positive,
    ordering,
    safety_cards,
    size,
    taking,
    woman,
)


def early_patient(*extra) -> list:
    return [woman(52), her2_positive(), early_breast_cancer(120), echo(65, days=20), size(), *extra]


def test_trastuzumab_ordered_while_doxorubicin_is_active_is_critical():
    patient = early_patient(taking("doxorubicin", since=30, dose=60, unit="mg/m2"))
    cards = safety_cards("order-select", patient, orders=[ordering("trastuzumab")])
    [card] = [c for c in cards if c["source"]["topic"]["code"] == "C3"]
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "Do not give trastuzumab with doxorubicin (doxorubicin active): give HER2 therapy "
        "after the anthracycline"
    )
    assert [a["resourceId"] for a in actions(card, "delete")] == [
        "MedicationRequest/draft-trastuzumab"
    ]


def test_thp_after_ac_was_completed_is_the_standard_sequence():
    patient = early_patient(taking("doxorubicin", since=100, ended=37, dose=60, unit="mg/m2"))
    cards = safety_cards(
        "order-sign", patient, orders=[ordering("trastuzumab"), ordering("pertuzumab")]
    )
    assert [c for c in cards if c["source"]["topic"]["code"] == "C3"] == []


def test_doxorubicin_ordered_while_trastuzumab_is_active_on_order_sign():
    patient = early_patient(taking("trastuzumab", since=40))
    cards = safety_cards("order-sign", patient, orders=[ordering("doxorubicin")])
    assert ("C3", "critical") in [(c["source"]["topic"]["code"], c["indicator"]) for c in cards]


@pytest.mark.parametrize(
    ("cycles", "dose", "expected"),
    [
        (5, 59.8, None),  # 299 mg/m2 doxorubicin
        (5, 60, "warning"),  # 300 mg/m2
        (6, 75, "critical"),  # 450 mg/m2
    ],
)
def test_cumulative_doxorubicin_from_administrations(cycles, dose, expected):
    patient = [
        woman(48),
        her2_positive(),
        early_breast_cancer(700),
        echo(60, days=20),
        anthracycline_given("doxorubicin", mg_per_m2=dose, cycles=cycles, first=600),
    ]
    cards = safety_cards("order-select", patient, orders=[ordering("doxorubicin")])
    c4 = [c for c in cards if c["source"]["topic"]["code"] == "C4"]
    assert [c["indicator"] for c in c4] == ([expected] if expected else [])
    if expected == "warning":
        assert c4[0]["summary"] == (
            "Cumulative doxorubicin-equivalent 300 mg/m² so far (≥300 mg/m²): monitor LVEF "
            "more often, consider dexrazoxane"
        )
        assert "doxorubicin: 300 mg/m² given (5 administration(s))" in c4[0]["detail"]
    if expected == "critical":
        assert "reaches the 450 mg/m² limit" in c4[0]["summary"]


def test_drafted_dose_counts_toward_the_total():
    patient = [
        woman(48),
        her2_positive(),
        early_breast_cancer(700),
        anthracycline_given("doxorubicin", mg_per_m2=60, cycles=4, first=600),
    ]
    cards = safety_cards(
        "order-sign", patient, orders=[ordering("doxorubicin", dose=60, unit="mg/m2")]
    )
    assert ("C4", "warning") in [(c["source"]["topic"]["code"], c["indicator"]) for c in cards]
    [c4] = [c for c in cards if c["source"]["topic"]["code"] == "C4"]
    assert c4["summary"].startswith("Cumulative doxorubicin-equivalent 300 mg/m² with this order")


def test_epirubicin_history_is_held_against_its_own_label_limit():
    patient = [
        woman(48),
        her2_positive(),
        early_breast_cancer(900),
        anthracycline_given("epirubicin", mg_per_m2=100, cycles=6, first=800),
    ]
    cards = safety_cards("order-select", patient, orders=[ordering("epirubicin")])
    [c4] = [c for c in cards if c["source"]["topic"]["code"] == "C4"]
    assert c4["indicator"] == "warning"
    assert c4["summary"].startswith("Cumulative epirubicin 600 mg/m² so far (≥550 mg/m²)")


def test_missing_administration_history_is_said():
    cards = safety_cards(
        "order-select",
        [woman(48), her2_positive(), early_breast_cancer()],
        orders=[ordering("doxorubicin")],
        gaps=[gap("medicationAdministrations", "Medication administrations")],
    )
    [c4] = [c for c in cards if c["source"]["topic"]["code"] == "C4"]
    assert c4["indicator"] == "warning"
    # too long with the reason: the summary keeps the advice, the detail keeps the reason
    assert c4["summary"] == (
        "Administration history could not be retrieved from the EHR; check the cumulative "
        "anthracycline dose before doxorubicin"
    )
    assert "Medication administrations: the FHIR server timed out" in c4["detail"]


def test_medication_history_gap_with_thp_is_a_whole_sentence():
    # The reviewer saw "…before trastuzumab and per…": the summary was cut by the renderer.
    patient = [woman(58), her2_positive(), *early_breast_cancer(), echo(60, days=10), size()]
    cards = safety_cards(
        "order-select",
        patient,
        orders=[ordering("trastuzumab"), ordering("pertuzumab"), ordering("docetaxel")],
        gaps=[gap("medicationAdministrations", "Medication administrations")],
    )
    [c3] = [c for c in cards if c["source"]["topic"]["code"] == "C3"]
    assert c3["summary"] == (
        "Medication history could not be retrieved from the EHR; check for an active "
        "anthracycline or HER2 antibody first"
    )
    assert "…" not in c3["summary"]
