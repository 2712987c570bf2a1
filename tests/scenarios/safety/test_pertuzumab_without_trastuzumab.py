"""Pertuzumab drafted with no trastuzumab (or T-DXd) current or drafted: the Perjeta label gives
pertuzumab with trastuzumab and stops it when trastuzumab stops. A warning on order-select and
order-sign, with a suggestion to add trastuzumab at the dose due now."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.safety.builders import NOW, safety_findings
from tests.scenarios.safety.switches import (
    AC,
    OPEN,
    PERTUZUMAB,
    PHESGO,
    STOPPED,
    TRASTUZUMAB,
    New,
    chart,
    drafts,
    old_course,
)

RULE = "pertuzumab-without-trastuzumab"
HOOKS = ("order-select", "order-sign")


def cards_for(resources: list[dict[str, Any]], *new: New, hook: str) -> list[dict[str, Any]]:
    orders = drafts(*new)
    found = run_hook(
        hook,
        resources,
        now=NOW,
        draft_orders=fb.draft_bundle(*orders),
        selections=fb.selections(*orders),
    )
    return [c for c in found if c["source"]["topic"]["code"] == RULE]


def created_mg(card: dict[str, Any]) -> list[float]:
    return [
        a["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]
        for s in card.get("suggestions", [])
        for a in s["actions"]
        if a["type"] == "create"
    ]


def thp(state: str, last_dose: float) -> list[dict[str, Any]]:
    return chart(
        *(old_course(o, state=state, last_dose=last_dose) for o in (TRASTUZUMAB, PERTUZUMAB))
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_pertuzumab_reordered_alone_after_trastuzumab_was_stopped(hook: str) -> None:
    [card] = cards_for(thp(STOPPED, 21), New("pertuzumab", 420), hook=hook)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Add trastuzumab 420 mg (6 mg/kg) to pertuzumab: pertuzumab is given with trastuzumab"
    )
    assert "discontinue pertuzumab when trastuzumab is discontinued" in card["detail"]
    assert "Trastuzumab: order stopped (date not on file); last given 2026-10-31" in card["detail"]
    assert created_mg(card) == [420]
    assert card["suggestions"][0]["isRecommended"] is True


def test_after_a_long_pause_the_suggested_trastuzumab_is_a_reload() -> None:
    [card] = cards_for(thp(STOPPED, 60), New("pertuzumab", 840), hook="order-select")
    assert created_mg(card) == [560]
    assert "loading dose" in card["summary"]


def test_pertuzumab_alone_in_early_breast_cancer_with_nothing_before() -> None:
    [card] = cards_for(chart(early=True), New("pertuzumab", 840), hook="order-sign")
    assert created_mg(card) == [560]


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize(
    ("resources", "new"),
    [
        (thp(OPEN, 21), (New("pertuzumab", 420),)),  # trastuzumab's order still open
        (thp("doses-only", 21), (New("pertuzumab", 420),)),  # trastuzumab given on schedule
        (thp(STOPPED, 21), (New("pertuzumab", 420), New("trastuzumab", 420))),
        (thp(STOPPED, 21), (New("pertuzumab", 420), New("fam-trastuzumab-deruxtecan", 378))),
        (chart(old_course(PHESGO, state=OPEN, last_dose=10)), (New("pertuzumab", 420),)),
    ],
    ids=["trastuzumab open", "trastuzumab doses", "with trastuzumab", "with T-DXd", "on Phesgo"],
)
def test_pertuzumab_with_a_partner_draws_no_card(
    resources: list[dict[str, Any]], new: tuple[New, ...], hook: str
) -> None:
    assert cards_for(resources, *new, hook=hook) == []


def test_the_add_trastuzumab_advice_yields_to_a_card_that_says_not_to_give_pertuzumab() -> None:
    """Pertuzumab drafted in the middle of an open AC cycle: C3 says not to give it now, so no
    card advises adding trastuzumab to it."""
    resources = chart(*(old_course(o, state=OPEN, last_dose=7) for o in AC), early=True)
    assert cards_for(resources, New("pertuzumab", 840), hook="order-select") == []
    findings = safety_findings("order-select", resources, orders=drafts(New("pertuzumab", 840)))
    assert {f.rule for f in findings} >= {"C3", RULE}
