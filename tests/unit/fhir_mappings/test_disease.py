"""Disease setting and other conditions: breast cancer, metastatic since when, brain, HF, ILD."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import PatientFacts, build_patient_facts
from tests.unit.fhir_mappings.builders import (
    ICD10,
    LOINC,
    NOW,
    SNOMED,
    answer,
    at,
    condition,
    observation,
)


def facts(*resources: dict[str, Any]) -> PatientFacts:
    return build_patient_facts(list(resources), now=NOW)


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("254837009", SNOMED),
        ("353431000119107", SNOMED),
        ("427685000", SNOMED),
        ("431396003", SNOMED),
        ("C50.911", ICD10),
        ("C50.412", ICD10),
    ],
)
def test_breast_cancer_codes(code: str, system: str) -> None:
    disease = facts(condition(code, system=system)).disease
    assert disease.breast_cancer
    assert not disease.metastatic
    assert disease.evidence[0].code == f"{system}|{code}"


def test_refuted_or_mistaken_diagnoses_do_not_count() -> None:
    assert not facts(condition("254837009", verification="refuted")).disease.breast_cancer
    assert not facts(condition("254837009", verification="entered-in-error")).disease.breast_cancer


def test_breast_cancer_in_remission_is_still_a_breast_cancer_history() -> None:
    disease = facts(condition("254837009", clinical="remission")).disease
    assert disease.breast_cancer
    assert disease.evidence[0].value == "remission"


@pytest.mark.parametrize(
    ("code", "system", "brain"),
    [
        ("128462008", SNOMED, False),
        ("145501000119108", SNOMED, False),
        ("315004001", SNOMED, False),
        ("459391000124109", SNOMED, False),
        ("94222008", SNOMED, False),
        ("94381002", SNOMED, False),
        ("94391008", SNOMED, False),
        ("94225005", SNOMED, True),
        ("C79.81", ICD10, False),
        ("C79.51", ICD10, False),
        ("C78.7", ICD10, False),
        ("C78.01", ICD10, False),
        ("C79.31", ICD10, True),
    ],
)
def test_metastatic_conditions(code: str, system: str, brain: bool) -> None:
    disease = facts(condition(code, system=system, onset="2025-03-04")).disease
    assert disease.metastatic
    assert disease.metastatic_since == at("2025-03-04")
    assert disease.brain_metastases is brain


def test_regional_lymph_node_metastasis_is_not_metastatic_disease() -> None:
    assert not facts(condition("16260631000119101")).disease.metastatic


def test_metastatic_since_is_the_earliest_evidence() -> None:
    disease = facts(
        condition("94225005", onset="2025-09-01"),
        condition("94222008", onset="2025-03-04"),
        observation("21908-9", when="2025-04-01", **answer("258228008", SNOMED)),
    ).disease
    assert disease.metastatic_since == at("2025-03-04")
    assert len(disease.evidence) == 3


@pytest.mark.parametrize(
    ("code", "system", "value", "metastatic"),
    [
        ("21908-9", LOINC, answer("258228008", SNOMED), True),  # Synthea Stage 4
        ("21908-9", LOINC, {"valueCodeableConcept": {"text": "Stage IVB"}}, True),
        ("21908-9", LOINC, answer("258219007", SNOMED), False),  # Stage 2
        ("399537006", SNOMED, {"valueCodeableConcept": {"text": "Stage IIB"}}, False),
        ("21907-1", LOINC, answer("1229903009", SNOMED), True),  # cM1
        ("21907-1", LOINC, answer("30893008", SNOMED), False),  # M0 (Synthea)
        ("399387003", SNOMED, {"valueCodeableConcept": {"text": "cM1"}}, True),
        ("44667-4", LOINC, answer("260413007", SNOMED), False),  # None (Synthea)
        ("44667-4", LOINC, {"valueCodeableConcept": {"text": "Bone"}}, True),
    ],
)
def test_stage_iv_m1_and_distant_sites(
    code: str, system: str, value: dict[str, Any], metastatic: bool
) -> None:
    disease = facts(observation(code, system=system, when="2025-02-02", **value)).disease
    assert disease.metastatic is metastatic
    assert disease.metastatic_since == (at("2025-02-02") if metastatic else None)


def test_brain_as_a_distant_site() -> None:
    disease = facts(observation("44667-4", valueCodeableConcept={"text": "Brain"})).disease
    assert disease.metastatic and disease.brain_metastases


def test_undated_metastasis_is_metastatic_without_a_date() -> None:
    disease = facts(condition("94222008", onset=None)).disease
    assert disease.metastatic
    assert disease.metastatic_since is None


def test_recorded_date_stands_in_for_a_missing_onset_with_a_note() -> None:
    mets = condition("94222008", onset=None)
    mets["recordedDate"] = "2025-07-07"
    result = facts(mets)
    assert result.disease.metastatic_since == at("2025-07-07")
    assert any("recorded" in n.message for n in result.data_quality)


def test_gastric_cancer_is_another_trastuzumab_cancer() -> None:
    assert facts(condition("363349007")).disease.other_trastuzumab_cancers == ("gastric",)
    assert facts(condition("254837009")).disease.other_trastuzumab_cancers == ()


@pytest.mark.parametrize(
    ("code", "system"),
    [("84114007", SNOMED), ("42343007", SNOMED), ("88805009", SNOMED), ("85898001", SNOMED),
     ("134401001", SNOMED), ("I50.9", ICD10), ("I50.22", ICD10), ("I42.0", ICD10)],
)  # fmt: skip
def test_heart_failure_and_cardiomyopathy(code: str, system: str) -> None:
    flags = facts(condition(code, system=system)).conditions
    assert [e.code for e in flags.heart_failure] == [f"{system}|{code}"]
    assert flags.interstitial_lung_disease == ()


def test_resolved_heart_failure_is_kept_with_its_status() -> None:
    flags = facts(condition("84114007", clinical="resolved", abated="2020-01-01")).conditions
    assert flags.heart_failure[0].value == "resolved"


@pytest.mark.parametrize("code", ["233703007", "205237003"])
def test_interstitial_lung_disease_and_pneumonitis(code: str) -> None:
    flags = facts(condition(code)).conditions
    assert len(flags.interstitial_lung_disease) == 1
    assert flags.heart_failure == ()


@pytest.mark.parametrize("text", ["Unknown", "MX", "Not assessed"])
def test_a_distant_site_that_says_nothing_was_assessed_is_not_metastatic(text: str) -> None:
    assert not facts(observation("44667-4", valueCodeableConcept={"text": text})).disease.metastatic
