"""Line and product switches as the record tells them (issue 9 §1).

Each correct switch is drafted at the next cycle, 21 days after the last dose of the old
regimen, whose orders are left open, stopped (no end date), completed (ended on the last
dose) or stopped the same day as the new draft:

- orders stopped, completed or stopped today: the rule the switch concerns says nothing, on
  order-select and order-sign (the record says the old drug ended);
- orders still open: one warning, "close the previous … orders", whose delete actions name the
  old orders and never the new draft.

The critical cards stay for real mix-ups: the other drug's order open in the middle of its
cycle, both drafted together, or a draft at the other drug's dose.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.safety.builders import NOW, actions
from tests.scenarios.safety.switches import (
    AC,
    CLOSED,
    OPEN,
    PERTUZUMAB,
    PHESGO,
    SWITCHES,
    TRASTUZUMAB,
    New,
    Old,
    Switch,
    chart,
    drafts,
    old_course,
    switch_chart,
)

HOOKS = ("order-select", "order-sign")
SWITCH_IDS = [s.name for s in SWITCHES]


def call(
    hook: str, resources: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    return run_hook(
        hook,
        resources,
        now=NOW,
        draft_orders=fb.draft_bundle(*orders),
        selections=fb.selections(*orders),
    )


def of_rule(cards: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [c for c in cards if c["source"]["topic"]["code"] == rule]


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("state", CLOSED)
@pytest.mark.parametrize("switch", SWITCHES, ids=SWITCH_IDS)
def test_a_switch_with_the_old_orders_closed_draws_no_card_of_its_rule(
    switch: Switch, state: str, hook: str
) -> None:
    cards = call(hook, switch_chart(switch, state), drafts(*switch.new))
    assert of_rule(cards, switch.rule) == []
    assert [c["summary"] for c in cards if c["indicator"] == "critical"] == []


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("switch", SWITCHES, ids=SWITCH_IDS)
def test_a_switch_with_the_old_orders_open_asks_to_close_them(switch: Switch, hook: str) -> None:
    orders = drafts(*switch.new)
    cards = call(hook, switch_chart(switch, OPEN), orders)
    [card] = of_rule(cards, switch.rule)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Switching to ")
    assert ": close the previous " in card["summary"]
    deleted = {a["resourceId"] for a in actions(card, "delete")}
    # every old order of the regimen's drugs being replaced is closed; no new draft is deleted
    assert deleted and all(r.startswith("MedicationRequest/old-") for r in deleted)
    assert not deleted & {f"MedicationRequest/{o['id']}" for o in orders}
    assert [c["summary"] for c in cards if c["indicator"] == "critical"] == []
    # one close-the-orders card per response
    assert sum(1 for c in cards if ": close the previous " in c["summary"]) == 1


def test_the_close_card_says_why_the_old_drug_still_counts_and_when_it_was_last_given() -> None:
    switch = SWITCHES[0]  # THP to T-DXd
    [card] = of_rule(call("order-select", switch_chart(switch, OPEN), drafts(*switch.new)), "C9")
    assert "trastuzumab: order still open (dated " in card["detail"]
    assert "last given 2026-10-31" in card["detail"]
    assert card["suggestions"][0]["isRecommended"] is True
    assert card["suggestions"][0]["label"] == "Close the previous trastuzumab and pertuzumab orders"


# --- real mix-ups stay critical ------------------------------------------------------------


@pytest.mark.parametrize("hook", HOOKS)
def test_tdxd_in_the_middle_of_an_open_trastuzumab_cycle_is_critical(hook: str) -> None:
    resources = chart(
        old_course(TRASTUZUMAB, state=OPEN, last_dose=8),
        old_course(PERTUZUMAB, state=OPEN, last_dose=8),
    )
    orders = drafts(New("fam-trastuzumab-deruxtecan", 378))
    [card] = of_rule(call(hook, resources, orders), "C9")
    assert card["indicator"] == "critical"
    assert card["summary"].endswith("different drugs, do not substitute")
    assert "last given 2026-11-13" in card["detail"]


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("state", CLOSED)
def test_tdxd_drafted_with_trastuzumab_is_critical_whatever_the_old_orders_say(
    state: str, hook: str
) -> None:
    resources = chart(old_course(TRASTUZUMAB, state=state, last_dose=21))
    orders = drafts(New("fam-trastuzumab-deruxtecan", 378), New("trastuzumab", 420))
    cards = of_rule(call(hook, resources, orders), "C9")
    assert {c["indicator"] for c in cards} == {"critical"}


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("state", CLOSED)
def test_tdm1_at_the_trastuzumab_dose_is_critical_after_trastuzumab_stopped(
    state: str, hook: str
) -> None:
    resources = chart(old_course(TRASTUZUMAB, state=state, last_dose=21))
    orders = drafts(New("ado-trastuzumab-emtansine", 420))  # 6 mg/kg: trastuzumab's dose
    [card] = of_rule(call(hook, resources, orders), "C9")
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "T-DM1 drafted at 420 mg (6 mg/kg), the trastuzumab dose: different drugs, do not "
        "substitute"
    )
    assert [a["resourceId"] for a in actions(card, "delete")] == [
        "MedicationRequest/draft-ado-trastuzumab-emtansine"
    ]
    assert "| 2026-10-31 |" in card["detail"]  # the trastuzumab it looks like, with its date


def test_tdm1_at_its_own_dose_after_trastuzumab_is_not_a_dose_mix_up() -> None:
    resources = chart(old_course(TRASTUZUMAB, state="stopped", last_dose=21))
    cards = call("order-sign", resources, drafts(New("ado-trastuzumab-emtansine", 252)))
    assert of_rule(cards, "C9") == []


@pytest.mark.parametrize("hook", HOOKS)
def test_iv_trastuzumab_in_the_middle_of_an_open_phesgo_cycle_is_critical(hook: str) -> None:
    resources = chart(old_course(PHESGO, state=OPEN, last_dose=10))
    [card] = of_rule(
        call(hook, resources, drafts(New("trastuzumab", 420))), "duplicate-her2-antibody"
    )
    assert card["indicator"] == "critical"


@pytest.mark.parametrize("hook", HOOKS)
def test_trastuzumab_in_the_middle_of_an_open_ac_cycle_is_critical(hook: str) -> None:
    resources = chart(*(old_course(o, state=OPEN, last_dose=7) for o in AC), early=True)
    [card] = of_rule(call(hook, resources, drafts(New("trastuzumab", 560))), "C3")
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Do not give trastuzumab with doxorubicin")


@pytest.mark.parametrize("hook", HOOKS)
def test_an_open_ac_order_with_no_dose_on_file_is_not_taken_for_a_finished_phase(
    hook: str,
) -> None:
    order = old_course(AC[0], state=OPEN, last_dose=21)[0]  # the order alone
    resources = chart([order], early=True)
    [card] = of_rule(call(hook, resources, drafts(New("trastuzumab", 560))), "C3")
    assert card["indicator"] == "critical"


@pytest.mark.parametrize("state", CLOSED)
def test_ac_orders_closed_before_the_her2_draft_need_no_confirmation(state: str) -> None:
    """AC given every 14 days (dose-dense), the last dose 14 days ago, the orders closed:
    no 'confirm the anthracycline phase is complete' warning."""
    dense = [
        old_course(o.__class__(o.drug, o.dose, o.unit, 14), state=state, last_dose=14, cycles=4)
        for o in AC
    ]
    cards = call("order-select", chart(*dense, early=True), drafts(New("trastuzumab", 560)))
    assert of_rule(cards, "C3") == []


def test_ac_doses_alone_still_ask_to_confirm_the_phase_is_complete() -> None:
    dense = [
        r
        for r in old_course(AC[0], state=OPEN, last_dose=14)
        if r["resourceType"] != "MedicationRequest"
    ]
    cards = of_rule(
        call("order-select", chart(dense, early=True), drafts(New("trastuzumab", 560))), "C3"
    )
    assert [c["indicator"] for c in cards] == ["warning"]
    assert "confirm the anthracycline phase is complete" in cards[0]["summary"]


WEEKLY = (Old("trastuzumab", 140, every=7), Old("paclitaxel", 143, every=7))


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("state", [OPEN, *CLOSED])
def test_a_switch_from_weekly_trastuzumab_at_the_next_weekly_dose(state: str, hook: str) -> None:
    """Weekly paclitaxel + trastuzumab, the last dose 7 days ago: T-DXd now is the next dose of
    the patient's own (weekly) cycle, not the middle of a 3-weekly one."""
    resources = chart(*(old_course(o, state=state, last_dose=7) for o in WEEKLY))
    cards = call(hook, resources, drafts(New("fam-trastuzumab-deruxtecan", 378)))
    assert [c["summary"] for c in cards if c["indicator"] == "critical"] == []
    expected = ["warning"] if state == OPEN else []
    assert [c["indicator"] for c in of_rule(cards, "C9")] == expected


@pytest.mark.parametrize("hook", HOOKS)
def test_tdxd_two_days_after_an_open_weekly_trastuzumab_dose_is_critical(hook: str) -> None:
    resources = chart(*(old_course(o, state=OPEN, last_dose=2) for o in WEEKLY))
    cards = call(hook, resources, drafts(New("fam-trastuzumab-deruxtecan", 378)))
    assert [c["indicator"] for c in of_rule(cards, "C9")] == ["critical"]
