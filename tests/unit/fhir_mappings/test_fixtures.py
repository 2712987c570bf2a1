"""Real third-party data maps without error to the facts a clinician would read from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings import (
    BsaMethod,
    Her2Call,
    Her2NegativeSubtype,
    PatientFacts,
    PregnancyState,
    ReceptorCall,
    Sex,
    TherapySetting,
    build_patient_facts,
    read_draft_orders,
)
from fhir_mappings.body_size import mosteller_bsa

FIXTURES = Path(__file__).parents[2] / "fixtures"
YANG = "synthea/bundles/blaze_dd92a3e7-d1db-c15a-f8fe-e3847b7f07b1_Yang129_Rosenbaum794.json"
ROSE = "synthea/bundles/blaze_44717d84-17d5-cefa-acf9-fe51fddc5d1c_Rose199_Wehner319.json"
SYNTHEA_NOW = datetime(2021, 6, 1, tzinfo=UTC)


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(scope="module")
def yang() -> PatientFacts:
    return build_patient_facts([load(YANG)], now=SYNTHEA_NOW)


@pytest.fixture(scope="module")
def rose() -> PatientFacts:
    return build_patient_facts([load(ROSE)], now=SYNTHEA_NOW)


# --- Synthea: HER2-negative, ER+/PR+ breast cancer, 648 entries --------------------------------


def test_synthea_her2_negative_patient_demographics(yang: PatientFacts) -> None:
    people = yang.demographics
    assert (people.sex, people.age_years, people.reproductive_potential) == (Sex.FEMALE, 62, False)


def test_synthea_her2_negative_patient_biomarkers(yang: PatientFacts) -> None:
    her2 = yang.her2
    assert (her2.call, her2.negative_subtype, her2.discordant) == (
        Her2Call.NEGATIVE,
        Her2NegativeSubtype.UNSPECIFIED,  # Synthea reports no IHC score (§0.1 #5)
        False,
    )
    assert her2.as_of == day("2014-12-07T23:10:41+01:00")
    assert sorted(e.code or "" for r in her2.results for e in r.evidence) == [
        "http://loinc.org|85318-4",
        "http://loinc.org|85319-2",
    ]
    assert {e.value for r in her2.results for e in r.evidence} == {
        "Negative (qualifier value)",
        "less than 1.8",
    }
    receptors = yang.hormone_receptors
    assert (receptors.er.call, receptors.pr.call, receptors.hr_positive) == (
        ReceptorCall.POSITIVE,
        ReceptorCall.POSITIVE,
        True,
    )


def test_synthea_her2_negative_patient_body_size(yang: PatientFacts) -> None:
    body = yang.body
    assert len(body.weights) == 9 and len(body.heights) == 9
    assert body.weight is not None and body.height is not None
    assert (body.weight.value, body.weight.when) == (67.1, day("2020-08-31T08:57:06+02:00"))
    assert body.height.value == 154.2
    assert body.bsa_method is BsaMethod.MOSTELLER
    assert body.bsa_m2 == pytest.approx(mosteller_bsa(67.1, 154.2))


def test_synthea_her2_negative_patient_disease_and_therapy(yang: PatientFacts) -> None:
    disease = yang.disease
    assert (disease.breast_cancer, disease.metastatic, disease.metastatic_since) == (
        True,
        False,
        None,
    )
    assert disease.evidence[0].when == day("2014-12-06T07:57:06+01:00")
    history = yang.therapy
    assert [(e.drug, e.status, e.active, e.setting) for e in history.exposures] == [
        ("anastrozole", "stopped", False, TherapySetting.UNKNOWN),
        ("palbociclib", "stopped", False, TherapySetting.UNKNOWN),
    ]
    assert history.of_class("endocrine")[0].start == day("2015-02-16T07:57:06+01:00")
    assert history.metastatic_lines == () and history.anthracyclines == ()


def test_synthea_her2_negative_patient_other_facts(yang: PatientFacts) -> None:
    assert yang.lvef.latest is None  # Synthea emits LVEF only in the CHF module
    assert yang.pregnancy.state is PregnancyState.UNKNOWN  # a 1989 miscarriage is not a pregnancy
    assert yang.conditions.heart_failure == () and yang.conditions.interstitial_lung_disease == ()
    assert [n.message for n in yang.data_quality] == [
        "stopped without an end date: end date not on file (x2)"
    ]


# --- Synthea: breast cancer without receptor results, 672 entries -----------------------------


def test_synthea_patient_without_receptor_results(rose: PatientFacts) -> None:
    assert (rose.demographics.sex, rose.demographics.age_years) == (Sex.FEMALE, 81)
    assert rose.her2.call is Her2Call.UNKNOWN and rose.her2.results == ()
    assert rose.hormone_receptors.hr_positive is None
    assert rose.disease.breast_cancer and not rose.disease.metastatic
    assert rose.therapy.exposures == ()  # clopidogrel, statins, nitroglycerin: not HER2-relevant
    assert len(rose.body.weights) == 12 and len(rose.body.heights) == 11
    assert rose.body.weight is not None and rose.body.weight.value == 76.1
    assert rose.body.height is not None and rose.body.height.value == 164.6
    assert rose.conditions.heart_failure == ()  # coronary heart disease is not heart failure
    assert rose.data_quality == ()


# --- CodeX MOPA: HER2+ regimen orders --------------------------------------------------------


def test_codex_mopa_resources() -> None:
    folder = FIXTURES / "mcode/codex-mopa-ig"
    resources = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    facts = build_patient_facts(resources, now=datetime(2026, 6, 1, tzinfo=UTC))
    people = facts.demographics
    assert (people.sex, people.age_years, people.reproductive_potential) == (Sex.FEMALE, 58, False)
    assert facts.disease.breast_cancer
    # The "metastatic" example carries only 254837009: nothing coded says metastatic.
    assert not facts.disease.metastatic
    assert facts.therapy.exposures == ()  # every MOPA order is a draft
    assert facts.her2.call is Her2Call.UNKNOWN
    drafts = [r for r in resources if r["resourceType"] == "MedicationRequest"]
    orders = read_draft_orders(
        {"resourceType": "Bundle", "entry": [{"resource": r} for r in drafts]},
        (),
        hook="order-sign",
    )
    assert sorted(o.medication.drug for o in orders if o.medication and o.medication.drug) == [
        "cyclophosphamide",
        "docetaxel",
        "doxorubicin",
        "paclitaxel",
        "paclitaxel",
        "pertuzumab",
        "trastuzumab",
        "trastuzumab",
    ]


# --- mCODE STU4 extended example (Jenny M) ---------------------------------------------------


def test_mcode_extended_example() -> None:
    facts = build_patient_facts(
        [load("mcode/fsh-mcode-ig-v4/EX_ExtendedExample.jenny-m.json")],
        now=datetime(2018, 11, 1, tzinfo=UTC),
    )
    assert (facts.demographics.age_years, facts.demographics.reproductive_potential) == (53, False)
    assert (facts.her2.call, facts.her2.results[0].evidence[0].code) == (
        Her2Call.NEGATIVE,
        "http://loinc.org|48676-1",
    )
    receptors = facts.hormone_receptors
    assert (receptors.er.call, receptors.pr.call, receptors.hr_positive) == (
        ReceptorCall.POSITIVE,
        ReceptorCall.NEGATIVE,
        True,
    )
    body = facts.body
    assert body.weight is not None and body.height is not None
    assert body.weight.value == round(150 * 0.45359237, 1)  # 150 [lb_av], to 0.1 kg, 2018-04-22
    assert body.height.value == pytest.approx(165.1)  # 65 [in_i]
    assert body.bsa_m2 == pytest.approx(1.7664, abs=1e-3)
    assert facts.disease.breast_cancer and not facts.disease.metastatic  # cM0, stage IIB
    history = facts.therapy
    assert {e.drug for e in history.exposures} == {
        "doxorubicin",
        "cyclophosphamide",
        "paclitaxel",
        "anastrozole",
    }
    # The FSH: 60 mg/m2 ordered, 105.96 mg given on the BSA of the day.
    (doxorubicin,) = history.anthracyclines
    assert (doxorubicin.administrations, doxorubicin.uncounted) == (1, 0)
    assert doxorubicin.mg_per_m2 == pytest.approx(60.0, abs=0.1)
    assert history.of_drug("doxorubicin").start == datetime(2018, 4, 1, tzinfo=UTC)  # type: ignore[union-attr]
    assert facts.data_quality[0].message == "anthracycline doses in mg divided by the current BSA"


# --- MII cardiology LVEF (CC-BY-4.0, Medizininformatik-Initiative) ---------------------------


def test_mii_lvef_example() -> None:
    facts = build_patient_facts(
        [load("mcode/lvef-examples/Observation-mii-exa-kardio-lvef.json")],
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )
    (measurement,) = facts.lvef.measurements
    assert (measurement.percent, measurement.preliminary, measurement.method) == (
        55.0,
        False,
        "Echokardiographie",
    )
    assert measurement.when == day("2025-05-12T10:15:00+01:00")
    assert facts.data_quality == ()


# --- cqf-ruler Epic-shaped order-sign request with prefetch ----------------------------------


def test_epic_shaped_request_with_prefetch() -> None:
    request = load("cds-hooks/cqframework-cqf-ruler/opioidcds-08-request-prefetch.json")
    prefetched = [v for v in request["prefetch"].values() if v is not None]
    facts = build_patient_facts(prefetched, now=datetime(2022, 7, 5, tzinfo=UTC))
    people = facts.demographics
    assert (people.sex, people.age_years, people.reproductive_potential) == (Sex.FEMALE, 21, True)
    assert facts.pregnancy.state is PregnancyState.UNKNOWN
    orders = read_draft_orders(
        request["context"]["draftOrders"], (), hook=request["hook"], resources=prefetched
    )
    assert [(o.selected, o.medication.text if o.medication else None) for o in orders] == [
        (True, "Morphine Sulfate 50 MG [Kadian]")
    ]
