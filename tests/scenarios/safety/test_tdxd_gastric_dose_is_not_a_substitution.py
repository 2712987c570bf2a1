"""T-DXd 6.4 mg/kg is the label dose for HER2-positive gastric cancer (Enhertu PI 2.2), the
second-line drug after trastuzumab there (DESTINY-Gastric01): for a gastric patient it is no
"trastuzumab dose drafted for T-DXd" (review 2, finding 1: a critical card at every cycle of
correct care). In breast cancer 6.4 mg/kg stays a critical trap, explained once, by the dose
check ("the gastric cancer dose"), not a second time as trastuzumab's 6 mg/kg."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.regimens.builders import gastric_cancer
from tests.scenarios.safety.builders import (
    NOW,
    echo,
    flatten,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    size,
    summaries,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import recent_labs

TDXD = "fam-trastuzumab-deruxtecan"


def _after_trastuzumab(*disease: object) -> list:
    """Trastuzumab every 3 weeks until 40 days ago (order stopped at progression), 70 kg."""
    return [
        woman(62),
        her2_positive(300),
        *disease,
        echo(60, days=10),
        size(70, 165),
        recent_labs(3),
        taking("trastuzumab", since=280, ended=40, status="stopped", dose=420),
    ]


def _tdxd_448() -> dict:
    return ordering(TDXD, dose=448)  # 6.4 mg/kg at 70 kg


def test_gastric_cancer_tdxd_at_its_label_dose_gets_no_substitution_card():
    resources = _after_trastuzumab(gastric_cancer(onset_days=300))
    for hook in ("order-select", "order-sign"):
        cards = safety_cards(hook, resources, orders=[_tdxd_448()])
        assert [s for s in summaries(cards) if s[0] == "C9"] == [], hook


def test_gastric_cancer_tdxd_at_the_trastuzumab_loading_dose_is_still_a_substitution():
    resources = _after_trastuzumab(gastric_cancer(onset_days=300))
    cards = safety_cards("order-sign", resources, orders=[ordering(TDXD, dose=560)])
    assert [s[:2] for s in summaries(cards) if s[0] == "C9"] == [("C9", "critical")]


def test_breast_cancer_tdxd_at_6_4_mg_kg_is_one_critical_naming_the_gastric_dose():
    resources = _after_trastuzumab(metastatic(500))
    rendered = run_hook(
        "order-sign",
        flatten(*resources),
        now=NOW,
        draft_orders=fb.draft_bundle(_tdxd_448()),
        selections=fb.selections(_tdxd_448()),
    )
    criticals = [
        (c["source"]["topic"]["code"], c["summary"])
        for c in rendered
        if c["indicator"] == "critical"
    ]
    assert criticals == [
        (
            "dose-check",
            "T-DXd 448 mg (6.4 mg/kg): 6.4 mg/kg is the gastric cancer dose; "
            "expected 378 mg (5.4 mg/kg)",
        )
    ]


def test_without_a_cancer_on_file_6_4_mg_kg_after_trastuzumab_is_still_critical():
    """No diagnosis to tell gastric from breast cancer: the dose check cannot judge the dose, so
    the substitution card keeps its critical."""
    resources = _after_trastuzumab()
    cards = safety_cards("order-sign", resources, orders=[_tdxd_448()])
    assert [s[:2] for s in summaries(cards) if s[0] == "C9"] == [("C9", "critical")]
