"""Records dated after the request's time (data-entry errors) are set aside and named, never used.

Each story has its twin just inside the clock tolerance (4 h), where the record is used.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.regimens.builders import draft, her2_positive_mbc
from tests.scenarios.safety.builders import (
    NOW,
    echo,
    flatten,
    her2_positive,
    metastatic,
    ordering,
    taking,
    woman,
)

INSIDE = (NOW + timedelta(hours=3, minutes=59)).isoformat()
OUTSIDE = (NOW + timedelta(hours=4, minutes=1)).isoformat()
TWENTY_DAYS_AHEAD = (NOW + timedelta(days=20)).isoformat()
NAMED = "is dated after the time of this request (2026-11-21): set aside, not used"


def cards_of(hook: str, resources: list[Any], *orders: dict[str, Any]) -> list[dict[str, Any]]:
    return run_hook(
        hook,
        resources,
        now=NOW,
        draft_orders=fb.draft_bundle(*orders) if orders else None,
        selections=fb.selections(*orders),
    )


def by_topic(cards: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["source"]["topic"]["code"]: c for c in cards}


def on_trastuzumab(*extra: Any, age: int = 57) -> list[Any]:
    return flatten(
        woman(age), her2_positive(), metastatic(), taking("trastuzumab", since=300),
        fb.weight(70, when=fb.days_before(NOW, 3)), fb.height(165, when=fb.days_before(NOW, 3)),
        *extra,
    )  # fmt: skip


def test_a_weight_twenty_days_ahead_does_not_change_the_doses() -> None:
    """The issue's record: 90 kg dated 20 days ahead beside today's 70 kg."""
    resources = [*her2_positive_mbc(), fb.weight(90, when=TWENTY_DAYS_AHEAD)]
    cards = by_topic(
        cards_of("order-select", resources, draft("trastuzumab", 560), draft("docetaxel", 134))
    )
    assert set(cards) == {"C12-first-line"}
    card = cards["C12-first-line"]
    assert "trastuzumab 560 mg (8 mg/kg) loading" in card["detail"]
    assert "29463\\-7 90 kg on 2026-12-11 (Observation/" in card["detail"]
    assert NAMED in card["detail"]


def test_a_weight_just_inside_the_tolerance_is_the_latest_weight() -> None:
    resources = [*her2_positive_mbc(), fb.weight(90, when=INSIDE)]
    cards = by_topic(
        cards_of("order-select", resources, draft("trastuzumab", 560), draft("docetaxel", 134))
    )
    assert "dose-check" in cards  # 560 mg is no longer 8 mg/kg at 90 kg
    assert all(NAMED not in c["detail"] for c in cards.values())


def test_a_weight_just_outside_the_tolerance_is_named_on_the_weight_card() -> None:
    resources = [*her2_positive_mbc(kg=None), fb.weight(90, when=OUTSIDE)]
    cards = by_topic(cards_of("order-sign", resources, draft("trastuzumab", 560)))
    assert cards["C10"]["summary"].startswith("No weight on file")
    assert NAMED in cards["C10"]["detail"]


def test_a_future_low_lvef_beside_a_recent_normal_one_is_not_used_but_said() -> None:
    cards = cards_of(
        "order-sign",
        on_trastuzumab(echo(62, days=20), fb.lvef(38, when=OUTSIDE)),
        ordering("trastuzumab", dose=420),
    )
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [
        ("set-aside-records", "warning")
    ]
    assert cards[0]["summary"] == (
        "An LVEF dated 2026-11-21, after today, was not used: check the record"
    )
    assert NAMED in cards[0]["detail"]
    assert "10230\\-1 38 % on 2026-11-21" in cards[0]["detail"]


def test_a_low_lvef_just_inside_the_tolerance_withholds() -> None:
    cards = by_topic(
        cards_of(
            "order-sign",
            on_trastuzumab(echo(62, days=20), fb.lvef(38, when=INSIDE)),
            ordering("trastuzumab", dose=420),
        )
    )
    assert cards["C2"]["summary"].startswith("LVEF 38 % on 2026-11-21 on trastuzumab")
    assert "set-aside-records" not in cards


def test_the_only_lvef_dated_after_now_is_named_on_the_missing_lvef_card() -> None:
    cards = by_topic(
        cards_of("order-select", on_trastuzumab(fb.lvef(60, when=OUTSIDE)), ordering("trastuzumab"))
    )
    assert cards["C1"]["summary"].startswith("No LVEF on file")
    assert NAMED in cards["C1"]["detail"]
    assert "set-aside-records" not in cards  # named once, on the card that would have used it


def test_a_future_her2_result_is_not_a_her2_result() -> None:
    resources = flatten(
        woman(57), metastatic(), fb.her2_ihc("3+", when=OUTSIDE),
        fb.lvef(62, when=fb.days_before(NOW, 20)),
    )  # fmt: skip
    cards = by_topic(cards_of("order-sign", resources, ordering("trastuzumab")))
    assert cards["C6"]["summary"].startswith("No HER2 result on file")
    assert NAMED in cards["C6"]["detail"]


def test_a_future_positive_pregnancy_test_is_named_where_pregnancy_is_checked() -> None:
    resources = on_trastuzumab(
        echo(62, days=20),
        fb.observation("2118-8", when=OUTSIDE, value=fb.coded(fb.LOINC, "LA6576-8", "Positive")),
        age=35,
    )
    cards = by_topic(cards_of("order-sign", resources, ordering("trastuzumab", dose=420)))
    assert cards["C5"]["indicator"] == "warning"  # not verified; never "pregnant"
    assert NAMED in cards["C5"]["detail"]


def test_a_future_heart_failure_diagnosis_is_named_by_the_data_quality_card() -> None:
    hf = fb.condition("84114007", onset=OUTSIDE, display="Heart failure")
    cards = by_topic(
        cards_of("order-sign", on_trastuzumab(echo(62, days=20), hf), ordering("trastuzumab"))
    )
    assert set(cards) == {"set-aside-records"}
    assert cards["set-aside-records"]["summary"].startswith("A heart-failure diagnosis dated")


def test_a_future_tdxd_administration_is_no_substitution() -> None:
    code, text = "2267576", "fam-trastuzumab deruxtecan-nxki 100 MG Injection"
    future = fb.administration(code, text, when=OUTSIDE, dose=378, unit="mg")
    cards = by_topic(
        cards_of("order-sign", on_trastuzumab(echo(62, days=20), future), ordering("trastuzumab"))
    )
    assert "C9" not in cards
    assert any(NAMED in c["detail"] for c in cards.values())


def test_a_patient_the_rules_do_not_concern_gets_no_card_for_a_future_record() -> None:
    resources = [woman(40), fb.weight(90, when=TWENTY_DAYS_AHEAD)]
    assert cards_of("patient-view", resources) == []


# Every fact kind, as an EHR sends it, for a patient on trastuzumab whose next dose is drafted.
_TDXD = ("2267576", "fam-trastuzumab deruxtecan-nxki 100 MG Injection")
KINDS: dict[str, Any] = {
    "weight": lambda when: fb.weight(90, when=when),
    "height": lambda when: fb.height(180, when=when),
    "LVEF": lambda when: fb.lvef(38, when=when),
    "ER": lambda when: fb.receptor("er", percent=80, when=when),
    "HER2": lambda when: fb.her2_ihc("0", when=when),
    "pregnancy test": lambda when: fb.observation(
        "2118-8", when=when, value=fb.coded(fb.LOINC, "LA6576-8", "Positive")
    ),
    "metastatic disease": lambda when: fb.metastatic_breast_cancer(onset=when),
    "heart failure": lambda when: fb.condition("84114007", onset=when, display="Heart failure"),
    "administration": lambda when: fb.administration(*_TDXD, when=when, dose=378),
    "order": lambda when: fb.medication_request(*_TDXD, authored=when),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_every_fact_kind_is_named_outside_the_tolerance_and_used_inside(
    kind: str, hook: str
) -> None:
    base = on_trastuzumab(echo(62, days=20), age=35)
    outside = cards_of(hook, [*base, KINDS[kind](OUTSIDE)], ordering("trastuzumab", dose=420))
    inside = cards_of(hook, [*base, KINDS[kind](INSIDE)], ordering("trastuzumab", dose=420))
    # no rule run at signing reads hormone receptors: nothing there would have used it
    named_where_used = not (kind == "ER" and hook == "order-sign")
    assert any(NAMED in c["detail"] for c in outside) is named_where_used, outside
    assert all(NAMED not in c["detail"] for c in inside)
