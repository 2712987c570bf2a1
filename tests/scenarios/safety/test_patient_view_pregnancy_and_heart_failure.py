"""Opening the chart of a 33-year-old woman on trastuzumab + pertuzumab for HER2-positive
metastatic breast cancer. A pregnancy was recorded 40 days ago and heart failure is on her
problem list. Patient-view must say so for the drugs she is on, not only summarise her
echocardiograms: both drugs carry boxed embryo-fetal toxicity warnings, and heart failure
is the case-by-case exception of ASCO 2022."""

from __future__ import annotations

from tests.scenarios.safety.builders import (
    by_rule,
    echo,
    hcg,
    heart_failure,
    her2_positive,
    metastatic,
    pregnancy,
    safety_cards,
    size,
    summaries,
    taking,
    woman,
)


def on_hp(*extra, active: bool = True) -> list:
    ended = None if active else 120
    return [
        woman(33),
        her2_positive(500),
        metastatic(300),
        echo(60, days=20),
        size(),
        taking("trastuzumab", since=290, ended=ended),
        taking("pertuzumab", since=290, ended=ended),
        *extra,
    ]


def test_pregnancy_and_heart_failure_on_file_while_on_hp():
    cards = safety_cards("patient-view", on_hp(pregnancy(days=40), heart_failure(days=100)))
    assert summaries(by_rule(cards, "C5")) == [
        (
            "C5",
            "critical",
            "Pregnancy on file (2026-10-12) while on trastuzumab and pertuzumab: embryo-fetal "
            "harm (boxed warning)",
        )
    ]
    assert summaries(by_rule(cards, "heart-failure")) == [
        (
            "heart-failure",
            "warning",
            "Heart failure or cardiomyopathy on file (recorded 2026-08-13): review cardiac risk "
            "on trastuzumab and pertuzumab",
        )
    ]
    # Nothing to delete on patient-view: the pregnancy card is information for the next dose.
    [c5] = by_rule(cards, "C5")
    assert all(a["type"] != "delete" for s in c5.get("suggestions", []) for a in s["actions"])
    assert "for 7 months after the last dose" in c5["detail"]
    assert [c["indicator"] for c in by_rule(cards, "cardiac-summary")] == ["info"]


def test_positive_hcg_while_on_hp_is_critical_on_patient_view():
    cards = safety_cards("patient-view", on_hp(hcg(positive=True, days=4)))
    assert [c["indicator"] for c in by_rule(cards, "C5")] == ["critical"]


def test_patient_view_never_asks_to_verify_pregnancy_status():
    # No pregnancy record at all: the order hooks ask for an hCG before the next dose.
    assert by_rule(safety_cards("patient-view", on_hp()), "C5") == []


def test_an_old_pregnancy_record_is_not_a_current_pregnancy_on_patient_view():
    assert by_rule(safety_cards("patient-view", on_hp(pregnancy(days=400))), "C5") == []


def test_no_her2_therapy_now_no_pregnancy_or_heart_failure_card():
    cards = safety_cards(
        "patient-view", on_hp(pregnancy(days=40), heart_failure(days=100), active=False)
    )
    assert by_rule(cards, "C5") == [] and by_rule(cards, "heart-failure") == []


def test_heart_failure_alone_is_a_warning_on_patient_view():
    cards = safety_cards("patient-view", on_hp(heart_failure(days=100)))
    assert [c["indicator"] for c in by_rule(cards, "heart-failure")] == ["warning"]
    assert by_rule(cards, "C5") == []
