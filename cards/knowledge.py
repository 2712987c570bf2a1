"""Clinical knowledge tables: loaded from `cards/data/*.json`, validated, versioned.

A clinical informaticist reviews or changes a regimen, a dose or a threshold in the data
files, never in Python. Each table is validated against its JSON Schema in
`cards/schemas/` when first loaded; a broken table stops the service at start-up rather
than producing a wrong card later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast

import jsonschema

from cards.findings import OverrideReason
from cards.identifiers import Identifiers
from fhir_mappings import KNOWLEDGE_VERSION as TERMINOLOGY_VERSION


class KnowledgeError(ValueError):
    """A knowledge table or an institutional override does not validate."""


def _read_json(package_path: str) -> Any:
    text = resources.files("cards").joinpath(package_path).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def load_table(name: str) -> Any:
    """The validated contents of `cards/data/<name>.json` (schema `<name>.schema.json`)."""
    data = _read_json(f"data/{name}.json")
    schema = _read_json(f"schemas/{name}.schema.json")
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        raise KnowledgeError(f"cards/data/{name}.json: {exc.message}") from exc
    return data


def load_all_tables() -> tuple[str, ...]:
    """Load and validate every table in `cards/data/` now (the service calls this at start-up,
    so a broken table stops it there rather than failing a request later)."""
    names = sorted(
        entry.name.removesuffix(".json")
        for entry in resources.files("cards").joinpath("data").iterdir()
        if entry.name.endswith(".json")
    )
    for name in names:
        load_table(name)
    default_thresholds()
    from cards.sources import all_sources  # imported here: cards.sources builds on this module

    all_sources()  # ids and aliases unique, each DOI matching its URL
    from cards.rules import check_registry  # imported here: the rules build on this module

    check_registry()  # every registered rule has its function, and every function its row
    return tuple(names)


@cache
def knowledge_version() -> str:
    """One string for discovery and every card: the rules' edition and the terminology's."""
    manifest = cast(Mapping[str, Any], load_table("manifest"))
    return f"{manifest['version']}+{TERMINOLOGY_VERSION}"


@dataclass(frozen=True)
class Threshold:
    id: str
    value: float
    unit: str
    description: str
    source: str
    verification: str  # a mark of cards/data/verification_marks.json


THRESHOLD_TABLES = ("dosing_thresholds", "safety_thresholds")


@cache
def default_thresholds() -> Mapping[str, Threshold]:
    """Every configurable number, from the threshold tables (each validated on load)."""
    merged: dict[str, Threshold] = {}
    for name in THRESHOLD_TABLES:
        table = cast(Mapping[str, Any], load_table(name))
        for key, entry in table["thresholds"].items():
            if key in merged:
                raise KnowledgeError(f"threshold {key!r} is defined twice")
            merged[key] = Threshold(
                id=key,
                value=float(entry["value"]),
                unit=str(entry["unit"]),
                description=str(entry["description"]),
                source=str(entry["source"]),
                verification=str(entry["verification"]),
            )
    return merged


@dataclass(frozen=True)
class CardsConfig:
    """Institution-level settings of the rules. Built once by the service at start-up."""

    threshold_overrides: Mapping[str, float] = field(default_factory=dict)
    max_cards: int = 6  # "a handful of cards per call": info cards fill up to it; alerts never cut
    identifiers: Identifiers = field(default_factory=Identifiers)  # the code systems we write

    def __post_init__(self) -> None:
        unknown = set(self.threshold_overrides) - set(default_thresholds())
        if unknown:
            raise KnowledgeError(f"unknown threshold override(s): {', '.join(sorted(unknown))}")

    def threshold(self, key: str) -> float:
        """The institution's value of a threshold, or the knowledge table's default."""
        if key in self.threshold_overrides:
            return float(self.threshold_overrides[key])
        return default_thresholds()[key].value


@cache
def override_reasons(set_name: str) -> tuple[OverrideReason, ...]:
    """The override reasons (each with a display, as the spec requires) of a named set."""
    table = cast(Mapping[str, Any], load_table("override_reasons"))
    reasons = table["reasons"]
    try:
        codes = table["sets"][set_name]
    except KeyError as exc:
        raise KnowledgeError(f"no override-reason set {set_name!r}") from exc
    missing = [code for code in codes if code not in reasons]
    if missing:
        raise KnowledgeError(f"override-reason set {set_name!r} names unknown {missing}")
    return tuple(
        OverrideReason(code=code, display=reasons[code], system=table["system"]) for code in codes
    )
