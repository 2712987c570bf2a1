"""Pregnancy status and reproductive potential (§3.8 embryo-fetal toxicity)."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import MappingConfig, PatientFacts, PregnancyState, Sex, build_patient_facts
from tests.unit.fhir_mappings.builders import (
    NOW,
    SNOMED,
    answer,
    at,
    condition,
    observation,
    patient,
    qty,
)

PREGNANT, NOT_PREGNANT, UNKNOWN = (
    PregnancyState.PREGNANT,
    PregnancyState.NOT_PREGNANT,
    PregnancyState.UNKNOWN,
)


def facts(*resources: dict[str, Any], config: MappingConfig | None = None) -> PatientFacts:
    return build_patient_facts(list(resources), now=NOW, config=config)


@pytest.mark.parametrize("code", ["77386006", "72892002"])
def test_active_pregnancy_condition(code: str) -> None:
    status = facts(condition(code, onset="2026-03-01")).pregnancy
    assert (status.state, status.last_checked) == (PREGNANT, at("2026-03-01"))


def test_ended_or_abated_pregnancy_is_not_current() -> None:
    assert (
        facts(condition("72892002", onset="2026-01-01", abated="2026-05-01")).pregnancy.state
        is UNKNOWN
    )
    assert (
        facts(condition("72892002", onset="2026-01-01", clinical="resolved")).pregnancy.state
        is UNKNOWN
    )


def test_miscarriage_is_not_a_pregnancy() -> None:
    assert facts(condition("19169002", onset="2026-03-01")).pregnancy.state is UNKNOWN


def test_pregnancy_condition_older_than_a_pregnancy_lasts_is_not_current() -> None:
    old = condition("72892002", onset="1989-11-27")  # left active on a problem list
    assert facts(old).pregnancy.state is UNKNOWN
    assert facts(old, config=MappingConfig(pregnancy_max_days=20000)).pregnancy.state is PREGNANT


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (answer("LA15173-0"), PREGNANT),
        (answer("LA4489-6"), UNKNOWN),
        (answer("77386006", SNOMED), PREGNANT),
        (answer("60001007", SNOMED), NOT_PREGNANT),
        (answer("261665006", SNOMED), UNKNOWN),
        ({"valueString": "Not pregnant"}, NOT_PREGNANT),
    ],
)
def test_pregnancy_status_observation(value: dict[str, Any], state: PregnancyState) -> None:
    status = facts(observation("82810-3", when="2026-05-20", **value)).pregnancy
    assert (status.state, status.last_checked) == (state, at("2026-05-20"))


def _not_pregnant(*codings: tuple[str, str], when: str = "2026-05-20") -> dict[str, Any]:
    value = {"coding": [{"system": system, "code": code} for code, system in codings]}
    return observation("82810-3", when=when, valueCodeableConcept=value)


LOINC = "http://loinc.org"


def test_unverified_not_pregnant_code_never_makes_the_patient_not_pregnant() -> None:
    """§5.2 marks LA26683-5 unverified: it must not silence the verify-pregnancy card."""
    result = facts(_not_pregnant(("LA26683-5", LOINC)))
    status = result.pregnancy
    assert (status.state, status.last_checked) == (UNKNOWN, None)
    assert len(status.evidence) == 1  # shown on the card, but it decides nothing
    notes = [n.message for n in result.data_quality if "LA26683-5" in n.message]
    assert notes and "unverified" in notes[0]


def test_not_pregnant_with_a_checked_code_beside_the_unverified_one_counts() -> None:
    result = facts(_not_pregnant(("LA26683-5", LOINC), ("60001007", SNOMED)))
    assert (result.pregnancy.state, result.pregnancy.last_checked) == (
        NOT_PREGNANT,
        at("2026-05-20"),
    )
    assert not [n for n in result.data_quality if "LA26683-5" in n.message]


def test_unverified_not_pregnant_leaves_an_older_checked_result_in_charge() -> None:
    status = facts(
        observation("2118-8", when="2026-05-01", **answer("LA6577-6")),  # negative hCG
        _not_pregnant(("LA26683-5", LOINC), when="2026-05-25"),
    ).pregnancy
    assert (status.state, status.last_checked) == (NOT_PREGNANT, at("2026-05-01"))
    assert len(status.evidence) == 2  # both shown; only the checked one decides


def test_unverified_pregnant_code_counts_as_evidence_of_pregnancy_with_a_note() -> None:
    """A false 'pregnant' asks the clinician to check; a false 'not pregnant' hides a risk."""
    result = facts(observation("82810-3", when="2026-05-20", **answer("LA15173-0")))
    assert result.pregnancy.state is PREGNANT
    assert any("LA15173-0" in n.message and "unverified" in n.message for n in result.data_quality)


@pytest.mark.parametrize("code", ["2106-3", "2118-8"])
@pytest.mark.parametrize(
    ("value", "state"),
    [
        (answer("LA6576-8"), PREGNANT),
        (answer("260385009", SNOMED), NOT_PREGNANT),
        ({"valueString": "Negative"}, NOT_PREGNANT),
    ],
)
def test_qualitative_hcg(code: str, value: dict[str, Any], state: PregnancyState) -> None:
    assert facts(observation(code, when="2026-05-20", **value)).pregnancy.state is state


def test_2106_3_outside_loinc_is_not_a_pregnancy_test() -> None:
    # §0.1 #14: CDC race 'White' has the same code.
    race = observation("2106-3", system="urn:oid:2.16.840.1.113883.6.238", **answer("LA6576-8"))
    assert facts(race).pregnancy.state is UNKNOWN


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (qty(3, "m[IU]/mL"), NOT_PREGNANT),
        (qty(25, "m[IU]/mL"), NOT_PREGNANT),
        (qty(26, "m[IU]/mL"), PREGNANT),
        (qty(1200, "[IU]/L"), PREGNANT),
        ({"value": 400, "unit": "mIU/mL"}, PREGNANT),
    ],
)
@pytest.mark.parametrize("code", ["19080-1", "21198-7"])
def test_quantitative_hcg_above_the_threshold(
    value: dict[str, Any], state: PregnancyState, code: str
) -> None:
    assert facts(observation(code, valueQuantity=value, when="2026-05-20")).pregnancy.state is state


def test_hcg_threshold_is_configurable() -> None:
    obs = observation("19080-1", valueQuantity=qty(10, "m[IU]/mL"), when="2026-05-20")
    assert (
        facts(obs, config=MappingConfig(hcg_positive_threshold_miu_per_ml=5)).pregnancy.state
        is PREGNANT
    )


def test_newest_evidence_wins() -> None:
    status = facts(
        observation("2106-3", when="2026-02-01", **answer("LA6576-8")),
        observation("82810-3", when="2026-05-01", **answer("60001007", SNOMED)),
    ).pregnancy
    assert (status.state, status.last_checked) == (NOT_PREGNANT, at("2026-05-01"))
    assert len(status.evidence) == 2


def test_same_day_pregnant_wins() -> None:
    status = facts(
        observation("82810-3", when="2026-05-01", **answer("60001007", SNOMED)),
        observation("2118-8", when="2026-05-01", **answer("LA6576-8")),
    ).pregnancy
    assert status.state is PREGNANT


def test_old_positive_test_is_not_a_current_pregnancy_but_old_negative_is_a_dated_check() -> None:
    assert (
        facts(observation("2106-3", when="2020-01-01", **answer("LA6576-8"))).pregnancy.state
        is UNKNOWN
    )
    status = facts(observation("2106-3", when="2020-01-01", **answer("LA6577-6"))).pregnancy
    assert (status.state, status.last_checked) == (NOT_PREGNANT, at("2020-01-01"))


def test_nothing_on_file() -> None:
    status = facts(patient()).pregnancy
    assert (status.state, status.last_checked, status.evidence) == (UNKNOWN, None, ())


# --- demographics and reproductive potential ---------------------------------------------


@pytest.mark.parametrize(
    ("gender", "birth", "sex", "age", "potential"),
    [
        ("female", "1990-06-02", Sex.FEMALE, 35, True),  # the day before her 36th birthday
        ("female", "1990-06-01", Sex.FEMALE, 36, True),
        ("female", "1975-06-01", Sex.FEMALE, 51, False),
        ("female", "1976-06-02", Sex.FEMALE, 49, True),
        ("female", "2015-01-01", Sex.FEMALE, 11, False),
        ("female", "2014-01-01", Sex.FEMALE, 12, True),
        ("male", "1990-01-01", Sex.MALE, 36, False),
        ("female", None, Sex.FEMALE, None, None),
        # a sex not recorded as female or male is not read as male (review 2, finding 16)
        (None, "1990-01-01", Sex.UNKNOWN, 36, True),
        ("unknown", "1990-01-01", Sex.UNKNOWN, 36, True),
        ("other", "1990-01-01", Sex.OTHER, 36, True),
        ("unknown", "1960-01-01", Sex.UNKNOWN, 66, False),
        ("unknown", None, Sex.UNKNOWN, None, None),
        ("female", "1990", Sex.FEMALE, 36, True),
    ],
)
def test_reproductive_potential(
    gender: str | None, birth: str | None, sex: Sex, age: int | None, potential: bool | None
) -> None:
    people = facts(patient(gender, birth)).demographics
    assert (people.sex, people.age_years, people.reproductive_potential) == (sex, age, potential)


def test_reproductive_age_window_is_configurable() -> None:
    config = MappingConfig(reproductive_age_max=55)
    assert facts(patient("female", "1975-06-01"), config=config).demographics.reproductive_potential


def test_no_patient_resource() -> None:
    people = facts().demographics
    assert (people.sex, people.age_years, people.reproductive_potential) == (
        Sex.UNKNOWN,
        None,
        None,
    )
