"""Regression suite: no critical card on a correct, on-schedule line or product switch.

Every switch of `switches.SWITCHES` (twelve of the changes a breast-oncology clinic makes every
week), drafted 18, 21 or 25 days after the last dose of the old regimen (the next 3-weekly
cycle, a few days early or late), with the old orders open, stopped, completed, stopped the
same day, or with administrations only on file, on order-select and order-sign: 360 calls, none
of which may answer with a critical card. A false critical at every second-line start teaches
clinicians to override the one alert that catches a real trastuzumab / T-DM1 / T-DXd mix-up.
"""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.safety.builders import NOW
from tests.scenarios.safety.switches import (
    DOSES_ONLY,
    STATES,
    SWITCHES,
    Switch,
    drafts,
    switch_chart,
)

ON_SCHEDULE_DAYS = (18, 21, 25)


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
@pytest.mark.parametrize("last_dose", ON_SCHEDULE_DAYS)
@pytest.mark.parametrize("state", [*STATES, DOSES_ONLY])
@pytest.mark.parametrize("switch", SWITCHES, ids=[s.name for s in SWITCHES])
def test_no_critical_card_on_a_correct_on_schedule_switch(
    switch: Switch, state: str, last_dose: int, hook: str
) -> None:
    orders = drafts(*switch.new)
    cards = run_hook(
        hook,
        switch_chart(switch, state, last_dose=last_dose),
        now=NOW,
        draft_orders=fb.draft_bundle(*orders),
        selections=fb.selections(*orders),
    )
    critical = [
        (c["source"]["topic"]["code"], c["summary"]) for c in cards if c["indicator"] == "critical"
    ]
    assert critical == []


def test_the_suite_covers_at_least_thirty_distinct_transitions() -> None:
    assert len(SWITCHES) * (len(STATES) + 1) * len(ON_SCHEDULE_DAYS) >= 30
