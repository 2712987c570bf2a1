"""The LVEF series, in percent, newest first, with the baseline the label rules compare against.

Every code of the VSAC Ejection Fraction value set counts, plus SNOMED 250908004 (§5.1).
A value written as a fraction (0-1) is turned into percent; a range (`valueRange`, or text
such as "55-60 %") is read at its lower bound, with a data-quality note; of LVEFs recorded at
the same time, the lowest counts as the latest. `preliminary` results are kept and flagged;
`entered-in-error` and `cancelled` never get here (observations.py). The baseline is the last
LVEF on or before the first dose of the current HER2-directed regimen (§3.1-§3.5: withhold
rules count points of fall "from pre-treatment").

Echocardiography and MUGA reports often arrive as one panel Observation (concept `lvef-panel`)
whose components carry the measurements. An LVEF-coded component is read like a top-level LVEF:
same codes, units and plausibility rules, with the panel's status and date, and evidence naming
the component and its panel. One Observation gives at most one LVEF: a top-level value that
reads wins over its components, and the first readable LVEF component stands for the panel
(a note says when its LVEF components disagree), so nothing is counted twice.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime

from fhir_mappings.fhir_json import (
    JsonObject,
    Quantity,
    as_object,
    as_objects,
    as_text,
    codings,
    concept_text,
    quantity,
)
from fhir_mappings.model import Evidence, LvefMeasurement, LvefSeries
from fhir_mappings.observations import (
    CodedObservation,
    ObservationsByConcept,
    format_number,
    observations_newest_first,
    value_quantity,
)
from fhir_mappings.resource_set import NoteBook
from fhir_mappings.terminology import CodeEntry, observation_codes, unit_factor

_NUMBER_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*%?\s*$")


def lvef_series(
    observations: ObservationsByConcept, regimen_start: datetime | None, notes: NoteBook
) -> LvefSeries:
    measurements = _lowest_first_among_ties(
        tuple(
            m for m in (_of_observation(o, notes) for o in _lvef_observations(observations)) if m
        ),
        notes,
    )
    baseline = None
    if regimen_start is not None:
        baseline = next(
            (m for m in measurements if m.when is not None and m.when <= regimen_start), None
        )
    return LvefSeries(measurements, baseline, regimen_start)


def _lowest_first_among_ties(
    measurements: tuple[LvefMeasurement, ...], notes: NoteBook
) -> tuple[LvefMeasurement, ...]:
    """Newest first as given; LVEFs recorded at the same time (an echo and a MUGA, or a report
    entered twice) lowest first, so the reading the rules judge never depends on the order the
    EHR listed them in, and a fall is not hidden behind a higher value of the same moment."""
    ordered = sorted(
        measurements,
        key=lambda m: (m.when is None, -m.when.timestamp() if m.when else 0.0, m.percent),
    )
    for newer, older in itertools.pairwise(ordered):
        if newer.when is not None and newer.when == older.when and newer.percent != older.percent:
            notes.add("Observation", "LVEFs recorded at the same time disagree: the lower is used")
    return tuple(ordered)


def lvef_percent(obs: CodedObservation, notes: NoteBook) -> float | None:
    """The value in percent; a fraction (0-1) times 100; None (noted) when it cannot be read."""
    amount = value_quantity(obs.resource)
    unit: str | None
    if amount is None:
        amount = _range_low(obs.resource)
        if amount is not None:
            notes.add("Observation", "LVEF reported as a range: the lower bound is used")
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


def _range_low(resource: JsonObject) -> Quantity | None:
    """The lower bound of a valueRange ("55-60 %"), read like the same range written as text.
    A range with no lower bound ("< 35 %") gives no value."""
    value_range = as_object(resource.get("valueRange"))
    return quantity(value_range.get("low")) if value_range is not None else None


def _lvef_observations(observations: ObservationsByConcept) -> tuple[CodedObservation, ...]:
    """LVEF Observations and LVEF panels, each resource once, newest first."""
    seen: dict[int, CodedObservation] = {}
    for obs in (*observations.get("lvef", ()), *observations.get("lvef-panel", ())):
        seen.setdefault(id(obs.resource), obs)
    return observations_newest_first(seen.values())


def _has_value(resource: JsonObject) -> bool:
    return any(key.startswith("value") for key in resource)


def _of_observation(obs: CodedObservation, notes: NoteBook) -> LvefMeasurement | None:
    """The top-level LVEF when it has a value, else the first readable LVEF component."""
    if obs.entry.concept == "lvef" and _has_value(obs.resource):
        return _measurement(obs, notes)
    found = [m for m in (_measurement(c, notes, obs) for c in _components(obs)) if m is not None]
    if len({m.percent for m in found}) > 1:
        notes.add("Observation", "LVEF components of one panel disagree: the first one is used")
    if found:
        return found[0]
    if obs.entry.concept == "lvef":
        notes.add("Observation", f"LVEF {obs.entry.code} without a numeric value; skipped")
    return None


def _components(obs: CodedObservation) -> list[CodedObservation]:
    """Each LVEF-coded component, as an observation of its own with the panel's status/date."""
    parts = []
    for component in as_objects(obs.resource.get("component")):
        entry = _lvef_entry(component)
        if entry is not None:
            parts.append(CodedObservation(component, entry, obs.when, obs.status))
    return parts


def _lvef_entry(component: JsonObject) -> CodeEntry | None:
    index = observation_codes()
    return next(
        (
            e
            for c in codings(component.get("code"))
            for e in index.lookup(c.system, c.code)
            if e.concept == "lvef"
        ),
        None,
    )


def _measurement(
    obs: CodedObservation, notes: NoteBook, panel: CodedObservation | None = None
) -> LvefMeasurement | None:
    percent = lvef_percent(obs, notes)
    if percent is None:
        return None
    whole = panel or obs  # a component's method, id and date are its panel's
    method = obs.entry.method or concept_text(whole.resource.get("method"))
    shown = f"{format_number(percent)} %"
    evidence = obs.evidence(shown)
    if panel is not None:
        name = concept_text(obs.resource.get("code")) or obs.entry.display
        study = concept_text(panel.resource.get("code")) or panel.entry.display
        evidence = Evidence(
            "Observation", panel.id, obs.entry.system_code, f"{name} (in {study})", obs.when, shown
        )
    return LvefMeasurement(
        percent=percent,
        when=obs.when,
        preliminary=obs.status == "preliminary",
        method=method,
        evidence=evidence,
    )
