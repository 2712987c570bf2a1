"""Hepatic impairment as the TKI labels grade it: a recorded Child-Pugh class, and liver disease
on file (which alone does not say how severe it is).

A class is read from a Child-Pugh Condition finding (class A/B/C codes) or a Child-Pugh
Observation whose value is a class code, a class letter in text, or a score (5-6 A, 7-9 B,
10-15 C), all per `data/labs.json`. The newest dated one wins. The class is never computed from
laboratory values: ascites and encephalopathy are not in the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from fhir_mappings.chronology import newest_first
from fhir_mappings.conditions import ConditionsByConcept
from fhir_mappings.fhir_json import JsonObject
from fhir_mappings.model import ChildPugh, Evidence
from fhir_mappings.observations import (
    ObservationsByConcept,
    value_codings,
    value_quantity,
    value_text,
)
from fhir_mappings.terminology import load_table

_LETTER = re.compile(r"(?:^|child[- ]?pugh|class)\s*(?:class\s*)?([abc])\s*$", re.IGNORECASE)


def child_pugh(
    observations: ObservationsByConcept, conditions: ConditionsByConcept
) -> ChildPugh | None:
    found: list[ChildPugh] = []
    for concept, letter in (("child-pugh-c", "C"), ("child-pugh-a-b", None)):
        for condition in conditions.get(concept, ()):
            if condition.ended:
                continue
            cls = letter or _class_of_codes(c.code for c in condition.codings)
            if cls is not None:
                found.append(ChildPugh(cls, condition.when, condition.evidence(concept)))
    for obs in observations.get("child-pugh", ()):
        cls = _class_of_observation(obs.resource)
        if cls is not None:
            found.append(ChildPugh(cls, obs.when, obs.evidence(f"class {cls}")))
    ordered = newest_first(found, lambda f: f.when)
    return ordered[0] if ordered else None


def liver_disease(conditions: ConditionsByConcept) -> tuple[Evidence, ...]:
    return tuple(
        c.evidence("hepatic-impairment")
        for c in conditions.get("hepatic-impairment", ())
        if not c.ended
    )


def _classes() -> Mapping[str, Any]:
    table: Mapping[str, Any] = load_table("labs")["child_pugh_classes"]
    return table


def _class_of_codes(codes: Iterable[str | None]) -> str | None:
    by_code = {str(code): str(letter) for letter, code in _classes()["codes"].items()}
    return next((by_code[c] for c in codes if c is not None and c in by_code), None)


def _class_of_observation(resource: JsonObject) -> str | None:
    cls = _class_of_codes(c.code for c in value_codings(resource))
    if cls is not None:
        return cls
    text = value_text(resource)
    if text:
        match = _LETTER.search(text.strip())
        if match:
            return match.group(1).upper()
    score = value_quantity(resource)
    if score is not None:
        for letter, (low, high) in _classes()["score_bands"].items():
            if low <= score.value <= high:
                return str(letter)
    return None
