"""Third line after THP and T-DXd: options without a preferred regimen; with brain
metastases tucatinib + trastuzumab + capecitabine comes first (ASCO 2022 rec. 3.x; brain-
metastases guideline rec. 7.1)."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    card_of,
    created,
    cycles,
    deleted,
    dose_mg,
    draft,
    drug_text,
    her2_positive_mbc,
    order_select,
    patient_view,
    reference,
    regimen_cards,
    topics,
)


def _after_thp_and_t_dxd(*, brain: bool) -> list:
    return [
        *her2_positive_mbc(metastatic_days=800, brain=brain),
        *cycles("trastuzumab", 790, 769, 748, 500, dose=420),
        *cycles("pertuzumab", 790, 769, 748, 500, dose=420),
        *cycles("docetaxel", 790, 769, 748, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", 480, 459, 438, 120, dose=378),
    ]


def test_brain_metastases_with_neratinib_capecitabine_drafted():
    drafts = [draft("neratinib", 240, every=1), draft("capecitabine", 1340, per_day=2)]
    cards = order_select(_after_thp_and_t_dxd(brain=True), *drafts)
    card = card_of(cards, "C12-later-lines")
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "Brain metastases: tucatinib + trastuzumab + capecitabine is the option with intracranial "
        "efficacy data"
    )
    assert sorted(deleted(card)) == sorted(reference(d) for d in drafts)
    doses = sorted((drug_text(r), dose_mg(r)) for r in created(card))
    assert doses == [("capecitabine", 1800), ("trastuzumab", 560), ("tucatinib", 300)]
    [tucatinib] = [r for r in created(card) if drug_text(r) == "tucatinib"]
    assert tucatinib["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 2


def test_tucatinib_and_trastuzumab_without_capecitabine():
    cards = order_select(
        _after_thp_and_t_dxd(brain=True),
        draft("tucatinib", 300, per_day=2), draft("trastuzumab", 560),
    )  # fmt: skip
    card = card_of(cards, "C12-later-lines")
    assert card["summary"].startswith("Add capecitabine 1800 mg (1000 mg/m²)")
    [resource] = created(card)
    assert dose_mg(resource) == 1800
    assert "days 1-14 of each 21-day cycle" in resource["dosageInstruction"][0]["text"]


def test_complete_tucatinib_regimen_gets_no_regimen_card():
    cards = order_select(
        _after_thp_and_t_dxd(brain=True),
        draft("tucatinib", 300, per_day=2), draft("trastuzumab", 560),
        draft("capecitabine", 1790, per_day=2),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_without_brain_metastases_neratinib_capecitabine_gets_no_card():
    # with the loperamide prophylaxis the Nerlynx label gives from the first dose: without it,
    # a first full-dose neratinib order gets the supportive-care warning (and nothing else)
    cards = order_select(
        _after_thp_and_t_dxd(brain=False),
        draft("neratinib", 240, every=1), draft("capecitabine", 1340, per_day=2),
        draft("loperamide", 4, per_day=3),
    )  # fmt: skip
    assert regimen_cards(cards) == []
    without = order_select(
        _after_thp_and_t_dxd(brain=False),
        draft("neratinib", 240, every=1), draft("capecitabine", 1340, per_day=2),
    )  # fmt: skip
    assert topics(without) == ["supportive-care"]


def test_patient_view_lists_options_with_tucatinib_first():
    card = card_of(patient_view(_after_thp_and_t_dxd(brain=True)), "C12-summary")
    assert card["summary"] == (
        "HER2+ MBC, third line: HER2-targeted options, none preferred "
        "(brain metastases: tucatinib-based first)"
    )
    detail = card["detail"]
    order = [
        "tucatinib + trastuzumab + capecitabine**",
        "T-DM1 (ado-trastuzumab emtansine)**",
        "neratinib + capecitabine**",
        "lapatinib + capecitabine**",
        "lapatinib + trastuzumab**",
        "margetuximab + chemotherapy**",
    ]
    positions = [detail.index(item) for item in order]
    assert positions == sorted(positions)
    assert "T-DXd (fam-trastuzumab deruxtecan)**" not in detail  # already given
    assert "abemaciclib" not in detail  # HR status not positive


def test_t_dxd_again_in_the_third_line_is_not_an_option():
    cards = order_select(
        _after_thp_and_t_dxd(brain=False), draft("fam-trastuzumab-deruxtecan", 378)
    )
    card = card_of(cards, "C12-later-lines")
    assert card["summary"].startswith("T-DXd already given")
