"""R4B checks are off the request path: they run when `data_quality` is first read, give the
notes an eager check would, in the same order and with the same counts, and run once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings import (
    build_patient_facts,
    conditions,
    demographics,
    observations,
    resource_set,
    therapy,
)
from fhir_mappings.model import DataQualityNote
from tests.unit.fhir_mappings.builders import NOW, observation, qty, request

FIXTURES = Path(__file__).parents[2] / "fixtures"
ROSE = "blaze_44717d84-17d5-cefa-acf9-fe51fddc5d1c_Rose199_Wehner319.json"
YANG = "blaze_dd92a3e7-d1db-c15a-f8fe-e3847b7f07b1_Yang129_Rosenbaum794.json"
READERS = (observations, conditions, demographics, therapy)


def _records() -> list[dict[str, Any]]:
    sloppy = request(
        "224905", status="active", dosageInstruction={"doseAndRate": [{"doseQuantity": 6}]}
    )
    no_status = observation("10230-1", valueQuantity=qty(52, "%"))
    del no_status["status"]
    twice = observation("10230-1", valueQuantity=qty(48, "%"))
    del twice["status"]
    no_value = observation("10230-1")  # a note from the mapping itself, between the checks
    return [sloppy, no_status, no_value, twice]


def _eager(resource: dict[str, Any], notes: resource_set.NoteBook) -> None:
    """The check as it ran before: at once, its notes added where the resource is read."""
    for rtype, message in resource_set.conformance_notes(resource):
        notes.add(rtype, message)


def _synthea(name: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "synthea/bundles" / name).read_text())["entry"]


def test_checks_wait_for_the_first_read_and_run_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = resource_set.conformance_notes

    def counting(resource: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        calls.append(resource["resourceType"])
        return real(resource)

    monkeypatch.setattr(resource_set, "conformance_notes", counting)
    facts = build_patient_facts(_records(), now=NOW)
    assert calls == []
    notes = list(facts.data_quality)
    assert len(calls) == 4
    assert list(facts.data_quality) == notes and len(calls) == 4
    assert facts.data_quality == tuple(notes)
    assert hash(facts.data_quality) == hash(tuple(notes))


@pytest.mark.parametrize("source", ["sloppy", "rose", "yang"])
def test_lazy_notes_are_the_eager_notes(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    records = {
        "sloppy": _records,
        "rose": lambda: _synthea(ROSE),
        "yang": lambda: _synthea(YANG),
    }[source]()
    lazy = list(build_patient_facts(records, now=NOW).data_quality)
    for module in READERS:
        monkeypatch.setattr(module, "read_leniently", _eager)
    eager = list(build_patient_facts(records, now=NOW).data_quality)
    assert lazy == eager
    if source == "sloppy":
        assert [n.message for n in lazy] == [
            "did not validate as FHIR R4B (status); needed fields read leniently (x2)",
            "did not validate as FHIR R4B (dosageInstruction); needed fields read leniently",
            "LVEF 10230-1 without a numeric value; skipped",
            "LVEFs recorded at the same time disagree: the lower is used",  # 52 % and 48 %
        ]


def test_clean_records_compare_equal_to_an_empty_tuple() -> None:
    facts = build_patient_facts([observation("10230-1", valueQuantity=qty(60, "%"))], now=NOW)
    assert facts.data_quality == ()
    assert not facts.data_quality
    assert isinstance(DataQualityNote("Observation", "x"), DataQualityNote)
