"""The clinical-language lint finds what the issue found on real cards, and lets clinical
phrasing through."""

from __future__ import annotations

import pytest

from tests.support.card_language import language_problems


def _card(detail: str, summary: str = "A card") -> dict:
    return {"summary": summary, "detail": detail, "source": {"label": "x"}}


@pytest.mark.parametrize(
    "text",
    [
        "(This criterion is corroborated (◐) in the knowledge base.)",
        "This label row is design-choice in the knowledge base.",
        "dose from the seed summary of the Tykerb label",
        "see safety_thresholds.json",
        "Drafted: capecitabine 1790 mg, every 0.5 days.",
        "Drafted: trastuzumab 1, every 1 days.",
        "Drafted: docetaxel 134 mg, every 7 days.",
        "Capecitabine 1000 mg/m2 twice daily",
        "Cumulative epirubicin 899.4 mg/m² so far",
        "HER2 final call: equivocal-pending-ish",
        "ihc 2026-08-13, IHC 2+, call negative",
        "The latest LVEF meets the t-dm1 label row",
        "see the pertuzumab-without-trastuzumab card",
    ],
)
def test_internal_words_and_machine_phrasing_are_found(text):
    assert language_problems([_card(text)]) != []


@pytest.mark.parametrize(
    "text",
    [
        "(unverified in the label: check locally)",
        "capecitabine 1300 mg (750 mg/m²) twice daily, days 1–14 of each 21-day cycle",
        "trastuzumab 420 mg (6 mg/kg) every 3 weeks; paclitaxel 143 mg weekly",
        "A heart-failure diagnosis dated 2026-11-21, after today, was not used",
        "doi:10.1200/JCO.22.00519",
        "| epirubicin | 99.4 mg/m² | 2025-01-16 | MedicationAdministration/a |",
        "Tucatinib 300 mg with gemfibrozil on file: CYP2C8",
    ],
)
def test_clinical_phrasing_passes(text):
    assert language_problems([_card(text)]) == []
