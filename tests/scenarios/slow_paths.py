"""The service's slow paths, for checking that its fast ones answer the same.

`slow_paths()` puts back, for the duration of a `with` block, what the speed work (issue 14)
took off the request path: the facts built and the rules run for every call, even one that
names no drug (the screen in `cards.engine.answer`); the R4B check of every resource a fact
reads, run at once where the resource is read; every suggested resource built through its
`fhir.resources` R4B model (`model_validate` + `model_dump`, which also proves it valid); and
every cache of terminology and drug look-ups emptied first. `tests/scenarios/harness.py` runs
each scenario both ways and compares the cards byte for byte, uuids aside.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from cards import engine, suggestions
from cards.regimens import orders
from cards.safety import suggested_orders
from fhir_mappings import (
    conditions,
    demographics,
    fhir_json,
    medications,
    observations,
    resource_set,
    terminology,
    therapy,
)

_MODELS: dict[str, Any] = {
    "MedicationRequest": MedicationRequest,
    "ServiceRequest": ServiceRequest,
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# functools caches of the request path, emptied first
CACHED: list[Any] = [
    medications.drugs_named,
    medications.route_named,
    medications._identify,
    fhir_json._parse_text,
    terminology.observation_codes,  # a fresh index: its remembered look-ups go too
    terminology.condition_codes,
    terminology.answer_codes,
]


def through_r4b_model(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as its R4B model validates and dumps it (raises when it is not valid)."""
    model = _MODELS[resource["resourceType"]].model_validate(resource)
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped


def _eager_check(resource: dict[str, Any], notes: resource_set.NoteBook) -> None:
    for rtype, message in resource_set.conformance_notes(resource):
        notes.add(rtype, message)


def _via_model(build: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def built(**kwargs: Any) -> dict[str, Any]:
        return through_r4b_model(build(**kwargs))

    return built


@contextlib.contextmanager
def slow_paths() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for module in (observations, conditions, demographics, therapy):
            patch.setattr(module, "read_leniently", _eager_check)
        patch.setattr(orders, "medication_request", _via_model(suggestions.medication_request))
        patch.setattr(suggested_orders, "service_request", _via_model(suggestions.service_request))
        patch.setattr(engine, "call_names_a_drug", lambda *_: True)  # facts built for every call
        for cached in CACHED:
            cached.cache_clear()  # type: ignore[attr-defined]
        yield


def without_uuids(cards: list[dict[str, Any]]) -> str:
    """The cards as the service sends them (key order kept), uuids blanked."""
    return _UUID.sub("<uuid>", json.dumps(cards, ensure_ascii=False))


def suggested_resources(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        action["resource"]
        for card in cards
        for suggestion in card.get("suggestions", ())
        for action in suggestion["actions"]
        if "resource" in action
    ]
