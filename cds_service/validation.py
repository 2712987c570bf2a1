"""CDS Hooks JSON Schemas (kept in `cds_service/schemas/`), loaded once, applied at the edge.

Two validators per schema, one answer: a request is accepted when the schema compiled to Python
by `fastjsonschema` accepts it (about 30 times cheaper than interpreting the schema on every
call); anything it refuses goes to `jsonschema`, which decides and words the 400. A property
test (tests/service/test_request_validation_equivalence.py) checks both give the same answer on
generated and mutated requests.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
import jsonschema

from cds_service.errors import ApiError

_MAX_REPORTED_ERRORS = 5


def _schema(name: str) -> dict[str, Any]:
    text = resources.files("cds_service").joinpath(f"schemas/{name}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The validator for `request`, `response`, `discovery` or `feedback`."""
    schema = _schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _as_draft7(node: Any) -> Any:
    """The same schema in draft-07 words, the newest draft fastjsonschema compiles: the
    2020-12 `dependentRequired` is draft-07's array form of `dependencies`; `$defs` is only a
    place `$ref` points to and needs no change. `$schema`/`$id` go (no remote resolution)."""
    if isinstance(node, list):
        return [_as_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _as_draft7(v) for k, v in node.items() if k not in ("$schema", "$id")}
    if "dependentRequired" in converted:
        converted["dependencies"] = converted.pop("dependentRequired")
    return converted


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with each local `{"$ref": "#/$defs/x"}` replaced by `x` itself (the schemas
    have no recursive definitions; `$defs` stays, for a `$ref` whose sibling keys keep it).
    The compiled code calls a function per `$ref`, naming the place with
    `str.format(**locals())` before it knows of any error: ~3 us for each prefetch value, a
    third of a request's validation."""
    if isinstance(node, list):
        return [_inlined(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        rest = {k: v for k, v in node.items() if k != "$ref"}
        target = _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {**target, **_inlined(rest, defs)} if not rest.keys() & target.keys() else node
    return {k: _inlined(v, defs) for k, v in node.items()}


@cache
def fast_validator(name: str) -> Callable[[Any], Any]:
    """The schema compiled to Python: raises `JsonSchemaException` on a document it refuses.
    Used only to accept; see the module docstring."""
    schema = copy.deepcopy(_schema(name))
    draft7 = _as_draft7(_inlined(schema, schema.get("$defs", {})))
    draft7["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(draft7)


_FAST = frozenset({"request"})  # the hot path; the others are rare and stay interpreted


def accepts_fast(name: str, document: Any) -> bool:
    if name not in _FAST:
        return False
    try:
        fast_validator(name)(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _where(error: jsonschema.ValidationError) -> str:
    steps = list(error.absolute_path)
    if error.validator == "required":  # name the missing member itself
        missing = error.message.split(" is a required property")[0].strip("'\"")
        steps.append(missing)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in steps)
    return path.lstrip(".") or "(body)"


def _describe(error: jsonschema.ValidationError) -> str:
    """What is wrong, without echoing long values back."""
    if error.validator == "required":
        return "is required"
    if error.validator in {"type", "enum", "const", "pattern", "minLength", "maxLength"}:
        expected = {
            "type": f"must be of type {error.validator_value}",
            "enum": f"must be one of {error.validator_value}",
            "const": f"must be {error.validator_value!r}",
            "pattern": "has an invalid format",
            "minLength": "must not be empty",
            "maxLength": "is too long",
        }[str(error.validator)]
        return expected
    if error.validator == "dependentRequired":
        return str(error.message)
    return "is invalid"


def check(name: str, document: Any) -> None:
    """Raise a 400 naming the first few problems (path and what is wrong)."""
    if accepts_fast(name, document):
        return
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    reported = errors[:_MAX_REPORTED_ERRORS]
    messages = [f"{_where(e)} {_describe(e)}" for e in reported]
    raise ApiError(
        400,
        "The request is not a valid CDS Hooks 2.0 request: " + "; ".join(messages) + ".",
        expression=[_where(e) for e in reported],
    )
