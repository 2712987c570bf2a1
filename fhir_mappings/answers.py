"""What a coded or written result means: positive, negative, an IHC score, a pregnancy answer.

§5.2's parser rule in one place: LOINC LA answer codes and SNOMED qualifiers first, then
`interpretation` codes, then the words of the value. Numbers and comparisons in text
("greater than 2.2") are read by the facts that know what the number is.
"""

from __future__ import annotations

from collections.abc import Iterable

from fhir_mappings.fhir_json import Coding, JsonObject
from fhir_mappings.observations import interpretation_codings, value_codings, value_text
from fhir_mappings.terminology import answer_codes, meaning_of_text

RESULT_MEANINGS = ("positive", "negative", "equivocal", "indeterminate", "low-positive")


def coded_meaning(items: Iterable[Coding], allowed: Iterable[str]) -> tuple[str, Coding] | None:
    """The first coding (LOINC LA codes before SNOMED) whose table meaning is allowed."""
    wanted = set(allowed)
    hits: list[tuple[int, str, Coding]] = []
    for coding in items:
        for entry in answer_codes().lookup(coding.system, coding.code):
            if entry.concept in wanted:
                rank = 0 if entry.code.upper().startswith("LA") else 1
                hits.append((rank, entry.concept, coding))
    if not hits:
        return None
    hits.sort(key=lambda h: h[0])
    return hits[0][1], hits[0][2]


def result_meaning(resource: JsonObject, allowed: Iterable[str] = RESULT_MEANINGS) -> str | None:
    """The meaning of an Observation's result by §5.2 priority, or None."""
    allowed = tuple(allowed)
    found = coded_meaning(value_codings(resource), allowed)
    if found is not None:
        return found[0]
    found = coded_meaning(interpretation_codings(resource), allowed)
    if found is not None:
        return found[0]
    return meaning_of_text(value_text(resource), allowed)
