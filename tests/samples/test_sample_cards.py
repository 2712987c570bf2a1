"""Each sample patient produces the cards it is shipped to show, on each hook, through the
real endpoints with prefetch built from discovery. A rule change that silences or adds a card
on a sample fails here, so the demo never shows a story its cards do not tell."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from cds_service import samples
from tests.samples.support import call, draft, rules

P = "her2demo-"
# patient id -> (patient-view rules, order-select drafts (drug, mg), order-select rules,
# order-sign rules), each rule with its indicator. Drafted doses are the patient's computed dose
# within the 5 % IV rounding threshold, so no dose card interrupts the story.
EXPECTED = {
    "first-line": (
        {"C12-summary": "info"},
        [("trastuzumab", 560)],
        {"C12-first-line": "info"},
        {},
    ),
    "hr-positive": (
        {"cardiac-summary": "info", "C12-summary": "info"},
        [("trastuzumab", 420), ("pertuzumab", 420)],
        {"C12-hr-endocrine": "info"},
        {},
    ),
    "relapse-8-months": (
        {"C12-summary": "info"},
        [("trastuzumab", 512)],  # 8 mg/kg × 64 kg: within the IV rounding threshold
        {"C12-second-line": "info"},
        {},
    ),
    "relapse-20-months": (
        {"C12-summary": "info"},
        [("trastuzumab", 512)],  # 8 mg/kg × 64 kg: within the IV rounding threshold
        {"C12-first-line": "info"},
        {},
    ),
    "lvef-decline": (
        # one card per problem: the critical LVEF card absorbs the cardiac summary
        {"C2": "critical", "C12-summary": "info"},
        [("trastuzumab", 420)],
        {"C2": "critical"},
        {"C2": "critical"},
    ),
    "lvef-overdue": (
        {"C1": "warning", "C12-summary": "info"},
        [("trastuzumab", 420)],
        {"C1": "warning"},
        {"C1": "warning"},
    ),
    "on-doxorubicin": ({}, [("trastuzumab", 560)], {"C3": "critical"}, {"C3": "critical"}),
    "her2-2plus-no-ish": ({}, [("trastuzumab", 560)], {"C6": "warning"}, {"C6": "warning"}),
    "pregnant": (
        {"C12-summary": "info"},
        [("trastuzumab", 560)],
        {"C5": "critical", "C12-first-line": "info"},
        {"C5": "critical"},
    ),
    "her2-low": (
        {"C12-her2-low": "info"},
        [("trastuzumab", 528)],  # 8 mg/kg × 66 kg: within the IV rounding threshold
        {"C6": "warning"},
        {"C6": "warning"},
    ),
    "second-line": (
        {"C12-summary": "info"},
        [("trastuzumab", 560)],
        {"C12-second-line": "info"},
        {},
    ),
    "third-line": (
        # T-DXd stopped two months ago: no HER2 drug is current, so no cardiac summary.
        {"C12-summary": "info"},
        [("trastuzumab", 560)],  # a reload: the last trastuzumab was over a year ago
        {"C12-later-lines": "info"},
        {},
    ),
}


def test_every_shipped_sample_is_checked_here() -> None:
    assert sorted(s.id for s in samples.samples()) == sorted(P + name for name in EXPECTED)
    assert len(EXPECTED) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_cards(client: FlaskClient, name: str) -> None:
    patient_id = P + name
    view, drugs, select, sign = EXPECTED[name]
    drafts = [draft(patient_id, drug, mg) for drug, mg in drugs]
    assert rules(call(client, "patient-view", patient_id)) == view
    assert rules(call(client, "order-select", patient_id, drafts)) == select
    assert rules(call(client, "order-sign", patient_id, drafts)) == sign


def test_first_line_suggests_pertuzumab_for_drafted_trastuzumab(client: FlaskClient) -> None:
    patient_id = P + "first-line"
    cards = call(client, "order-select", patient_id, [draft(patient_id, "trastuzumab", 560)])
    [card] = cards
    created = [
        a["resource"]["medicationCodeableConcept"]["text"]
        for s in card["suggestions"]
        for a in s["actions"]
        if a["type"] == "create"
    ]
    assert "pertuzumab" in created


def test_dates_move_with_today() -> None:
    from datetime import date, timedelta

    reference = samples.reference_date()
    later = samples.patient_resources(P + "lvef-decline", today=reference + timedelta(days=100))
    now = samples.patient_resources(P + "lvef-decline", today=reference)
    assert now[0]["birthDate"] != later[0]["birthDate"]
    shifted = date.fromisoformat(later[0]["birthDate"]) - date.fromisoformat(now[0]["birthDate"])
    assert shifted == timedelta(days=100)
