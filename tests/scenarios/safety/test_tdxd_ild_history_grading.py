"""C8 graded by the ILD condition's clinicalStatus and timing (review finding 6).

ILD that is active (or recurring, or has no status) is critical at every T-DXd order, and so
is ILD that began after T-DXd was started (grade >=2 on T-DXd: never restart). A resolved
history from before T-DXd is a warning when the T-DXd line starts and nothing at later
cycles; the patient-view summary never points to a safety card that patient-view lacks."""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.safety.builders import (
    NOW,
    days_ago,
    echo,
    flatten,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    size,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import recent_labs

TDXD = "fam-trastuzumab-deruxtecan"
HOOKS = ["order-select", "order-sign"]


def ild(status: str, *, days: float = 1095) -> dict:
    return fb.condition(
        "233703007",
        onset=days_ago(days),
        display="Interstitial lung disease",
        clinical_status=status,
    )


def second_line(*extra: object, tdxd_cycles: int = 0) -> list:
    history: list = []
    if tdxd_cycles:
        history = taking(TDXD, since=21 * tdxd_cycles, last_given=21, dose=378)
    return flatten(
        woman(59),
        her2_positive(),
        metastatic(600),
        taking("trastuzumab", since=560, ended=100),
        taking("pertuzumab", since=560, ended=100),
        taking("docetaxel", since=560, ended=450),
        echo(64, days=40),
        recent_labs(),
        size(),
        history,
        *extra,
    )


def c8(cards: list[dict]) -> list[tuple[str, str]]:
    return [(c["indicator"], c["summary"]) for c in cards if c["source"]["topic"]["code"] == "C8"]


@pytest.mark.parametrize("hook", HOOKS)
def test_resolved_history_at_the_first_tdxd_order_is_a_warning(hook):
    cards = safety_cards(hook, second_line(ild("resolved")), orders=[ordering(TDXD, dose=378)])
    [(indicator, summary)] = c8(cards)
    assert indicator == "warning"
    assert summary.startswith("Past ILD/pneumonitis, resolved (recorded 2023-11-22)")


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("status", ["resolved", "inactive", "remission"])
def test_resolved_history_at_a_later_tdxd_cycle_is_silent(hook, status):
    patient = second_line(ild(status), tdxd_cycles=3)
    assert c8(safety_cards(hook, patient, orders=[ordering(TDXD, dose=378)])) == []


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("status", ["active", "recurrence", "relapse"])
def test_active_ild_is_critical_at_every_cycle(hook, status):
    patient = second_line(ild(status), tdxd_cycles=3)
    [(indicator, _)] = c8(safety_cards(hook, patient, orders=[ordering(TDXD, dose=378)]))
    assert indicator == "critical"


@pytest.mark.parametrize(("onset_days", "indicator"), [(50, "critical"), (70, None)])
def test_ild_that_began_on_tdxd_is_critical_even_when_resolved(onset_days, indicator):
    """T-DXd started 63 days ago: ILD from 50 days ago arose on it; 70 days ago, before it."""
    patient = second_line(ild("resolved", days=onset_days), tdxd_cycles=3)
    found = c8(safety_cards("order-sign", patient, orders=[ordering(TDXD, dose=378)]))
    assert [i for i, _ in found] == ([indicator] if indicator else [])


def _summary(patient: list) -> str:
    cards = run_hook("patient-view", patient, now=NOW)
    [card] = [c for c in cards if c["source"]["topic"]["code"] == "C12-summary"]
    return str(card["summary"]) + "\n" + str(card["detail"])


def test_patient_view_does_not_point_to_a_missing_ild_safety_card():
    text = _summary(second_line(ild("active"), tdxd_cycles=3))
    assert "active ILD/pneumonitis is on file" in text
    assert "safety cards" not in text


def test_patient_view_treats_a_resolved_ild_history_as_no_reason_to_stop():
    text = _summary(second_line(ild("resolved"), tdxd_cycles=3))
    assert "ILD" not in text.split("\n")[0]
