"""A hook call leaves no reference cycle among the facts and the rules' objects: freed as soon
as the call ends, not when the cyclic collector next runs. (A cycle through the rules' shared
per-call results kept the whole facts graph alive, and the collections it caused ran in the
middle of later requests over every live object.)"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from benchmarks import corpus
from cards import CardsConfig, Hook, answer
from cds_service.prefetch import resolve_prefetch
from cds_service.services import prefetch_keys
from fhir_mappings import reading_once

NOW = datetime(2026, 12, 4, tzinfo=UTC)
OURS = ("cards", "fhir_mappings")


def _call(hook: Hook, body: dict[str, Any]) -> None:
    context = body["context"]
    data = resolve_prefetch(
        prefetch_keys(), context=context, prefetch=body["prefetch"], client_factory=None
    )
    with reading_once():
        evaluation = answer(
            hook,
            patient_id=context["patientId"],
            resources=data.resources,
            draft_orders=context.get("draftOrders"),
            selections=context.get("selections", ()),
            gaps=data.gaps,
            now=NOW,
            cards_config=CardsConfig(),
        )
    assert evaluation.rule_errors == ()


@pytest.fixture
def saving_cyclic_garbage() -> Iterator[None]:
    """The collector off, and what only it could free kept in `gc.garbage` when it runs."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize(
    ("hook", "scenario"),
    [
        (Hook.ORDER_SELECT, "typical"),
        (Hook.ORDER_SELECT, "suggestions"),
        (Hook.PATIENT_VIEW, "typical"),
    ],
)
def test_a_call_leaves_no_cycle_of_facts_or_rule_objects(
    hook: Hook, scenario: str, saving_cyclic_garbage: None
) -> None:
    _service, make = corpus.SCENARIOS[scenario]
    _call(hook, make())
    gc.collect()
    ours = sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith(OURS)})
    assert ours == []
