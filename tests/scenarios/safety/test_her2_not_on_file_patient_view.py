"""patient-view for a patient on HER2-directed therapy with no HER2 result on file: say so, with
the source documents' advice (find the result, else test tissue, re-biopsying an accessible
metastasis), as order-select does when the drug is drafted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    NOW,
    actions,
    by_rule,
    echo,
    gap,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    taking,
    woman,
)

RULE = "her2-not-on-file"


def on(drug: str, *extra: Any) -> list[Any]:
    return [woman(57), metastatic(), taking(drug, since=120), echo(62, days=20), *extra]


def test_no_her2_result_on_trastuzumab_is_said_on_patient_view() -> None:
    [card] = by_rule(safety_cards("patient-view", on("trastuzumab")), RULE)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "HER2 status not on file for a patient on trastuzumab: confirm HER2 status"
    )
    assert "no tissue HER2 result (IHC or ISH) is on file" in card["detail"]
    assert "a biopsy of an accessible metastasis" in card["detail"]
    assert "HER2 status can change as the disease progresses" in card["detail"]
    assert "- No tissue HER2 result (IHC or ISH)" in card["detail"]
    assert "T-DXd also for HER2-low" not in card["detail"]  # that clause is for T-DXd
    [create] = actions(card, "create")
    assert create["resource"]["resourceType"] == "ServiceRequest"
    assert card["source"]["topic"]["code"] == RULE


def test_tdxd_without_her2_result_is_said_too() -> None:
    cards = by_rule(safety_cards("patient-view", on("fam-trastuzumab-deruxtecan")), RULE)
    assert cards[0]["summary"].startswith("HER2 status not on file for a patient on ")
    assert "T-DXd also for HER2-low" in cards[0]["detail"]


def test_a_her2_positive_patient_gets_no_such_card() -> None:
    assert by_rule(safety_cards("patient-view", on("trastuzumab", her2_positive())), RULE) == []


def test_no_her2_therapy_no_card() -> None:
    assert safety_cards("patient-view", [woman(57), metastatic(), echo(62, days=20)]) == []


def test_inconclusive_results_are_said_as_inconclusive() -> None:
    indeterminate = fb.observation(
        "48676-1", when=fb.days_before(NOW, 200), value=fb.coded(fb.LOINC, "LA11884-6")
    )
    [card] = by_rule(safety_cards("patient-view", on("trastuzumab", indeterminate)), RULE)
    assert card["summary"].startswith("HER2 results on file are inconclusive")


def test_her2_results_the_ehr_could_not_send_are_a_gap_not_a_missing_result() -> None:
    cards = by_rule(
        safety_cards(
            "patient-view", on("trastuzumab"), gaps=[gap("tumorMarkers", "HER2 observations")]
        ),
        RULE,
    )
    assert cards[0]["summary"].startswith("HER2 results could not be retrieved from the EHR")


def test_a_her2_result_dated_after_now_is_named_on_the_card() -> None:
    ahead = fb.her2_ihc("3+", when=(NOW + timedelta(days=3)).isoformat())
    [card] = by_rule(safety_cards("patient-view", on("trastuzumab", ahead)), RULE)
    assert "is dated after the time of this request (2026-11-21): set aside" in card["detail"]


def test_order_hooks_keep_c6() -> None:
    cards = safety_cards("order-select", on("trastuzumab"), orders=[ordering("trastuzumab")])
    assert [c["source"]["topic"]["code"] for c in cards] == ["C6"]
