"""T-DXd for HER2-low or HER2-ultralow metastatic breast cancer, inside and outside its label
population (reference §1.7): HER2-low after chemotherapy for metastatic disease, or relapse
within 6 months of adjuvant chemotherapy (DESTINY-Breast04); HR-positive HER2-low or
HER2-ultralow after at least one endocrine therapy for metastatic disease (DESTINY-Breast06).

A 60-year-old woman whose metastatic biopsy was HER2 IHC 1+ (or 0 with faint membrane
staining), with T-DXd drafted."""

from __future__ import annotations

import pytest

from cards.sources import resolve
from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    by_rule,
    days_ago,
    echo,
    gap,
    metastatic,
    ordering,
    receptor_status,
    safety_cards,
    size,
    summaries,
    taking,
    woman,
)

TDXD = "fam-trastuzumab-deruxtecan"


def hr(positive: bool) -> list:
    percent = 80 if positive else 0
    return [receptor_status("er", percent, days=300), receptor_status("pr", percent, days=300)]


def her2_low() -> dict:
    return fb.her2_ihc("1+", when=days_ago(300))


def her2_ultralow() -> dict:
    return fb.observation(
        "18474-7",
        when=days_ago(300),
        value={"valueString": "0, faint incomplete membrane staining in 5% of cells"},
    )


def patient(her2: dict, *extra, metastatic_days: float = 200) -> list:
    return [
        woman(60),
        her2,
        metastatic(metastatic_days),
        echo(62, days=10),
        size(),
        *extra,
    ]


METASTATIC_CHEMO = taking("capecitabine", since=150, ended=40)
METASTATIC_ENDOCRINE = taking("letrozole", since=190, ended=60, doses_every=30)


def c7(*parts, hook: str = "order-select", gaps=()) -> list:
    return by_rule(safety_cards(hook, *parts, orders=[ordering(TDXD)], gaps=gaps), "C7")


def test_her2_low_hr_negative_without_metastatic_chemotherapy_is_outside_the_label():
    cards = c7(patient(her2_low(), *hr(False)))
    assert summaries(cards) == [
        (
            "C7",
            "warning",
            "HER2-low (2026-01-25) without prior chemotherapy for metastatic disease: outside "
            "the T-DXd label",
        )
    ]
    [card] = cards
    assert "DESTINY-Breast04" in card["detail"]
    assert "Chemotherapy for metastatic disease" in card["detail"]  # missing data, said


def test_her2_low_hr_negative_after_metastatic_chemotherapy_is_in_label():
    assert c7(patient(her2_low(), *hr(False), METASTATIC_CHEMO)) == []


def test_her2_low_relapse_within_6_months_of_adjuvant_chemotherapy_is_in_label():
    # Adjuvant docetaxel ended 4 months before the metastatic diagnosis.
    adjuvant = taking("docetaxel", since=500, ended=320)
    assert c7(patient(her2_low(), *hr(False), adjuvant, metastatic_days=200)) == []


def test_her2_low_relapse_long_after_adjuvant_chemotherapy_is_outside_the_label():
    adjuvant = taking("docetaxel", since=900, ended=700)
    [card] = c7(patient(her2_low(), *hr(False), adjuvant, metastatic_days=200))
    assert card["indicator"] == "warning"


def test_her2_low_hr_positive_after_metastatic_endocrine_therapy_is_in_label():
    assert c7(patient(her2_low(), *hr(True), METASTATIC_ENDOCRINE)) == []


def test_her2_low_hr_positive_without_either_names_both_routes():
    [card] = c7(patient(her2_low(), *hr(True)))
    assert card["summary"] == (
        "HER2-low (2026-01-25) without prior metastatic chemotherapy or endocrine therapy: "
        "outside the T-DXd label"
    )


def test_her2_ultralow_hr_positive_after_endocrine_therapy_is_in_label():
    assert c7(patient(her2_ultralow(), *hr(True), METASTATIC_ENDOCRINE)) == []


def test_her2_ultralow_after_chemotherapy_only_is_outside_the_label():
    # DESTINY-Breast04 did not include HER2-ultralow: only the endocrine route applies.
    [card] = c7(patient(her2_ultralow(), *hr(True), METASTATIC_CHEMO))
    assert card["summary"] == (
        "HER2-ultralow (2026-01-25) without prior endocrine therapy for metastatic disease: "
        "outside the T-DXd label"
    )


def test_her2_low_without_a_metastatic_diagnosis_is_said():
    cards = c7([woman(60), her2_low(), fb.breast_cancer(onset=days_ago(400)), echo(62, days=10)])
    assert summaries(cards) == [
        (
            "C7",
            "warning",
            "HER2-low (2026-01-25) with no metastatic diagnosis on file: T-DXd is labelled for "
            "metastatic disease",
        )
    ]


def test_medication_history_gap_is_said_not_read_as_no_prior_therapy():
    cards = c7(
        patient(her2_low(), *hr(False)),
        gaps=[gap("medicationRequests", "Medication orders")],
    )
    [card] = cards
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Medication history could not be retrieved from the EHR")


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_her2_positive_tdxd_is_not_judged_by_the_her2_low_label(hook):
    positive = [woman(60), fb.her2_ihc("3+", when=days_ago(300)), metastatic(200)]
    assert c7(positive, echo(62, days=10), hook=hook) == []


def test_relapse_on_adjuvant_tamoxifen_names_it_and_why_it_does_not_count():
    # HR+ HER2-low, relapsed 60 days ago while on adjuvant tamoxifen (last dose 70 days ago):
    # the DESTINY-Breast06 route needs endocrine therapy for *metastatic* disease.
    adjuvant = taking("tamoxifen", since=1300, ended=70, doses_every=30)
    [card] = c7(patient(her2_low(), *hr(True), adjuvant, metastatic_days=60))
    assert card["indicator"] == "warning"
    detail = card["detail"]
    assert "No prior therapy on file" not in detail
    assert "Tamoxifen is on file" in detail
    assert "given in the early (adjuvant) setting" in detail
    assert "endocrine therapy for metastatic disease" in detail
    assert "MedicationAdministration" in detail  # the tamoxifen record is shown


def test_adjuvant_chemotherapy_long_before_the_relapse_is_named_with_the_window():
    adjuvant = taking("docetaxel", since=900, ended=700)
    [card] = c7(patient(her2_low(), *hr(False), adjuvant, metastatic_days=200))
    assert "Docetaxel is on file" in card["detail"]
    assert "more than 6 months before the metastatic diagnosis" in card["detail"]


def test_without_any_therapy_on_file_it_still_says_none_places_the_patient():
    [card] = c7(patient(her2_low(), *hr(True)))
    assert "No prior therapy on file places the patient" in card["detail"]


def test_the_destiny_breast04_source_is_the_trial_publication_not_an_ultralow_news_item():
    [card] = c7(patient(her2_low(), *hr(False)))
    assert card["source"]["url"] == resolve("destiny-breast04").url
    assert "DESTINY-Breast04" in card["source"]["label"]
    assert "ultra-low" not in card["detail"]
