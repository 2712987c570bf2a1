"""A patient on trastuzumab whose record shows only administrations (every cycle's order
completed, none "active") is on trastuzumab all the same: her LVEF fall must be judged.

Seven 3-weekly doses, the last 14 days ago (or as set); LVEF 68 % ten days before the first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.scenarios import fhir_builders as b
from tests.scenarios.harness import run_hook

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def chart(latest_lvef: float, *, last_dose_days: int = 14) -> list[dict[str, Any]]:
    first = last_dose_days + 6 * 21
    resources = [
        b.patient(birth_date="1960-01-01"),
        b.breast_cancer(onset=b.days_before(NOW, 200)),
        b.her2_ihc("3+", when=b.days_before(NOW, 190)),
        b.lvef(68, when=b.days_before(NOW, first + 10)),  # the baseline, before the first dose
        b.lvef(latest_lvef, when=b.days_before(NOW, 5)),
        b.weight(70, when=b.days_before(NOW, 3)),
        b.height(165, when=b.days_before(NOW, 3)),
    ]
    resources += [
        b.administration("224905", "trastuzumab", when=b.days_before(NOW, day), dose=420)
        for day in range(first, last_dose_days - 1, -21)
    ]
    return resources


def c2(cards: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c["indicator"], c["summary"]) for c in cards if c["source"]["topic"]["code"] == "C2"]


def call(hook: str, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if hook == "patient-view":
        return run_hook(hook, resources, now=NOW)
    draft = b.draft_order("224905", "trastuzumab", dose=420, interval_days=21)
    return run_hook(
        hook, resources, now=NOW, draft_orders=b.draft_bundle(draft), selections=b.selections(draft)
    )


@pytest.mark.parametrize("hook", ["order-select", "order-sign", "patient-view"])
def test_a_16_point_fall_is_a_withhold_without_an_active_order(hook: str) -> None:
    found = c2(call(hook, chart(52)))
    assert [indicator for indicator, _ in found] == ["critical"]
    assert found[0][1].startswith("Withhold trastuzumab: LVEF 52 %")


@pytest.mark.parametrize("hook", ["order-select", "order-sign", "patient-view"])
def test_a_15_point_fall_is_not(hook: str) -> None:
    assert c2(call(hook, chart(53))) == []


def test_a_restart_within_the_current_course_is_judged_against_the_baseline() -> None:
    found = c2(call("order-select", chart(52, last_dose_days=35)))
    assert [indicator for indicator, _ in found] == ["critical"]


def test_a_course_that_ended_long_ago_is_a_new_start() -> None:
    found = c2(call("order-select", chart(52, last_dose_days=200)))
    assert all("Withhold" not in summary for _, summary in found)
