"""Records dated after the request's time are set aside before any fact reads them, and named.

Every fact kind is tried just inside and just outside the tolerance
(`MappingConfig.future_tolerance_hours`, 4 h): inside, the record is used as before; outside,
no fact uses it and `PatientFacts.set_aside` names it with its date and what it would have fed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from fhir_mappings import (
    Her2Call,
    MappingConfig,
    PatientFacts,
    PregnancyState,
    ReceptorCall,
    build_patient_facts,
)
from fhir_mappings.future_dated import FUTURE_REASON, earliest_moment
from tests.unit.fhir_mappings.builders import (
    NOW,
    SNOMED,
    administration,
    answer,
    condition,
    observation,
    patient,
    qty,
    request,
    statement,
)

TRASTUZUMAB = "224905"
TOLERANCE = timedelta(hours=MappingConfig().future_tolerance_hours)
INSIDE = (NOW + TOLERANCE - timedelta(minutes=1)).isoformat()
OUTSIDE = (NOW + TOLERANCE + timedelta(minutes=1)).isoformat()

Make = Callable[[str], dict[str, Any]]
Used = Callable[[PatientFacts], bool]

KINDS: dict[str, tuple[Make, Used, str]] = {
    "weight": (
        lambda when: observation("29463-7", when=when, valueQuantity=qty(90, "kg")),
        lambda f: f.body.weight is not None,
        "body-weight",
    ),
    "height": (
        lambda when: observation("8302-2", when=when, valueQuantity=qty(165, "cm")),
        lambda f: f.body.height is not None,
        "body-height",
    ),
    "LVEF": (
        lambda when: observation("10230-1", when=when, valueQuantity=qty(38)),
        lambda f: f.lvef.latest is not None,
        "lvef",
    ),
    "ER": (
        lambda when: observation("85329-1", when=when, valueQuantity=qty(80)),
        lambda f: f.hormone_receptors.er.call is not ReceptorCall.UNKNOWN,
        "er-percent",
    ),
    "HER2": (
        lambda when: observation("48676-1", when=when, **answer("LA6576-8")),
        lambda f: f.her2.call is Her2Call.POSITIVE,
        "her2-interpretation",
    ),
    "pregnancy test": (
        lambda when: observation("2118-8", when=when, **answer("LA6576-8")),
        lambda f: f.pregnancy.state is PregnancyState.PREGNANT,
        "hcg-qualitative",
    ),
    "metastatic disease": (
        lambda when: condition("94222008", onset=when),
        lambda f: f.disease.metastatic,
        "metastatic",
    ),
    "heart failure": (
        lambda when: condition("84114007", onset=when),
        lambda f: bool(f.conditions.heart_failure),
        "heart-failure",
    ),
    "administration": (
        lambda when: administration(TRASTUZUMAB, when=when),
        lambda f: f.therapy.of_drug("trastuzumab") is not None,
        "trastuzumab",
    ),
    "order": (
        lambda when: request(TRASTUZUMAB, authored=when),
        lambda f: f.therapy.of_drug("trastuzumab") is not None,
        "trastuzumab",
    ),
    "statement": (
        lambda when: statement(TRASTUZUMAB, when=when),
        lambda f: f.therapy.of_drug("trastuzumab") is not None,
        "trastuzumab",
    ),
}


def _facts(*resources: dict[str, Any]) -> PatientFacts:
    return build_patient_facts([patient(), *resources], now=NOW)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_record_just_inside_the_tolerance_is_used(kind: str) -> None:
    make, used, _ = KINDS[kind]
    facts = _facts(make(INSIDE))
    assert used(facts)
    assert facts.set_aside == ()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_record_just_outside_the_tolerance_is_set_aside_and_named(kind: str) -> None:
    make, used, concept = KINDS[kind]
    resource = make(OUTSIDE)
    facts = _facts(resource)
    assert not used(facts)
    (record,) = facts.set_aside
    assert concept in record.concepts
    assert record.reason == FUTURE_REASON
    assert record.evidence.resource_id == resource["id"]
    assert record.evidence.when == NOW + TOLERANCE + timedelta(minutes=1)
    assert any("set aside" in n.message for n in facts.data_quality)


def test_the_future_weight_is_not_the_latest_one() -> None:
    """The issue's record: 90 kg twenty days ahead beside today's 70 kg."""
    today = observation("29463-7", when=NOW.isoformat(), valueQuantity=qty(70, "kg"))
    ahead = observation(
        "29463-7", when=(NOW + timedelta(days=20)).isoformat(), valueQuantity=qty(90, "kg")
    )
    facts = _facts(today, ahead)
    assert facts.body.weight is not None and facts.body.weight.value == 70
    assert [w.value for w in facts.body.weights] == [70]
    (record,) = facts.set_aside
    assert record.evidence.value == "90 kg"
    assert record.concepts == frozenset({"body-weight"})


def test_a_medication_record_names_the_drug_and_its_classes() -> None:
    facts = _facts(administration(TRASTUZUMAB, when=OUTSIDE))
    (record,) = facts.set_aside
    assert {"medication", "trastuzumab", "her2-directed"} <= record.concepts
    assert record.evidence.resource_type == "MedicationAdministration"


def test_a_future_result_no_table_knows_is_set_aside_too() -> None:
    """Every Observation is screened, whether or not a reader knows its code."""
    glucose = observation("2345-7", when=OUTSIDE, valueQuantity=qty(5.4, "mmol/L"))
    facts = _facts(glucose)
    (record,) = facts.set_aside
    assert record.concepts == frozenset()
    assert record.evidence.code == "http://loinc.org|2345-7"
    assert record.evidence.value == "5.4 mmol/L"


def test_a_future_lab_result_is_set_aside_with_the_concept_it_would_feed() -> None:
    creatinine = observation("2160-0", when=OUTSIDE, valueQuantity=qty(1.1, "mg/dL"))
    facts = _facts(creatinine)
    (record,) = facts.set_aside
    assert record.concepts == frozenset({"creatinine"})
    assert facts.labs.latest("creatinine") is None


def test_an_order_planned_to_start_later_is_not_set_aside() -> None:
    """A validity period starting next week is a plan; only `authoredOn` is screened."""
    later = (NOW + timedelta(days=7)).date().isoformat()
    facts = _facts(request(TRASTUZUMAB, authored="2026-05-30", validity=(later, None)))
    assert facts.set_aside == ()


def test_a_condition_without_onset_is_screened_on_its_recorded_date() -> None:
    hf = condition("84114007", onset=None)
    hf["recordedDate"] = OUTSIDE
    facts = _facts(hf)
    assert facts.conditions.heart_failure == ()
    assert len(facts.set_aside) == 1


def test_an_observation_dated_only_by_issued_is_screened_on_it() -> None:
    lvef = observation("10230-1", when=None, valueQuantity=qty(38), issued=OUTSIDE)
    assert _facts(lvef).lvef.latest is None


@pytest.mark.parametrize(
    ("day", "set_aside"),
    [
        ((NOW + timedelta(days=1)).date().isoformat(), False),  # begun already at UTC+14
        ((NOW + timedelta(days=2)).date().isoformat(), True),
        ("2027", True),
        ("2026-06", False),
    ],
)
def test_a_date_without_a_time_counts_from_when_that_day_begins_anywhere(
    day: str, set_aside: bool
) -> None:
    facts = _facts(observation("29463-7", when=day, valueQuantity=qty(70, "kg")))
    assert bool(facts.set_aside) is set_aside


def test_earliest_moment_of_a_day_is_at_utc_plus_14() -> None:
    moment = earliest_moment("2026-06-02")
    assert moment is not None and moment.isoformat() == "2026-06-01T10:00:00+00:00"
    assert earliest_moment("not a date") is None


def test_the_tolerance_is_a_switch() -> None:
    config = MappingConfig(future_tolerance_hours=0)
    inside = observation("29463-7", when=INSIDE, valueQuantity=qty(70, "kg"))
    facts = build_patient_facts([patient(), inside], now=NOW, config=config)
    assert len(facts.set_aside) == 1


def test_snomed_coded_future_pregnancy_condition_is_set_aside() -> None:
    facts = _facts(condition("77386006", system=SNOMED, onset=OUTSIDE))
    assert facts.pregnancy.state is PregnancyState.UNKNOWN
    assert "pregnancy" in facts.set_aside[0].concepts


def test_a_pregnancy_whose_end_date_is_after_now_has_not_ended() -> None:
    """An abatement dated ahead (an expected delivery date) is not an end that happened."""
    ahead = (NOW + timedelta(days=150)).date().isoformat()
    facts = _facts(condition("77386006", onset="2026-04-01", abated=ahead))
    assert facts.pregnancy.state is PregnancyState.PREGNANT
    assert any("end date after now" in n.message for n in facts.data_quality)
    ended = _facts(condition("77386006", onset="2026-04-01", abated="2026-05-20"))
    assert ended.pregnancy.state is PregnancyState.UNKNOWN
