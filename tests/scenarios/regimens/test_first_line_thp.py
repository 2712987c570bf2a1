"""First line for HER2-positive MBC: trastuzumab + pertuzumab + a taxane (THP).

A 56-year-old woman, 70 kg and 165 cm (BSA 1.79 m²), metastatic for two months, no HER2 therapy
for metastatic disease and no adjuvant trastuzumab.
"""

from __future__ import annotations

from cards.sources import resolve
from tests.scenarios.regimens.builders import (
    card_of,
    created,
    dose_mg,
    draft,
    drug_text,
    her2_positive_mbc,
    order_select,
    order_sign,
    patient_view,
    regimen_cards,
    rxnorm,
    topics,
)


def test_trastuzumab_and_docetaxel_without_pertuzumab():
    cards = order_select(her2_positive_mbc(), draft("trastuzumab", 560), draft("docetaxel", 134))
    card = card_of(cards, "C12-first-line")
    assert card["indicator"] == "info"
    assert card["summary"] == "Add pertuzumab 840 mg loading dose to trastuzumab + docetaxel"
    [resource] = created(card)
    assert (drug_text(resource), dose_mg(resource), rxnorm(resource)) == (
        "pertuzumab",
        840,
        "1298944",
    )
    loading, maintenance = resource["dosageInstruction"]  # 840 mg once, then 420 mg q3w
    assert loading["timing"]["repeat"] == {"count": 1}
    assert maintenance["timing"]["repeat"]["periodUnit"] == "wk"
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 420
    assert card["selectionBehavior"] == "at-most-one"
    assert "Chemotherapy runs about 4-6 months" in card["detail"]
    assert "continue trastuzumab + pertuzumab until progression" in card["detail"]
    assert "DESTINY-Breast09" in card["detail"]
    assert card["source"]["url"].startswith("https://")
    assert card["overrideReasons"][0]["display"] == "Already ordered or addressed"


def test_pertuzumab_and_docetaxel_without_trastuzumab():
    cards = order_select(her2_positive_mbc(), draft("pertuzumab", 840), draft("docetaxel", 134))
    card = card_of(cards, "C12-first-line")
    assert card["summary"] == (
        "Add trastuzumab 560 mg (8 mg/kg) loading dose to pertuzumab + docetaxel"
    )
    [resource] = created(card)
    assert dose_mg(resource) == 560 and rxnorm(resource) == "224905"
    loading, maintenance = resource["dosageInstruction"]
    assert "8 mg/kg × 70 kg = 560 mg" in loading["text"]
    assert (loading["sequence"], loading["timing"]["repeat"]) == (1, {"count": 1})
    assert maintenance["text"].startswith(
        "then trastuzumab 420 mg (6 mg/kg) IV, every 3 weeks, the first 3 weeks after the "
        "loading dose"
    )
    assert maintenance["sequence"] == 2
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 420


def test_trastuzumab_alone_offers_pertuzumab_with_either_taxane():
    cards = order_select(her2_positive_mbc(), draft("trastuzumab", 560))
    card = card_of(cards, "C12-first-line")
    labels = [s["label"] for s in card["suggestions"]]
    assert labels == [
        "Add pertuzumab 840 mg + docetaxel 134 mg",
        "Add pertuzumab 840 mg + paclitaxel 143 mg weekly",
    ]
    doses = sorted((drug_text(r), dose_mg(r)) for r in created(card))
    assert doses == [
        ("docetaxel", 134),
        ("paclitaxel", 143),
        ("pertuzumab", 840),
        ("pertuzumab", 840),
    ]
    assert "BSA 1.79 m², Mosteller from 165 cm and 70 kg, on 2026-11-18" in card["detail"]


def test_complete_thp_gets_no_regimen_card():
    cards = order_select(
        her2_positive_mbc(),
        draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", 134),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_phesgo_with_weekly_paclitaxel_is_complete_thp():
    cards = order_select(
        her2_positive_mbc(),
        draft("pertuzumab-trastuzumab-sc", 15, "mL"), draft("paclitaxel", 143, every=7),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_t_dxd_first_line_is_completed_with_pertuzumab():
    cards = order_select(her2_positive_mbc(), draft("fam-trastuzumab-deruxtecan", 378))
    card = card_of(cards, "C12-first-line")
    assert card["summary"].startswith("Add pertuzumab 840 mg loading dose to T-DXd")
    assert [dose_mg(r) for r in created(card)] == [840]
    assert card["source"]["url"] == resolve("destiny-breast09").url


def test_t_dm1_first_line_is_told_thp_is_recommended():
    cards = order_select(her2_positive_mbc(), draft("ado-trastuzumab-emtansine", 252))
    card = card_of(cards, "C12-first-line")
    assert card["summary"].startswith("First-line HER2+ MBC: THP")
    assert "T-DM1" in card["summary"]
    assert "suggestions" not in card


def test_patient_view_summarises_first_line_with_doses():
    card = card_of(patient_view(her2_positive_mbc()), "C12-summary")
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "HER2+ MBC, first line: THP — trastuzumab 560/420 mg, pertuzumab 840/420 mg, "
        "docetaxel 134 mg q3w"
    )
    assert "suggestions" not in card
    assert "paclitaxel 143 mg (80 mg/m²) weekly" in card["detail"]


def test_order_sign_shows_no_regimen_guidance():
    cards = order_sign(her2_positive_mbc(), draft("trastuzumab", 560), draft("docetaxel", 134))
    assert topics(cards) == []
