"""The LVEF series, in percent, newest first, with the baseline the label rules compare against.

Every code of the VSAC Ejection Fraction value set counts, plus SNOMED 250908004 (§5.1).
A value written as a fraction (0-1) is turned into percent. `preliminary` results are kept and
flagged; `entered-in-error` and `cancelled` never get here (observations.py). The baseline is the
last LVEF on or before the first dose of the current HER2-directed regimen (§3.1-§3.5: withhold
rules count points of fall "from pre-treatment").
"""

from __future__ import annotations

import re
from datetime import datetime

from fhir_mappings.fhir_json import as_text, concept_text
from fhir_mappings.model import LvefMeasurement, LvefSeries
from fhir_mappings.observations import (
    CodedObservation,
    ObservationsByConcept,
    format_number,
    value_quantity,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import unit_factor

_NUMBER_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*%?\s*$")


def lvef_series(
    observations: ObservationsByConcept, regimen_start: datetime | None, notes: NoteBook
) -> LvefSeries:
    measurements = tuple(
        m for m in (_measurement(o, notes) for o in observations.get("lvef", ())) if m is not None
    )
    baseline = None
    if regimen_start is not None:
        baseline = next(
            (m for m in measurements if m.when is not None and m.when <= regimen_start), None
        )
    return LvefSeries(measurements, baseline, regimen_start)


def lvef_percent(obs: CodedObservation, notes: NoteBook) -> float | None:
    """The value in percent; a fraction (0-1) times 100; None (noted) when it cannot be read."""
    amount = value_quantity(obs.resource)
    unit: str | None
    if amount is None:
        match = _NUMBER_TEXT.match(as_text(obs.resource.get("valueString")) or "")
        if match is None:
            notes.add("Observation", f"LVEF {obs.entry.code} without a numeric value; skipped")
            return None
        if match.group(2):
            notes.add("Observation", "LVEF reported as a range: the lower bound is used")
        value, unit = float(match.group(1)), "%"
    else:
        value, unit = amount.value, amount.code or amount.unit
    if unit is None:
        notes.add("Observation", "LVEF without a unit: read as a fraction if <= 1, else as %")
        percent = value * 100.0 if value <= 1.0 else value
    else:
        factor = unit_factor("percent", unit, amount.unit if amount else None)
        if factor is None:
            notes.add("Observation", f"LVEF {obs.entry.code} in a unit not in units.json; skipped")
            return None
        percent = value * factor.factor
        if factor.factor == 1.0 and 0.0 < value <= 1.0:
            notes.add("Observation", "LVEF of at most 1 % read as a fraction")
            percent = value * 100.0
    if not 1.0 <= percent <= 100.0:
        notes.add("Observation", f"LVEF {obs.entry.code} outside 1-100 %; skipped")
        return None
    return percent


def _measurement(obs: CodedObservation, notes: NoteBook) -> LvefMeasurement | None:
    percent = lvef_percent(obs, notes)
    if percent is None:
        return None
    method = obs.entry.method or concept_text(obs.resource.get("method"))
    return LvefMeasurement(
        percent=percent,
        when=obs.when,
        preliminary=obs.status == "preliminary",
        method=method,
        evidence=obs.evidence(f"{format_number(percent)} %"),
    )
