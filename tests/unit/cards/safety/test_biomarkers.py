"""C6 (HER2 status vs HER2-directed therapy) and C7 (T-DXd labelled population)."""

from __future__ import annotations

import pytest

from cards import Hook
from cards.sources import resolve
from fhir_mappings import (
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    Her2TestKind,
    IhcScore,
    ReceptorCall,
)
from tests.unit.cards.facts_factory import ago
from tests.unit.cards.safety.support import (
    cards,
    disease,
    facts,
    gap,
    her2,
    on,
    order,
    receptors,
    therapy,
)

TDXD = "fam-trastuzumab-deruxtecan"


def run(patient, drugs, rule, hook=Hook.ORDER_SELECT, gaps=()):
    return cards(hook, patient, [order(d) for d in drugs], rule=rule, gaps=gaps)


NEGATIVE_LOW = her2(Her2Call.NEGATIVE, subtype=Her2NegativeSubtype.LOW, ihc=IhcScore.ONE)


@pytest.mark.parametrize(
    "drug",
    [
        "trastuzumab",
        "pertuzumab",
        "ado-trastuzumab-emtansine",
        "tucatinib",
        "neratinib",
        "lapatinib",
        "margetuximab",
    ],
)
def test_her2_negative_with_a_her2_positive_drug_is_a_mismatch(drug):
    [card] = run(facts(her2=NEGATIVE_LOW), [drug], "C6")
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("HER2-negative (HER2-low) (2025-10-17): ")
    assert card["summary"].endswith("is for HER2-positive disease")
    assert "only T-DXd is labelled for it" in card["detail"]
    assert {r["code"] for r in card["overrideReasons"]} == {
        "data-not-current-in-ehr",
        "clinical-trial",
        "not-applicable",
    }


def test_her2_positive_gets_no_biomarker_card():
    assert run(facts(her2=her2(Her2Call.POSITIVE, ihc=IhcScore.THREE)), ["trastuzumab"], "C6") == []
    assert run(facts(her2=her2(Her2Call.POSITIVE, ihc=IhcScore.THREE)), [TDXD], "C7") == []


def test_ihc_2_plus_without_ish_requires_ish():
    equivocal = her2(Her2Call.EQUIVOCAL_PENDING_ISH, ihc=IhcScore.TWO)
    [card] = run(facts(her2=equivocal), ["trastuzumab"], "C6")
    assert card["summary"] == (
        "HER2 IHC 2+ (equivocal) (2025-10-17) without ISH: ISH required before trastuzumab"
    )
    [suggestion] = card["suggestions"]
    coding = suggestion["actions"][0]["resource"]["code"]["coding"][0]
    assert coding["code"] == "85318-4"


def test_ihc_2_plus_without_ish_is_fine_for_tdxd():
    equivocal = her2(Her2Call.EQUIVOCAL_PENDING_ISH, ihc=IhcScore.TWO)
    assert run(facts(her2=equivocal), [TDXD], "C7") == []


def test_unknown_her2_asks_for_a_test():
    [card] = run(facts(her2=her2(Her2Call.UNKNOWN)), ["trastuzumab"], "C6")
    assert (
        card["summary"] == "No HER2 result on file: confirm HER2-positive status before trastuzumab"
    )
    assert (
        card["suggestions"][0]["actions"][0]["resource"]["code"]["coding"][0]["code"] == "85319-2"
    )
    [tdxd] = run(facts(her2=her2(Her2Call.UNKNOWN)), [TDXD], "C7")
    assert tdxd["summary"] == "No HER2 result on file: test HER2 before T-DXd"


# Prior therapy for metastatic disease that places a patient in a T-DXd label population.
AFTER_METASTATIC_CHEMO = therapy(on("capecitabine", since_days=150, active=False, end_days=40))
AFTER_METASTATIC_ENDOCRINE = therapy(on("letrozole", since_days=200, active=False, end_days=50))


def test_tdxd_in_her2_low_after_metastatic_chemotherapy_is_in_label():
    patient = facts(her2=NEGATIVE_LOW, therapy=AFTER_METASTATIC_CHEMO)
    assert run(patient, [TDXD], "C7") == []
    assert run(patient, [TDXD], "C6") == []


def test_tdxd_in_her2_low_without_prior_therapy_is_outside_the_label():
    [card] = run(facts(her2=NEGATIVE_LOW), [TDXD], "C7")
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "HER2-low (2025-10-17) without prior chemotherapy for metastatic disease: outside the "
        "T-DXd label"
    )
    # HR status unknown: the endocrine route could not be considered, and that is said.
    assert "ER/PR status" in card["detail"]
    # DESTINY-Breast04 (the route that applies) is the source, not the HR-positive approval.
    assert "DESTINY-Breast04" in card["source"]["label"]
    assert card["source"]["url"] == resolve("destiny-breast04").url


