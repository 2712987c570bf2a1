"""Drugs recorded only as administrations (every cycle's order closed) count as being given
while their last dose is within the drug's cycle plus the re-load grace.

HER2 antibodies given that way are current: a T-DXd or doxorubicin order next to them is the
critical substitution / concurrency it would be with an open order. An anthracycline given
that way is different: its last doses end the AC phase that HER2 therapy is meant to follow,
so trastuzumab drafted then gets a question (warning), not a prohibition."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.scenarios import fhir_builders as b
from tests.scenarios.harness import run_hook

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def chart(*given: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b.patient(birth_date="1960-01-01"),
        b.breast_cancer(onset=b.days_before(NOW, 100)),
        b.her2_ihc("3+", when=b.days_before(NOW, 95)),
        b.lvef(62, when=b.days_before(NOW, 20)),
        b.weight(70, when=b.days_before(NOW, 3)),
        b.height(165, when=b.days_before(NOW, 3)),
        *given,
    ]


def doses(rxnorm: str, text: str, mg: float, *days_ago: int) -> list[dict[str, Any]]:
    return [b.administration(rxnorm, text, when=b.days_before(NOW, d), dose=mg) for d in days_ago]


def cards_for(resources: list[dict[str, Any]], draft: dict[str, Any]) -> list[tuple[str, str, str]]:
    found = run_hook(
        "order-select",
        resources,
        now=NOW,
        draft_orders=b.draft_bundle(draft),
        selections=b.selections(draft),
    )
    return [(c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in found]


def by(rule: str, found: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(indicator, summary) for code, indicator, summary in found if code == rule]


TRASTUZUMAB = ("224905", "trastuzumab", 420)
DOXORUBICIN = ("3639", "doxorubicin", 107)


def test_tdxd_while_trastuzumab_was_given_a_week_ago_is_a_substitution() -> None:
    found = cards_for(
        chart(*doses(*TRASTUZUMAB, 49, 28, 7)),
        b.draft_order(None, "fam-trastuzumab deruxtecan", dose=378, interval_days=21),
    )
    assert [i for i, _ in by("C9", found)] == ["critical"]


def test_tdxd_after_trastuzumab_stopped_months_ago_is_not() -> None:
    found = cards_for(
        chart(*doses(*TRASTUZUMAB, 200, 179, 158)),
        b.draft_order(None, "fam-trastuzumab deruxtecan", dose=378, interval_days=21),
    )
    assert by("C9", found) == []


def test_doxorubicin_while_trastuzumab_was_given_a_week_ago_is_concurrent() -> None:
    found = cards_for(
        chart(*doses(*TRASTUZUMAB, 49, 28, 7)),
        b.draft_order("3639", "doxorubicin", dose=107, interval_days=21),
    )
    assert [i for i, _ in by("C3", found)] == ["critical"]


def test_trastuzumab_right_after_the_last_ac_dose_asks_rather_than_forbids() -> None:
    found = cards_for(
        chart(*doses(*DOXORUBICIN, 56, 42, 28, 14)),  # dose-dense AC x4, last 14 days ago
        b.draft_order("224905", "trastuzumab", dose=560, interval_days=21),
    )
    c3 = by("C3", found)
    assert [i for i, _ in c3] == ["warning"]
    assert c3[0][1].startswith("Doxorubicin given 14 days ago: confirm the anthracycline phase")


def test_trastuzumab_after_ac_finished_weeks_ago_gets_no_card() -> None:
    found = cards_for(
        chart(*doses(*DOXORUBICIN, 105, 84, 63, 42)),
        b.draft_order("224905", "trastuzumab", dose=560, interval_days=21),
    )
    assert by("C3", found) == []
