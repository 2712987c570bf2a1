"""Course limits, starting doses and supportive care (issue 9 §3).

- Adjuvant T-DM1 is given for a total of 14 cycles (Kadcyla label; KATHERINE): a 15th drafted
  after 14 given is a warning; the 14th after 13 is not.
- Tucatinib is 300 mg twice daily; 100 mg twice daily only with a strong CYP2C8 inhibitor that
  cannot be avoided (Tukysa label): each dose is checked against what the record says.
- Neratinib needs loperamide from the first dose, or the 2-week escalation (Nerlynx label).
"""

from __future__ import annotations

import re

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    body_size,
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
    ordered,
    reference,
    rxnorm,
    topics,
)

COURSE = "course-limit"
DOSE = "starting-dose"
CARE = "supportive-care"


def _residual_disease_on_tdm1(cycles_given: int) -> list[dict]:
    """Early HER2+ breast cancer, surgery with residual disease, then adjuvant T-DM1 every 3
    weeks: `cycles_given` administrations, the last 3 weeks ago."""
    days = [21 * (cycles_given - i) for i in range(cycles_given)]
    return [
        fb.patient(),
        fb.breast_cancer(onset=ago(500)),
        fb.her2_ihc("3+", when=ago(495)),
        fb.lvef(60, when=ago(20)),
        *body_size(),
        *cycles("ado-trastuzumab-emtansine", *days, dose=252),
    ]


def test_a_15th_adjuvant_tdm1_cycle_is_a_warning_with_the_draft_to_remove():
    tdm1 = draft("ado-trastuzumab-emtansine", 252)
    card = card_of(order_select(_residual_disease_on_tdm1(14), tdm1), COURSE)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Adjuvant T-DM1: 14 cycles given since ")
    assert "14 cycles in total" in card["summary"]
    assert "14 administrations are on file" in card["detail"]
    assert "held for toxicity do not count" in card["detail"]
    assert deleted(card) == [reference(tdm1)]
    assert "setid=23f3c1f4" in card["source"]["url"]  # the Kadcyla label on DailyMed
    assert "10.1056/NEJMoa1814017" in card["detail"]  # KATHERINE cited beside the label


def test_the_15th_cycle_warning_also_shows_on_order_sign():
    cards = order_sign(_residual_disease_on_tdm1(14), draft("ado-trastuzumab-emtansine", 252))
    assert COURSE in topics(cards)


def test_the_14th_adjuvant_tdm1_cycle_gets_no_card():
    cards = order_select(_residual_disease_on_tdm1(13), draft("ado-trastuzumab-emtansine", 252))
    assert COURSE not in topics(cards)


@pytest.mark.parametrize(("given", "cards"), [(13, 0), (14, 1), (16, 1)])
def test_the_limit_counts_cycles_given(given, cards):
    found = order_select(_residual_disease_on_tdm1(given), draft("ado-trastuzumab-emtansine", 252))
    assert topics(found).count(COURSE) == cards


def test_held_weeks_do_not_count_as_cycles():
    # 13 cycles given over 45 weeks (two 3-week delays): the 14th is still due
    days = [21 * (13 - i) + (42 if i < 6 else 0) for i in range(13)]
    resources = [*_residual_disease_on_tdm1(0), *cycles("ado-trastuzumab-emtansine", *days)]
    assert COURSE not in topics(order_select(resources, draft("ado-trastuzumab-emtansine", 252)))


def test_metastatic_tdm1_has_no_cycle_limit():
    resources = [*_residual_disease_on_tdm1(20), fb.metastatic_breast_cancer(onset=ago(450))]
    assert COURSE not in topics(order_select(resources, draft("ado-trastuzumab-emtansine", 252)))


# --- tucatinib and strong CYP2C8 inhibitors ------------------------------------------------


def _after_tdxd(*extra: dict) -> list[dict]:
    return [
        *her2_positive_mbc(metastatic_days=500),
        *cycles("fam-trastuzumab-deruxtecan", 300, 279, 258, dose=378),
        *extra,
    ]


