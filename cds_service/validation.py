"""CDS Hooks JSON Schemas (kept in `cds_service/schemas/`), loaded once, applied at the edge."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from cds_service.errors import ApiError

_MAX_REPORTED_ERRORS = 5


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The validator for `request`, `response`, `discovery` or `feedback`."""
    text = resources.files("cds_service").joinpath(f"schemas/{name}.schema.json").read_text()
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


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
