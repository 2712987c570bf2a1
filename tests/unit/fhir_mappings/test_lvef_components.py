"""LVEF in Observation.component of echocardiography and MUGA panels: read like a top-level
LVEF (codes, units, status), once per Observation, with provenance naming the component."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import LvefSeries, build_patient_facts
from fhir_mappings.terminology import concept_codes
from tests.unit.fhir_mappings.builders import (
    LOINC,
    NOW,
    SNOMED,
    coding,
    observation,
    qty,
)

PANELS = [(e.system, e.code) for e in concept_codes("observations", "lvef-panel")]


def component(code: str, system: str = LOINC, text: str | None = None, **value: Any) -> dict:
    concept: dict[str, Any] = {"coding": [coding(code, system)]}
    if text:
        concept["text"] = text
    return {"code": concept, **value}


def panel(
    *components: dict[str, Any],
    code: str = "34552-0",
    system: str = LOINC,
    status: str = "final",
    when: str | None = "2026-05-20",
    **extra: Any,
) -> dict[str, Any]:
    return observation(
        code, system=system, status=status, when=when, component=list(components), **extra
    )


def lvef(*resources: dict[str, Any]) -> LvefSeries:
    return build_patient_facts(list(resources), now=NOW).lvef


def test_lvef_only_in_a_component_of_an_echo_panel_is_read() -> None:
    echo = panel(
        component("8867-4", valueQuantity=qty(72, "/min")),  # heart rate: not an LVEF
        component("18043-0", text="LVEF biplane", valueQuantity=qty(38)),
    )
    (measured,) = lvef(echo).measurements
    assert measured.percent == 38.0
    assert measured.method == "by US"
    assert measured.when is not None and measured.when.date().isoformat() == "2026-05-20"
    evidence = measured.evidence
    assert evidence.resource_id == echo["id"]
    assert evidence.code == "http://loinc.org|18043-0"
    assert evidence.display is not None and evidence.display.startswith("LVEF biplane (in ")
    assert evidence.value == "38 %"


@pytest.mark.parametrize(("system", "code"), PANELS)
def test_every_panel_code_is_read(system: str, code: str) -> None:
    study = panel(component("10230-1", valueQuantity=qty(55)), code=code, system=system)
    assert [m.percent for m in lvef(study).measurements] == [55.0]


def test_top_level_and_component_lvef_count_once() -> None:
    both = observation(
        "10230-1",
        valueQuantity=qty(45),
        component=[component("18043-0", valueQuantity=qty(45))],
    )
    (measured,) = lvef(both).measurements
    assert measured.percent == 45.0
    assert measured.evidence.code == "http://loinc.org|10230-1"  # the top level wins


def test_an_lvef_observation_without_a_value_reads_its_component() -> None:
    bare = observation("10230-1", component=[component("8812-0", valueQuantity=qty(0.41, "1"))])
    (measured,) = lvef(bare).measurements
    assert measured.percent == 41.0  # a fraction, as at the top level
    assert measured.method == "by nuclear blood pool (MUGA)"


def test_several_lvef_components_are_one_measurement_and_a_disagreement_is_noted() -> None:
    echo = panel(
        component("79991-6", valueQuantity=qty(52)),  # biplane
        component("79990-8", valueQuantity=qty(55)),  # 3D
    )
    facts = build_patient_facts([echo], now=NOW)
    assert [m.percent for m in facts.lvef.measurements] == [52.0]
    assert any("disagree" in n.message for n in facts.data_quality)


@pytest.mark.parametrize(("status", "kept", "preliminary"), [
    ("preliminary", True, True),
    ("amended", True, False),
    ("entered-in-error", False, False),
    ("cancelled", False, False),
])  # fmt: skip
def test_the_panel_status_rules_its_components(status: str, kept: bool, preliminary: bool) -> None:
    series = lvef(panel(component("18043-0", valueQuantity=qty(38)), status=status))
    assert bool(series.measurements) is kept
    if kept:
        assert series.measurements[0].preliminary is preliminary


def test_component_units_follow_the_lvef_rules() -> None:
    wrong_unit = panel(component("18043-0", valueQuantity=qty(38, "mL")))
    out_of_range = panel(component("18043-0", valueQuantity=qty(180)))
    assert lvef(wrong_unit).measurements == ()
    assert lvef(out_of_range).measurements == ()


def test_a_component_of_another_panel_is_not_read() -> None:
    """Only echocardiography/MUGA panels of the table: an unknown study code is ignored."""
    other = panel(component("18043-0", valueQuantity=qty(38)), code="11524-6")  # EKG study
    assert lvef(other).measurements == ()


def test_panels_and_plain_lvefs_are_one_series_newest_first() -> None:
    older = observation("10230-1", when="2026-02-01", valueQuantity=qty(60))
    newer = panel(component("18043-0", valueQuantity=qty(48)), when="2026-05-01")
    snomed_panel = panel(
        component("250908004", system=SNOMED, valueQuantity=qty(50)),
        code="40701008",
        system=SNOMED,
        when="2026-03-01",
    )
    assert [m.percent for m in lvef(older, newer, snomed_panel).measurements] == [48, 50, 60]
