"""HER2 maintenance stopped with the chemotherapy (ASCO 2022 rec. 4.0): both sides of "stopped"
and of each reason the stop may have been on purpose."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cards.findings import Indicator
from fhir_mappings import ConditionFlags
from tests.unit.cards.facts_factory import evidence
from tests.unit.cards.regimens.support import (
    DOCETAXEL,
    LETROZOLE,
    PERTUZUMAB,
    TRASTUZUMAB,
    exposed,
    her2_mbc,
    history,
    line,
    only,
    order,
    run,
)

RULES = only(["C12-her2-maintenance"])


def _facts(her2_last_days: float, *, chemo_active: bool = False):
    her2 = [
        exposed(
            TRASTUZUMAB, start_days=150, last_dose_days=her2_last_days, end_days=her2_last_days
        ),
        exposed(PERTUZUMAB, start_days=150, last_dose_days=her2_last_days, end_days=her2_last_days),
    ]
    chemo = exposed(
        DOCETAXEL, start_days=150, last_dose_days=45, end_days=None if chemo_active else 45,
        active=chemo_active,
    )  # fmt: skip
    first = line(1, [TRASTUZUMAB, PERTUZUMAB], 150, her2_last_days)
    return her2_mbc(therapy=history(*her2, chemo, lines=[first]))


@pytest.mark.parametrize(("days", "cards"), [(28, 0), (29, 1)])
def test_stopped_once_past_the_interval_and_the_reload_grace(days, cards):
    # 21-day schedule + 7 days' grace: up to 28 days the dose is late, after that it stopped
    assert len(run(_facts(days), order(LETROZOLE, 2.5, interval=1), rules=RULES)) == cards


def test_the_warning_offers_the_her2_doses_due_now():
    [finding] = run(_facts(45), order(LETROZOLE, 2.5, interval=1), rules=RULES)
    assert finding.indicator is Indicator.WARNING and not finding.safety
    assert finding.suggestions[0].label == "Add trastuzumab 560 mg + pertuzumab 840 mg"


def test_chemotherapy_still_running_is_not_the_pitfall():
    assert run(_facts(45, chemo_active=True), order(LETROZOLE, 2.5, interval=1), rules=RULES) == []


def test_her2_drafts_continue_the_line():
    orders = (order(LETROZOLE, 2.5, interval=1), order(TRASTUZUMAB, 560))
    assert run(_facts(45), *orders, rules=RULES) == []


@pytest.mark.parametrize(
    "flags",
    [
        ConditionFlags(heart_failure=(evidence("Condition"),)),
        ConditionFlags(interstitial_lung_disease=(evidence("Condition"),)),
    ],
)
def test_a_reason_to_stop_on_file_gets_no_card(flags):
    facts = replace(_facts(45), conditions=flags)
    assert run(facts, order(LETROZOLE, 2.5, interval=1), rules=RULES) == []
