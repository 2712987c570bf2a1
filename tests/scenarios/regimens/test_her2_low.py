"""HER2-low and HER2-ultralow MBC: T-DXd within its label population, never HER2+ regimens."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    card_of,
    created,
    cycles,
    deleted,
    dose_mg,
    draft,
    given,
    her2_negative_mbc,
    order_select,
    ordered,
    patient_view,
    reference,
    regimen_cards,
    topics,
)


def test_her2_low_after_chemotherapy_for_metastatic_disease():
    resources = [
        *her2_negative_mbc("1+", hr_positive=False),
        *cycles("capecitabine", 150, 129, 108),
    ]
    card = card_of(patient_view(resources), "C12-her2-low")
    assert card["indicator"] == "info"
    assert (
        card["summary"] == "HER2-low MBC: T-DXd 378 mg (5.4 mg/kg) every 3 weeks is a label option"
    )
    assert "DESTINY-Breast04" in card["detail"]
    assert "suggestions" not in card
    assert "C12-summary" not in topics(patient_view(resources))  # no HER2+ line advice


def test_her2_low_order_select_offers_t_dxd_instead_of_more_chemotherapy():
    resources = [
        *her2_negative_mbc("1+", hr_positive=False),
        *cycles("capecitabine", 150, 129, 108),
    ]
    vinorelbine = draft("vinorelbine", 45, every=7)
    card = card_of(order_select(resources, vinorelbine), "C12-her2-low")
    assert deleted(card) == [reference(vinorelbine)]
    assert [dose_mg(r) for r in created(card)] == [378]
    # offered, not recommended: T-DXd is one label option, the drafted therapy may be another
    assert "isRecommended" not in card["suggestions"][0]


def test_her2_low_after_one_endocrine_line_offers_t_dxd_without_recommending_it():
    resources = [
        *her2_negative_mbc("1+", hr_positive=True, metastatic_days=400),
        *cycles("letrozole", 390, 300, 200, 100, 30),
    ]
    drafts = [draft("fulvestrant", 500, every=28), draft("abemaciclib", 150, per_day=2)]
    card = card_of(order_select(resources, *drafts), "C12-her2-low")
    # no verified RxNorm code for T-DXd: the label says the product is chosen by hand
    assert card["suggestions"][0]["label"] == (
        "Replace with T-DXd 378 mg (choose the T-DXd product by hand)"
    )
    assert "isRecommended" not in card["suggestions"][0]


def test_ihc_2_plus_with_negative_ish_hr_positive_after_endocrine_therapy():
    resources = [
        *her2_negative_mbc("2+", ish_negative=True, hr_positive=True),
        given("letrozole", 20, 2.5),
    ]
    card = card_of(patient_view(resources), "C12-her2-low")
    assert "DESTINY-Breast06" in card["detail"]


def test_her2_low_without_prior_therapy_for_metastatic_disease_gets_no_card():
    assert regimen_cards(patient_view(her2_negative_mbc("1+", hr_positive=True))) == []


def test_her2_zero_gets_no_card():
    resources = [
        *her2_negative_mbc("0", note="no staining observed", hr_positive=True),
        given("letrozole", 20, 2.5),
    ]
    assert regimen_cards(patient_view(resources)) == []


def test_her2_low_never_gets_a_her2_positive_regimen_suggestion():
    resources = [*her2_negative_mbc("1+", hr_positive=False), *cycles("capecitabine", 150, 129)]
    cards = order_select(resources, draft("trastuzumab", 560), draft("docetaxel", 134))
    assert [t for t in topics(cards) if t.startswith("C12")] == []


def test_t_dxd_gastric_dose_is_caught_in_her2_low_breast_cancer():
    resources = [*her2_negative_mbc("1+", hr_positive=False), *cycles("capecitabine", 150, 129)]
    cards = order_select(resources, draft("fam-trastuzumab-deruxtecan", 448))
    card = card_of(cards, "dose-check")
    assert "6.4 mg/kg is the gastric cancer dose" in card["summary"]


def test_her2_ultralow_hr_positive_after_endocrine_therapy():
    ultralow = "faint incomplete membrane staining in 5 % of tumour cells"
    resources = [
        *her2_negative_mbc("0", note=ultralow, hr_positive=True),
        given("letrozole", 20, 2.5),
    ]
    card = card_of(patient_view(resources), "C12-her2-low")
    assert card["summary"].startswith("HER2-ultralow MBC: T-DXd 378 mg")


def test_her2_ultralow_hr_negative_gets_no_card():
    ultralow = "faint incomplete membrane staining in 5 % of tumour cells"
    resources = [
        *her2_negative_mbc("0", note=ultralow, hr_positive=False),
        *cycles("capecitabine", 150, 129),
    ]
    assert regimen_cards(patient_view(resources)) == []


def test_hr_positive_her2_low_still_on_first_line_endocrine_therapy_gets_no_t_dxd_card():
    """Review 2: the DESTINY-Breast06 label population has progressed on endocrine therapy for
    metastatic disease; a woman still taking (and responding to) her first-line letrozole is
    not in it, so neither the chart nor a letrozole refill offers T-DXd in its place."""
    on_letrozole = [
        *her2_negative_mbc("1+", hr_positive=True, metastatic_days=120),
        ordered("letrozole", start_days=110, status="active"),
        *cycles("letrozole", 110, 80, 50, 20, 1, dose=2.5),
    ]
    assert regimen_cards(patient_view(on_letrozole)) == []
    assert regimen_cards(order_select(on_letrozole, draft("letrozole", 2.5, per_day=1))) == []
    progressed = [
        *her2_negative_mbc("1+", hr_positive=True, metastatic_days=120),
        ordered("letrozole", start_days=110, end_days=5, status="stopped"),
        *cycles("letrozole", 110, 80, 50, 20, 5, dose=2.5),
    ]
    card = card_of(patient_view(progressed), "C12-her2-low")
    assert "progressed on at least 1 endocrine therapy for metastatic disease" in card["detail"]