def _tucatinib_order(mg: float) -> list[dict]:
    return [
        draft("tucatinib", mg, per_day=2),
        draft("trastuzumab", 560),
        draft("capecitabine", 1800, per_day=2),
    ]


def test_a_first_tucatinib_order_at_100_mg_without_an_inhibitor_names_the_label_dose():
    card = card_of(order_select(_after_tdxd(), *_tucatinib_order(100)), DOSE)
    assert card["indicator"] == "warning"
    assert "100 mg twice daily is the dose with a strong CYP2C8 inhibitor" in card["summary"]
    assert "label dose is 300 mg twice daily" in card["summary"]
    assert "ApplNo=213411" in card["source"]["url"]  # the Tukysa label on Drugs@FDA
    assert DOSE in topics(order_sign(_after_tdxd(), *_tucatinib_order(100)))


def test_the_label_dose_is_offered_in_place_of_the_draft():
    orders = _tucatinib_order(100)
    card = card_of(order_select(_after_tdxd(), *orders), DOSE)
    [suggestion] = card["suggestions"]
    assert suggestion["label"] == "Change tucatinib to 300 mg twice daily"
    assert deleted(card) == [reference(orders[0])]
    [resource] = created(card)
    MedicationRequest.model_validate(resource)
    assert dose_mg(resource) == 300
    assert rxnorm(resource) == "2361290"  # two 150 mg tablets: the product code fits
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 2
    gemfibrozil = ordered("gemfibrozil", start_days=200, status="active")
    reduced = card_of(order_select(_after_tdxd(gemfibrozil), *_tucatinib_order(300)), DOSE)
    [resource] = created(reduced)
    assert dose_mg(resource) == 100
    assert rxnorm(resource) is None  # 100 mg is not a whole number of 150 mg tablets


def test_tucatinib_100_mg_with_gemfibrozil_active_is_the_label_dose():
    gemfibrozil = ordered("gemfibrozil", start_days=200, status="active")
    assert DOSE not in topics(order_select(_after_tdxd(gemfibrozil), *_tucatinib_order(100)))


def test_tucatinib_300_mg_with_gemfibrozil_active_names_the_reduced_dose():
    gemfibrozil = ordered("gemfibrozil", start_days=200, status="active")
    card = card_of(order_select(_after_tdxd(gemfibrozil), *_tucatinib_order(300)), DOSE)
    assert card["indicator"] == "warning"
    assert "gemfibrozil" in card["summary"]
    assert "100 mg twice daily" in card["summary"]
    assert "gemfibrozil" in card["detail"]  # the record it used


def test_tucatinib_300_mg_with_gemfibrozil_drafted_names_the_reduced_dose():
    orders = [*_tucatinib_order(300), draft("gemfibrozil", 600, per_day=2)]
    assert DOSE in topics(order_select(_after_tdxd(), *orders, selected=orders[:1]))


def test_a_stopped_gemfibrozil_order_is_not_an_inhibitor_on_file():
    gemfibrozil = ordered("gemfibrozil", start_days=200, end_days=30, status="stopped")
    assert DOSE not in topics(order_select(_after_tdxd(gemfibrozil), *_tucatinib_order(300)))
    assert DOSE in topics(order_select(_after_tdxd(gemfibrozil), *_tucatinib_order(100)))


def test_tucatinib_300_mg_without_an_inhibitor_gets_no_card():
    assert DOSE not in topics(order_select(_after_tdxd(), *_tucatinib_order(300)))


def test_tucatinib_100_mg_on_treatment_is_left_to_the_dose_check():
    # already on tucatinib: not a first order (the inhibitor may have been stopped days ago)
    resources = _after_tdxd(ordered("tucatinib", start_days=60, status="active"))
    assert DOSE not in topics(order_select(resources, *_tucatinib_order(100)))


# --- neratinib and loperamide --------------------------------------------------------------


def _after_two_lines(*extra: dict) -> list[dict]:
    return [
        *her2_positive_mbc(metastatic_days=800),
        *cycles("trastuzumab", 700, 679, dose=420),
        *cycles("fam-trastuzumab-deruxtecan", 500, 479, dose=378),
        *extra,
    ]


def _neratinib_order(mg: float) -> list[dict]:
    return [draft("neratinib", mg, every=1), draft("capecitabine", 1300, per_day=2)]


