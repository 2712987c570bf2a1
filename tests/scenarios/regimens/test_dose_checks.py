"""Drafted HER2-directed and taxane doses against the dose computed for this patient
(70 kg, 165 cm, BSA 1.79 m²), with the known traps named."""

from __future__ import annotations

import pytest

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
    order_sign,
    reference,
    regimen_cards,
    topics,
)


def test_t_dxd_gastric_dose_in_breast_cancer():
    t_dxd = draft("fam-trastuzumab-deruxtecan", 448)
    cards = order_select(her2_positive_mbc(), t_dxd, draft("pertuzumab", 840))
    card = card_of(cards, "dose-check")
    assert card["indicator"] == "critical"  # §3.9 C8
    assert card["summary"] == (
        "T-DXd 448 mg (6.4 mg/kg): 6.4 mg/kg is the gastric cancer dose; "
        "expected 378 mg (5.4 mg/kg)"
    )
    assert deleted(card) == [reference(t_dxd)]
    [resource] = created(card)
    assert (drug_text(resource), dose_mg(resource)) == ("T-DXd (fam-trastuzumab deruxtecan)", 378)
    assert [r["code"] for r in card["overrideReasons"]] == [
        "dose-intended", "clinical-trial", "data-not-current-in-ehr",
    ]  # fmt: skip


def test_t_dm1_above_3_6_mg_per_kg():
    resources = [*her2_positive_mbc(), *cycles("trastuzumab", 130, 109), *cycles("docetaxel", 130)]
    card = card_of(order_select(resources, draft("ado-trastuzumab-emtansine", 315)), "dose-check")
    assert card["summary"].startswith("T-DM1 315 mg (4.5 mg/kg): above the 3.6 mg/kg label maximum")
    assert [dose_mg(r) for r in created(card)] == [252]


def test_docetaxel_overdose_names_the_bsa_dose():
    drafts = [draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", 180)]
    cards = order_select(her2_positive_mbc(), *drafts)
    card = card_of(cards, "dose-check")
    assert card["summary"] == (
        "Docetaxel 180 mg (101 mg/m²) is 34 % above the computed 134 mg (75 mg/m²)"
    )
    assert "75 mg/m² × 1.79 m² = 134 mg" in card["detail"]
    assert [dose_mg(r) for r in created(card)] == [134]


@pytest.mark.parametrize(
    ("drug", "dose", "unit", "every"),
    [
        ("docetaxel", 134, "mg", 21),
        ("docetaxel", 75, "mg/m2", 21),
        ("docetaxel", 140, "mg", 21),  # +4 %: within the 5 % IV rounding threshold
        ("paclitaxel", 80, "mg/m2", 7),
    ],
)
def test_taxane_doses_within_rounding_get_no_card(drug, dose, unit, every):
    drafts = [
        draft("trastuzumab", 560),
        draft("pertuzumab", 840),
        draft(drug, dose, unit, every=every),
    ]
    assert regimen_cards(order_select(her2_positive_mbc(), *drafts)) == []


def test_trastuzumab_written_in_mg_per_kg_is_compared_per_kg():
    drafts = [draft("trastuzumab", 8, "mg/kg"), draft("pertuzumab", 840), draft("docetaxel", 134)]
    assert regimen_cards(order_select(her2_positive_mbc(), *drafts)) == []
    wrong = [draft("trastuzumab", 10, "mg/kg"), draft("pertuzumab", 840), draft("docetaxel", 134)]
    card = card_of(order_select(her2_positive_mbc(), *wrong), "dose-check")
    assert card["summary"].startswith("Trastuzumab 10 mg/kg is 25 % above the computed 560 mg")


def test_dose_warnings_are_shown_at_order_sign():
    cards = order_sign(
        her2_positive_mbc(), draft("fam-trastuzumab-deruxtecan", 448), draft("pertuzumab", 840)
    )
    assert topics(cards) == ["dose-check"]


def test_request_text_never_reaches_the_summary():
    evil = draft("fam-trastuzumab-deruxtecan", 448, text="Enhertu <script>alert(1)</script>")
    evil["medicationCodeableConcept"]["coding"][0]["display"] = "<img src=x onerror=alert(1)>"
    card = card_of(order_select(her2_positive_mbc(), evil, draft("pertuzumab", 840)), "dose-check")
    assert "script" not in card["summary"] and "<img" not in card["detail"]
    assert "<script" not in card["detail"]


def test_docetaxel_card_cites_the_docetaxel_dosing_of_the_perjeta_label():
    drafts = [draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", 180)]
    card = card_of(order_select(her2_positive_mbc(), *drafts), "dose-check")
    # the Perjeta label gives the docetaxel dose of the regimen (75 mg/m², may go to 100)
    assert card["source"]["label"].startswith("Perjeta US label")
    assert "US prescribing information, Perjeta (pertuzumab)" in card["detail"]
    assert "check locally" not in card["detail"]


def test_docetaxel_in_tchp_is_checked_against_a_dose_marked_unverified():
    from tests.scenarios import fhir_builders as fb
    from tests.scenarios.regimens.builders import ago, body_size

    early = [
        fb.patient(),
        fb.breast_cancer(onset=ago(40)),
        fb.her2_ihc("3+", when=ago(35)),
        fb.lvef(62, when=ago(20)),
        *body_size(),
    ]
    card = card_of(order_select(early, draft("docetaxel", 180)), "dose-check")
    assert "(unverified in the label: check locally)" in card["detail"]
    assert "TCH/TCHP" in card["detail"]
