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
from cards import CardsConfig
from cds_service.hook_request import HookRequest
from cds_service.pipeline import run_hook
from cds_service.services import find_service
from fhir_mappings import MappingConfig

NOW = datetime(2026, 12, 4, tzinfo=UTC)
OURS = ("cards", "fhir_mappings")


def _call(service_id: str, body: dict[str, Any]) -> None:
    """The call through the service's one pipeline, as the endpoint runs it."""
    service = find_service(service_id)
    assert service is not None
    body["hook"] = service.hook.value
    result = run_hook(
        service,
        HookRequest.from_body(body),
        cards_config=CardsConfig(),
        client_factory=None,
        mapping_config=MappingConfig(),
        now=lambda: NOW,
    )
    assert result.evaluation.rule_errors == ()


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
    ("service_id", "scenario"),
    [
        (corpus.ORDER_SELECT, "typical"),
        (corpus.ORDER_SELECT, "suggestions"),
        (corpus.PATIENT_VIEW, "typical"),
    ],
)
def test_a_call_leaves_no_cycle_of_facts_or_rule_objects(
    service_id: str, scenario: str, saving_cyclic_garbage: None
) -> None:
    _call(service_id, corpus.SCENARIOS[scenario][1]())
    gc.collect()
    ours = sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith(OURS)})
    assert ours == []