def test_first_full_dose_neratinib_without_loperamide_suggests_it():
    card = card_of(order_select(_after_two_lines(), *_neratinib_order(240)), CARE)
    assert card["indicator"] == "warning"
    assert "loperamide" in card["summary"]
    assert "120 mg days 1-7, 160 mg days 8-14" in card["detail"]  # the alternative
    (resource,) = created(card)
    MedicationRequest.model_validate(resource)
    assert drug_text(resource) == "loperamide"
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 3
    assert "days 15-56" in resource["dosageInstruction"][0]["text"]
    assert card["suggestions"][0]["isRecommended"] is True
    assert CARE in topics(order_sign(_after_two_lines(), *_neratinib_order(240)))


def test_neratinib_with_loperamide_active_gets_no_card():
    loperamide = ordered("loperamide", start_days=2, status="active")
    assert CARE not in topics(order_select(_after_two_lines(loperamide), *_neratinib_order(240)))


def test_neratinib_with_loperamide_drafted_gets_no_card():
    orders = [*_neratinib_order(240), draft("loperamide", 4, per_day=3)]
    assert CARE not in topics(order_select(_after_two_lines(), *orders))


def test_neratinib_with_a_loperamide_statement_gets_no_card():
    statement = {
        "resourceType": "MedicationStatement",
        "id": "ms-loperamide",
        "status": "active",
        "medicationCodeableConcept": {"text": "Imodium (loperamide) 2 mg"},
        "subject": {"reference": f"Patient/{fb.PATIENT_ID}"},
        "effectiveDateTime": ago(1),
    }
    assert CARE not in topics(order_select(_after_two_lines(statement), *_neratinib_order(240)))


@pytest.mark.parametrize(("mg", "cards"), [(120, 0), (160, 0), (240, 1)])
def test_the_escalation_start_needs_no_prophylaxis_card(mg, cards):
    found = order_select(_after_two_lines(), *_neratinib_order(mg))
    assert topics(found).count(CARE) == cards


def test_neratinib_already_given_is_not_a_first_order():
    resources = _after_two_lines(ordered("neratinib", start_days=30, status="active"))
    assert CARE not in topics(order_select(resources, *_neratinib_order(240)))


def test_extended_adjuvant_neratinib_needs_loperamide_too():
    # ExteNET: neratinib 240 mg daily for a year after adjuvant trastuzumab-based therapy
    resources = [
        fb.patient(),
        fb.breast_cancer(onset=ago(600)),
        fb.her2_ihc("3+", when=ago(595)),
        *body_size(),
        *cycles("trastuzumab", *range(400, 30, -21), dose=420),
    ]
    card = card_of(order_select(resources, draft("neratinib", 240, every=1)), CARE)
    assert "loperamide" in card["summary"]
    assert CARE not in topics(order_select(resources, draft("neratinib", 120, every=1)))


def test_neratinib_years_after_extended_adjuvant_neratinib_is_a_new_start():
    # ExteNET neratinib ended 3 years ago; now neratinib + capecitabine for metastatic disease
    old = ordered("neratinib", start_days=1460, end_days=1095, status="completed")
    card = card_of(order_select(_after_two_lines(old), *_neratinib_order(240)), CARE)
    assert "loperamide" in card["summary"]


def test_the_new_cards_speak_a_clinicians_language():
    gemfibrozil = ordered("gemfibrozil", start_days=200, status="active")
    tdm1 = draft("ado-trastuzumab-emtansine", 252)
    cards = [
        card_of(order_select(_residual_disease_on_tdm1(14), tdm1), COURSE),
        card_of(order_select(_after_tdxd(gemfibrozil), *_tucatinib_order(300)), DOSE),
        card_of(order_select(_after_tdxd(), *_tucatinib_order(100)), DOSE),
        card_of(order_select(_after_two_lines(), *_neratinib_order(240)), CARE),
    ]  # fmt: skip
    for card in cards:
        said = card["summary"] + card["detail"].split("**Data used**")[0]
        assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", said), said  # no table keys
        assert card["summary"][0].isupper()
