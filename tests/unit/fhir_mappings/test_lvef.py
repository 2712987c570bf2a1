"""LVEF series: every code, % and fractions, statuses, order, and the regimen baseline."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import LvefSeries, build_patient_facts
from fhir_mappings.terminology import concept_codes
from tests.unit.fhir_mappings.builders import (
    NOW,
    SNOMED,
    administration,
    at,
    observation,
    qty,
    request,
)

ALL_LVEF_CODES = [(e.system, e.code) for e in concept_codes("observations", "lvef")]


def lvef(*resources: dict[str, Any]) -> LvefSeries:
    return build_patient_facts(list(resources), now=NOW).lvef


@pytest.mark.parametrize(("system", "code"), ALL_LVEF_CODES)
def test_every_code_of_the_reference_is_an_lvef(system: str, code: str) -> None:
    series = lvef(observation(code, system=system, valueQuantity=qty(55, "%")))
    assert [m.percent for m in series.measurements] == [55.0]


@pytest.mark.parametrize(
    ("code", "method"),
    [("18043-0", "by US"), ("8806-2", "by 2D echo"), ("8812-0", "by nuclear blood pool (MUGA)"),
     ("8811-2", "by MR"), ("8810-4", "by CT"), ("8808-8", "by angiography")],
)  # fmt: skip
def test_method_specific_codes_name_their_method(code: str, method: str) -> None:
    assert lvef(observation(code, valueQuantity=qty(60, "%"))).measurements[0].method == method


def test_method_less_code_uses_the_observation_method_text() -> None:
    obs = observation("10230-1", valueQuantity=qty(60, "%"), method={"text": "Echocardiography"})
    assert lvef(obs).measurements[0].method == "Echocardiography"


def test_snomed_and_loinc_on_one_observation_count_once() -> None:
    obs = observation("10230-1", valueQuantity=qty(50, "%"))
    obs["code"]["coding"].insert(0, {"system": SNOMED, "code": "250908004"})
    assert len(lvef(obs).measurements) == 1


@pytest.mark.parametrize(
    ("value", "percent"),
    [
        ({"valueQuantity": qty(55, "%")}, 55.0),
        ({"valueQuantity": qty(0.55, "1")}, 55.0),
        ({"valueQuantity": {"value": 0.48}}, 48.0),
        ({"valueQuantity": {"value": 48}}, 48.0),
        ({"valueQuantity": qty(0.6, "%")}, 60.0),
        ({"valueQuantity": {"value": 62, "unit": "percent"}}, 62.0),
        ({"valueInteger": 45}, 45.0),
        ({"valueString": "55%"}, 55.0),
        ({"valueString": "55-60 %"}, 55.0),
        ({"valueRange": {"low": qty(55, "%"), "high": qty(60, "%")}}, 55.0),
    ],
)
def test_values_in_percent_or_fraction(value: dict[str, Any], percent: float) -> None:
    assert lvef(observation("10230-1", **value)).measurements[0].percent == pytest.approx(percent)


@pytest.mark.parametrize(
    "value",
    [
        {"valueQuantity": qty(55, "mL")},
        {"valueQuantity": qty(150, "%")},
        {"valueString": "normal"},
        {"valueRange": {"high": qty(35, "%")}},
        {},
    ],
)
def test_unreadable_values_are_skipped_with_a_note(value: dict[str, Any]) -> None:
    facts = build_patient_facts([observation("10230-1", **value)], now=NOW)
    assert facts.lvef.measurements == ()
    assert facts.data_quality


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_withdrawn_results_are_excluded(status: str) -> None:
    assert lvef(observation("10230-1", status=status, valueQuantity=qty(35, "%"))).latest is None


def test_preliminary_results_are_kept_and_flagged() -> None:
    series = lvef(
        observation("10230-1", status="preliminary", when="2026-05-01", valueQuantity=qty(40, "%")),
        observation("10230-1", status="final", when="2026-02-01", valueQuantity=qty(60, "%")),
    )
    assert [(m.percent, m.preliminary) for m in series.measurements] == [
        (40.0, True),
        (60.0, False),
    ]


def test_newest_first_and_undated_last() -> None:
    series = lvef(
        observation("10230-1", when="2025-01-01", valueQuantity=qty(61, "%")),
        observation("10230-1", when=None, valueQuantity=qty(50, "%")),
        observation("18043-0", when="2026-03-01T10:00:00+02:00", valueQuantity=qty(58, "%")),
    )
    assert [m.percent for m in series.measurements] == [58.0, 61.0, 50.0]
    assert series.latest is not None and series.latest.when == at("2026-03-01").replace(hour=8)
    assert series.measurements[-1].when is None


def test_baseline_is_the_last_lvef_before_the_first_dose_of_the_current_her2_regimen() -> None:
    series = lvef(
        observation("10230-1", when="2025-06-01", valueQuantity=qty(64, "%")),
        observation("10230-1", when="2026-01-02", valueQuantity=qty(62, "%")),
        observation("10230-1", when="2026-04-01", valueQuantity=qty(50, "%")),
        administration("224905", when="2026-01-05"),
        administration("224905", when="2026-01-26"),
        administration("1298944", when="2026-01-12"),  # pertuzumab a week later: same regimen
    )
    assert series.current_regimen_start == at("2026-01-05")
    assert series.baseline is not None and series.baseline.percent == 62.0


def test_a_new_her2_agent_later_starts_a_new_regimen() -> None:
    series = lvef(
        observation("10230-1", when="2024-12-20", valueQuantity=qty(63, "%")),
        observation("10230-1", when="2025-09-25", valueQuantity=qty(55, "%")),
        administration("224905", when="2025-01-05"),
        request(None, text="fam-trastuzumab deruxtecan", authored="2025-10-01"),
    )
    assert series.current_regimen_start == at("2025-10-01")
    assert series.baseline is not None and series.baseline.percent == 55.0


def test_no_her2_regimen_no_baseline() -> None:
    series = lvef(observation("10230-1", valueQuantity=qty(60, "%")), request("3639"))
    assert (series.baseline, series.current_regimen_start) == (None, None)


def test_lvef_after_the_regimen_start_is_not_a_baseline() -> None:
    series = lvef(
        observation("10230-1", when="2026-02-01", valueQuantity=qty(60, "%")),
        request("224905", authored="2026-01-05"),
    )
    assert series.baseline is None


def test_undated_lvef_is_never_a_baseline() -> None:
    series = lvef(
        observation("10230-1", when=None, valueQuantity=qty(60, "%")),
        request("224905", authored="2026-01-05"),
    )
    assert series.baseline is None


def test_lvef_code_needs_the_loinc_system() -> None:
    local = observation("10230-1", system="http://example.org/local", valueQuantity=qty(60, "%"))
    assert lvef(local).latest is None


@pytest.mark.parametrize("sent", ["10230-1", "http://loinc.org|10230-1", None])
def test_a_display_that_only_repeats_the_code_reads_as_the_table_name(sent: str | None) -> None:
    """The card's Data used row must name the test, not show '10230-1'."""
    obs = observation("10230-1", valueQuantity=qty(60, "%"))
    if sent is not None:
        obs["code"]["coding"][0]["display"] = sent
    [measurement] = lvef(obs).measurements
    table_name = next(
        e.display for e in concept_codes("observations", "lvef") if e.code == "10230-1"
    )
    assert measurement.evidence.display == table_name
    assert "10230-1" not in table_name


def test_the_record_own_words_for_the_test_are_kept() -> None:
    obs = observation("10230-1", valueQuantity=qty(60, "%"))
    obs["code"]["text"] = "Ejection fraction (echo)"
    assert lvef(obs).measurements[0].evidence.display == "Ejection fraction (echo)"
