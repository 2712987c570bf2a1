"""A wrong card is worse than none: well-monitored HER2 therapy, non-HER2 orders and a
patient-view for someone not on HER2 antibodies get no safety card."""

from __future__ import annotations

import pytest

from tests.scenarios.safety.builders import (
    early_breast_cancer,
    echo,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    taking,
    woman,
)


def well_monitored_thp() -> list:
    return [
        woman(58),
        her2_positive(),
        metastatic(),
        echo(64, days=200),
        taking("trastuzumab", since=190),
        taking("pertuzumab", since=190),
        echo(60, days=30),  # a 4-point fall: no threshold crossed
    ]


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_next_thp_cycle_with_a_recent_normal_echo(hook):
    orders = [ordering("trastuzumab"), ordering("pertuzumab"), ordering("docetaxel")]
    assert safety_cards(hook, well_monitored_thp(), orders=orders) == []


def test_patient_view_shows_only_the_monitoring_summary():
    cards = safety_cards("patient-view", well_monitored_thp())
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [
        ("cardiac-summary", "info")
    ]


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_endocrine_therapy_order_gets_no_safety_card(hook):
    patient = [woman(67), her2_positive(), early_breast_cancer(800)]
    assert safety_cards(hook, patient, orders=[ordering("letrozole")]) == []


def test_patient_view_of_a_patient_not_on_her2_antibodies():
    patient = [woman(67), her2_positive(), early_breast_cancer(900), echo(45, days=400)]
    assert safety_cards("patient-view", patient) == []
