"""Early-stage HER2+ breast cancer (no metastasis): the §1.9 regimens are recognised, doses
are checked, and no metastatic-line advice is given."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    body_size,
    card_of,
    created,
    cycles,
    dose_mg,
    draft,
    order_select,
    patient_view,
    regimen_cards,
    topics,
)


def _early_her2_positive() -> list:
    return [
        fb.patient(),
        fb.breast_cancer(onset=ago(40)),
        fb.her2_ihc("3+", when=ago(35)),
        *body_size(),
    ]


def test_neoadjuvant_thp_gets_no_regimen_card():
    cards = order_select(
        _early_her2_positive(),
        draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", 134),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_adjuvant_trastuzumab_and_pertuzumab_without_chemotherapy_gets_no_card():
    resources = [*_early_her2_positive(), *cycles("trastuzumab", 42, 21, dose=420)]
    cards = order_select(resources, draft("trastuzumab", 420), draft("pertuzumab", 840))
    assert regimen_cards(cards) == []


def test_pertuzumab_without_trastuzumab():
    cards = order_select(_early_her2_positive(), draft("pertuzumab", 840), draft("docetaxel", 134))
    # the safety warning (shown on order-sign too) takes the early-stage regimen card's place
    assert "C12-early-stage" not in topics(cards)
    card = card_of(cards, "pertuzumab-without-trastuzumab")
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Add trastuzumab 560 mg (8 mg/kg) loading dose to pertuzumab: "
        "pertuzumab is given with trastuzumab"
    )
    assert [dose_mg(r) for r in created(card)] == [560]


def test_apt_weekly_paclitaxel_and_trastuzumab_doses_are_accepted():
    cards = order_select(
        _early_her2_positive(),
        draft("paclitaxel", 143, every=7), draft("trastuzumab", 280, every=7),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_weekly_trastuzumab_at_the_three_weekly_dose_is_caught():
    cards = order_select(_early_her2_positive(), draft("trastuzumab", 560, every=7))
    card = card_of(cards, "dose-check")
    assert "280 mg (4 mg/kg) loading dose" in card["summary"]


def test_t_dm1_for_residual_disease_is_not_told_about_t_dxd():
    resources = [*_early_her2_positive(), *cycles("trastuzumab", 120, 99, 78, dose=420)]
    cards = order_select(resources, draft("ado-trastuzumab-emtansine", 252))
    assert regimen_cards(cards) == []


def test_docetaxel_100_mg_per_m2_is_not_an_early_stage_dose():
    resources = [*_early_her2_positive(), *cycles("docetaxel", 21, dose=134)]
    cards = order_select(resources, draft("docetaxel", 100, "mg/m2"))
    assert card_of(cards, "dose-check")["summary"].startswith("Docetaxel 100 mg/m² is 33 % above")


def test_patient_view_gives_no_metastatic_advice():
    assert topics(patient_view(_early_her2_positive())) == []
