"""T-DXd for HER2-mutant non-small cell lung cancer (Enhertu label: selected by an activating
ERBB2 mutation, 5.4 mg/kg) is not judged by the breast cancer HER2 rules: "No HER2 result on
file: test HER2 before T-DXd" at every order was a false warning on correct care (review 2,
finding 2). Breast cancer on file keeps the rules, as for gastric cancer."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    days_ago,
    echo,
    man,
    metastatic,
    ordering,
    safety_cards,
    size,
    summaries,
)
from tests.scenarios.safety.lab_builders import recent_labs

TDXD = "fam-trastuzumab-deruxtecan"


def _nsclc() -> dict:
    return fb.condition(
        "254637007", onset=days_ago(200), display="Non-small cell lung cancer (disorder)"
    )


def test_tdxd_for_lung_cancer_without_a_her2_ihc_gets_no_her2_card():
    resources = [man(64), _nsclc(), echo(60, days=10), size(70, 175), recent_labs(3)]
    for hook in ("order-select", "order-sign"):
        cards = safety_cards(hook, resources, orders=[ordering(TDXD, dose=378)])
        assert [s for s in summaries(cards) if s[0] in ("C6", "C7")] == [], hook


def test_breast_cancer_with_lung_cancer_on_file_is_still_judged():
    resources = [man(64), _nsclc(), metastatic(300), echo(60, days=10), size(70, 175)]
    cards = safety_cards("order-sign", resources, orders=[ordering(TDXD, dose=378)])
    assert [s[:2] for s in summaries(cards) if s[0] == "C7"] == [("C7", "warning")]
