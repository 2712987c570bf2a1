"""The label sections and guidelines the safety cards cite (`cards/data/safety_sources.json`).

A card's first citation becomes its `source`, so the URL a clinician clicks is the label
table or guideline the rule implements, kept with its verification mark in data.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from cards.findings import Citation
from cards.knowledge import KnowledgeError, load_table


@cache
def _sources() -> Mapping[str, Mapping[str, str]]:
    table = cast(Mapping[str, Any], load_table("safety_sources"))
    return cast(Mapping[str, Mapping[str, str]], table["sources"])


def source_ids() -> frozenset[str]:
    return frozenset(_sources())


def cite(source_id: str, rule: str, topic: str) -> Citation:
    """The citation of `source_id`, labelled with the rule id and topic of the card."""
    try:
        entry = _sources()[source_id]
    except KeyError as exc:
        raise KnowledgeError(f"safety_sources.json has no source {source_id!r}") from exc
    return Citation(label=entry["label"], url=entry["url"], topic_code=rule, topic_display=topic)
