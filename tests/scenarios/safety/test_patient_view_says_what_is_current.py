"""Patient-view says only what the record says (issue 9 §4): a drug whose orders were stopped
or completed, or that has not been given for longer than its cycle plus the grace, is "last
given on …", never "On …"; the next LVEF is dated only for drugs the patient is on now."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.harness import run_hook
from tests.scenarios.safety.builders import NOW
from tests.scenarios.safety.switches import (
    COMPLETED,
    DOSES_ONLY,
    OPEN,
    PERTUZUMAB,
    SAME_DAY,
    STOPPED,
    T_DXD,
    TRASTUZUMAB,
    Old,
    chart,
    old_course,
)

THP = (TRASTUZUMAB, PERTUZUMAB)


def patient_view(old: tuple[Old, ...], state: str, last_dose: float) -> dict[str, list[str]]:
    cards = run_hook(
        "patient-view",
        chart(*(old_course(o, state=state, last_dose=last_dose) for o in old)),
        now=NOW,
    )
    out: dict[str, list[str]] = {}
    for card in cards:
        out.setdefault(card["source"]["topic"]["code"], []).append(card["summary"])
    return out


def details(old: tuple[Old, ...], state: str, last_dose: float, rule: str) -> str:
    cards: list[dict[str, Any]] = run_hook(
        "patient-view",
        chart(*(old_course(o, state=state, last_dose=last_dose) for o in old)),
        now=NOW,
    )
    return next(c["detail"] for c in cards if c["source"]["topic"]["code"] == rule)


@pytest.mark.parametrize(
    ("state", "words"),
    [(STOPPED, "orders stopped"), (COMPLETED, "orders completed"), (SAME_DAY, "orders stopped")],
)
def test_thp_with_its_orders_closed_is_last_given_not_on(state: str, words: str) -> None:
    found = patient_view(THP, state, 21)
    assert "cardiac-summary" not in found  # no "On trastuzumab …; next due by …"
    assert found["C12-summary"] == [
        f"HER2+ MBC: first line pertuzumab + trastuzumab last given 2026-10-31; {words}"
    ]


def test_the_summary_says_why_the_drug_is_not_current() -> None:
    detail = details(THP, STOPPED, 21, "C12-summary")
    assert "is not current" in detail
    assert "trastuzumab: order stopped (date not on file); last given 2026-10-31" in detail


def test_doses_past_the_cycle_plus_grace_are_last_given_with_no_open_order() -> None:
    found = patient_view(THP, DOSES_ONLY, 40)
    assert "cardiac-summary" not in found
    assert found["C12-summary"] == [
        "HER2+ MBC: first line pertuzumab + trastuzumab last given 2026-10-12; no open order"
    ]


@pytest.mark.parametrize("state", [OPEN, DOSES_ONLY])
def test_a_drug_given_on_schedule_is_on_with_the_next_lvef_dated(state: str) -> None:
    found = patient_view(THP, state, 10)
    [cardiac] = found["cardiac-summary"]
    assert cardiac.startswith("On trastuzumab and pertuzumab: last LVEF 62 %")
    assert "next due by" in cardiac
    assert "continue HER2 therapy until progression" in found["C12-summary"][0]


def test_a_stopped_tdxd_is_not_on_tdxd() -> None:
    found = patient_view((T_DXD,), STOPPED, 21)
    assert "cardiac-summary" not in found
    assert not any(s.startswith("On T-DXd") for v in found.values() for s in v)
    assert found["C12-summary"] == [
        "HER2+ MBC: first line T-DXd last given 2026-10-31; orders stopped"
    ]


def test_an_open_tdxd_order_mid_cycle_is_on_tdxd() -> None:
    found = patient_view((T_DXD,), OPEN, 10)
    assert found["cardiac-summary"][0].startswith("On T-DXd")