@pytest.mark.parametrize(
    ("er", "expected"),
    [
        (ReceptorCall.POSITIVE, None),
        (ReceptorCall.LOW_POSITIVE, None),
        (ReceptorCall.NEGATIVE, "HR-negative disease: outside the T-DXd label"),
        (ReceptorCall.UNKNOWN, "requires HR-positive disease; ER/PR not on file"),
    ],
)
def test_tdxd_in_her2_ultralow_needs_hr_positive(er, expected):
    ultralow = her2(Her2Call.NEGATIVE, subtype=Her2NegativeSubtype.ULTRALOW, ihc=IhcScore.ZERO)
    pr = ReceptorCall.NEGATIVE if er is not ReceptorCall.UNKNOWN else ReceptorCall.UNKNOWN
    patient = facts(
        her2=ultralow, hormone_receptors=receptors(er, pr), therapy=AFTER_METASTATIC_ENDOCRINE
    )
    found = run(patient, [TDXD], "C7")
    if expected is None:
        assert found == []
    else:
        [card] = found
        assert card["indicator"] == "warning"
        assert expected in card["summary"]


def test_tdxd_in_her2_zero_is_outside_the_label():
    zero = her2(Her2Call.NEGATIVE, subtype=Her2NegativeSubtype.ZERO, ihc=IhcScore.ZERO)
    [card] = run(facts(her2=zero), [TDXD], "C7")
    assert (
        card["summary"]
        == "HER2 IHC 0 without membrane staining (2025-10-17): outside the T-DXd label"
    )
    assert card["source"]["url"] == resolve("destiny-breast06").url


def test_tdxd_with_negative_call_and_no_score_asks_for_ihc():
    unspecified = her2(Her2Call.NEGATIVE, subtype=Her2NegativeSubtype.UNSPECIFIED)
    [card] = run(facts(her2=unspecified), [TDXD], "C7")
    assert "without an IHC score" in card["summary"]


def test_discordant_results_say_so():
    results = (
        Her2Result(Her2TestKind.IHC, Her2Call.NEGATIVE, ago(30), ihc_score=IhcScore.ONE),
        Her2Result(Her2TestKind.IHC, Her2Call.POSITIVE, ago(900), ihc_score=IhcScore.THREE),
    )
    discordant = her2(
        Her2Call.NEGATIVE, subtype=Her2NegativeSubtype.LOW, discordant=True, results=results
    )
    [card] = run(facts(her2=discordant), ["trastuzumab"], "C6")
    assert card["summary"].startswith("HER2 results discordant (latest result negative")
    assert "IHC 3+" in card["detail"] and "IHC 1+" in card["detail"]


def test_gastric_cancer_patient_is_not_judged_by_breast_rules():
    patient = facts(
        her2=her2(Her2Call.UNKNOWN),
        disease=disease(breast=False, metastatic=True, other=("gastric",)),
    )
    assert run(patient, ["trastuzumab"], "C6") == []


def test_tumor_marker_gap_is_said():
    [card] = run(
        facts(her2=her2(Her2Call.UNKNOWN)),
        ["trastuzumab"],
        "C6",
        gaps=[gap("tumorMarkers", "HER2/ER/PR observations")],
    )
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("HER2 results could not be retrieved from the EHR")


def test_order_sign_keeps_biomarker_warnings():
    assert [
        c["indicator"]
        for c in run(facts(her2=NEGATIVE_LOW), ["trastuzumab"], "C6", hook=Hook.ORDER_SIGN)
    ] == ["warning"]


def _ihc0_unspecified():
    result = Her2Result(Her2TestKind.IHC, Her2Call.NEGATIVE, ago(400), ihc_score=IhcScore.ZERO)
    return her2(
        Her2Call.NEGATIVE,
        subtype=Her2NegativeSubtype.UNSPECIFIED,
        ihc=IhcScore.ZERO,
        results=(result,),
    )


def test_tdxd_with_ihc_0_and_no_staining_report_asks_which():
    [card] = run(facts(her2=_ihc0_unspecified()), [TDXD], "C7")
    assert card["summary"] == (
        "HER2 IHC 0 (2025-10-17) without a membrane-staining report: confirm HER2-ultralow "
        "before T-DXd"
    )
    assert "Membrane staining of the IHC 0 result" in card["detail"]


def test_tdxd_with_ihc_0_in_hr_negative_disease_is_outside_either_way():
    patient = facts(
        her2=_ihc0_unspecified(),
        hormone_receptors=receptors(ReceptorCall.NEGATIVE, ReceptorCall.NEGATIVE),
    )
    [card] = run(patient, [TDXD], "C7")
    assert card["summary"].endswith("with HR-negative disease: outside the T-DXd label")
