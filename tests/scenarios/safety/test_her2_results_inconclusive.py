"""HER2 results on file that settle no ASCO/CAP call are not "no result": the card says what
is incomplete (an ISH ratio without the copy number) instead of asking for a test already done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.scenarios import fhir_builders as b
from tests.scenarios.harness import run_hook

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def chart(*her2: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b.patient(birth_date="1960-01-01"),
        b.metastatic_breast_cancer(onset=b.days_before(NOW, 60)),
        b.lvef(60, when=b.days_before(NOW, 10)),
        b.weight(70, when=b.days_before(NOW, 3)),
        b.height(165, when=b.days_before(NOW, 3)),
        *her2,
    ]


def her2_card(resources: list[dict[str, Any]]) -> dict[str, Any]:
    draft = b.draft_order("224905", "trastuzumab", dose=560, interval_days=21)
    cards = run_hook(
        "order-select",
        resources,
        now=NOW,
        draft_orders=b.draft_bundle(draft),
        selections=b.selections(draft),
    )
    (card,) = [c for c in cards if "HER2" in c["summary"] and "trastuzumab" in c["summary"]]
    return card


def ratio_only(ratio: float) -> dict[str, Any]:
    return b.observation("49683-6", when=b.days_before(NOW, 50), value=b.quantity(ratio, "{ratio}"))


def test_ihc_2_plus_with_a_ratio_but_no_copy_number_asks_to_complete_ish() -> None:
    card = her2_card(chart(b.her2_ihc("2+", when=b.days_before(NOW, 50)), ratio_only(2.4)))
    assert card["indicator"] == "warning"
    assert "ISH incomplete" in card["summary"]
    assert "copies per cell" in card["detail"]


def test_ihc_2_plus_without_any_ish_asks_for_ish() -> None:
    card = her2_card(chart(b.her2_ihc("2+", when=b.days_before(NOW, 50))))
    assert "without ISH" in card["summary"]
    assert "HER2 ISH result for the IHC 2+ specimen" in card["detail"]


def test_a_ratio_alone_is_inconclusive_not_missing() -> None:
    card = her2_card(chart(ratio_only(2.4)))
    assert card["summary"].startswith("HER2 results on file are inconclusive")
    assert "do not settle the ASCO/CAP call" in card["detail"]


def test_no_result_at_all_says_so() -> None:
    card = her2_card(chart())
    assert card["summary"].startswith("No HER2 result on file")


def test_a_plain_negative_call_is_named_once() -> None:
    negative = b.observation(
        "85319-2", when=b.days_before(NOW, 50), value=b.coded(b.SNOMED, "260385009", "Negative")
    )
    card = her2_card(chart(negative))
    assert card["summary"].startswith(
        "HER2-negative (2026-10-02): trastuzumab is for HER2-positive"
    )
