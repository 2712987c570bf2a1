"""Run one hook over FHIR JSON through the real mapping and rules; validate what comes out
(the response schema, and primary sources only on every card)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from cards import CardsConfig, DataGap, Hook, answer
from cards.rules import registry
from fhir_mappings import build_patient_facts, reading_once
from tests.scenarios.drugs_unknown import with_drugs_unknown
from tests.scenarios.fhir_builders import PATIENT_ID
from tests.scenarios.slow_paths import (
    slow_paths,
    suggested_resources,
    through_r4b_model,
    without_uuids,
)
from tests.support.card_language import language_problems
from tests.support.card_sources import source_problems


@cache
def response_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("cds_service").joinpath("schemas/response.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def run_hook(
    hook: str,
    resources_: Sequence[dict[str, Any]],
    *,
    now: datetime,
    draft_orders: dict[str, Any] | None = None,
    selections: Sequence[str] = (),
    gaps: Sequence[DataGap] = (),
    config: CardsConfig | None = None,
) -> list[dict[str, Any]]:
    """The cards the service would answer with, checked against the response schema; the
    same cards byte for byte (uuids aside) from the slow paths (`slow_paths.py`, which also
    read every concept afresh, outside `reading_once`); every
    suggested resource valid R4B, written exactly as its R4B model would write it.

    And the same call with the drugs that name its drug made unknown (`drugs_unknown.py`: the
    drafts on an order hook, the record's on patient-view): no rule registered as needing a
    drug on this hook (`needs_a_drug`) has a card, and the fast paths, which answer such a call
    without building the facts, agree with the slow ones."""
    call = _Call(hook, resources_, now, draft_orders, selections, tuple(gaps), config)
    cards = _both_ways(call)
    for resource in suggested_resources(cards):
        assert json.dumps(resource) == json.dumps(through_r4b_model(resource))
    list(build_patient_facts(resources_, now=now).data_quality)  # R4B checks never raise
    unknown, unknown_drafts = with_drugs_unknown(resources_, draft_orders, hook=hook)
    without = _both_ways(replace(call, resources=unknown, draft_orders=unknown_drafts))
    needing = {row.id for row in registry() if Hook(hook) in row.needs_a_drug}
    assert [c for c in without if c["source"]["topic"]["code"] in needing] == []
    return cards


@dataclass(frozen=True)
class _Call:
    hook: str
    resources: Sequence[dict[str, Any]]
    now: datetime
    draft_orders: dict[str, Any] | None
    selections: Sequence[str]
    gaps: tuple[DataGap, ...]
    config: CardsConfig | None


def _both_ways(call: _Call) -> list[dict[str, Any]]:
    with reading_once():  # as the service runs it
        cards = _cards(call)
    with slow_paths():
        slow = _cards(call)
    assert without_uuids(cards) == without_uuids(slow)
    return cards


def _cards(call: _Call) -> list[dict[str, Any]]:
    evaluation = answer(
        Hook(call.hook),
        patient_id=PATIENT_ID,
        resources=call.resources,
        draft_orders=call.draft_orders,
        selections=call.selections,
        gaps=call.gaps,
        now=call.now,
        cards_config=call.config or CardsConfig(),
    )
    assert evaluation.rule_errors == (), evaluation.rule_errors
    response = {"cards": evaluation.cards}
    response_validator().validate(response)
    # every card of the corpus cites primary sources only, as links outside the EHR's frame
    assert source_problems(evaluation.cards) == []
    # and speaks a clinician's language: no table vocabulary, no machine phrasing
    assert language_problems(evaluation.cards) == []
    return evaluation.cards
