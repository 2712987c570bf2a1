"""The compiled request validator (fastjsonschema, the accept path) and jsonschema (which words
the 400) give the same accept/reject answer, on generated documents and on valid requests with
one or more parts mutated, deleted or swapped for values chosen to sit on the schema's edges."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import corpus
from cds_service.validation import accepts_fast, validator
from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.service.test_fuzz import _mutate, _paths, json_values

ROOT = Path(__file__).resolve().parents[2]

EDGES = st.sampled_from(
    [
        None, True, False, 0, 1, 1.0, 1.5, -1, "", "a", " ", "x" * 257, "x" * 16385,
        "Bundle", "bundle", "Patient", "order-select", "order-sign", "patient-view",
        "Bearer", "bearer", "BEARER", "Bearer ", "Basic", "pat-1", "pat 1", "pat/1", "é",
        "http://fhir.example.org/r4", "https://fhir.example.org/r4", "https://a b",
        "ftp://x", "https://x\n", "pat-1\n", [], [""], ["x"], {}, {"resourceType": "Bundle"},
        {"resourceType": "Patient"}, {"resourceType": ""}, {"resourceType": 1},
        {"resourceType": "Bundle", "entry": {}}, {"resourceType": "Bundle", "entry": [1]},
        {"resourceType": "Bundle", "entry": [{"resource": {}}]}, {"resource": {}},
        {"access_token": "t", "token_type": "Bearer"}, {"access_token": "", "token_type": "x"},
    ]
)  # fmt: skip
VALUES = EDGES | json_values


def _seeds() -> list[dict[str, Any]]:
    seeds = []
    for hook in SERVICE_IDS:
        seeds.append(hook_request(hook, prefetch=full_prefetch()))
        seeds.append(
            hook_request(hook, prefetch=None, fhir_server="https://ehr.example.org/r4", token="t")
        )
    seeds += [corpus.typical(), corpus.with_suggestions(), corpus.unconcerned()]
    seeds.append(corpus.fallback("https://ehr.example.org/r4", "tok"))
    seeds.append(json.loads((ROOT / "examples/order-select-her2-mbc.json").read_text()))
    return seeds


SEEDS = _seeds()
PROPERTY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same_answer(name: str, document: Any) -> None:
    slow = not any(True for _ in validator(name).iter_errors(document))
    assert accepts_fast(name, document) is slow, (slow, json.dumps(document)[:2000])


def test_a_trailing_newline_is_refused_by_both() -> None:
    """Python's `$` matches before a final newline; the schema's patterns rule it out."""
    for field, value in (("patientId", "pat-1\n"), ("patientId", "pat-1")):
        body = hook_request("patient-view", prefetch=full_prefetch())
        body["context"][field] = value
        same_answer("request", body)
        assert accepts_fast("request", body) is not value.endswith("\n")


def test_every_seed_is_a_valid_request() -> None:
    for seed in SEEDS:
        assert accepts_fast("request", seed)
        same_answer("request", seed)


@PROPERTY
@given(document=json_values)
def test_generated_documents(document: Any) -> None:
    same_answer("request", document)


@PROPERTY
@given(
    seed=st.sampled_from(SEEDS),
    data=st.data(),
    changes=st.lists(st.tuples(VALUES, st.booleans()), min_size=1, max_size=3),
)
def test_mutated_requests(seed: dict[str, Any], data: st.DataObject, changes: list) -> None:
    body = copy.deepcopy(seed)
    for new, delete in changes:
        paths = _paths(body)
        if not paths:
            break
        _mutate(body, data.draw(st.sampled_from(paths)), copy.deepcopy(new), delete)
    same_answer("request", body)


@PROPERTY
@given(
    fields=st.dictionaries(
        st.sampled_from(["hook", "hookInstance", "fhirServer", "fhirAuthorization", "context",
                         "prefetch", "extension"]),
        VALUES,
    ),
    context=st.dictionaries(
        st.sampled_from(["patientId", "userId", "encounterId", "selections", "draftOrders"]),
        VALUES,
    ),
)  # fmt: skip
def test_requests_assembled_from_edge_values(fields: dict[str, Any], context: dict) -> None:
    same_answer("request", {**fields, "context": context})
    same_answer("request", fields)
