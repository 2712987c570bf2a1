"""Reading the few FHIR R4 datatypes the facts need from raw JSON, without trusting its shape.

Every function here is total: whatever JSON it is given (a list where an object belongs, a number
as a string, nothing at all), it returns a value or None and never raises. This is what lets a
sloppy client's resource be read after strict R4B validation has rejected it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

JsonObject = Mapping[str, Any]


class Coding(NamedTuple):
    """One coding (a named tuple: made thousands of times per large request, and a frozen
    dataclass's `__init__` costs several times a tuple's)."""

    system: str | None
    code: str | None
    display: str | None

    @property
    def system_code(self) -> str | None:
        if self.system and self.code:
            return f"{self.system}|{self.code}"
        return None


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None  # the human-readable unit as written
    code: str | None  # the UCUM code, when given
    comparator: str | None = None

    @property
    def spelling(self) -> str | None:
        """The unit as a reader would quote it: the written unit, else the code."""
        return self.unit or self.code


_JSON_NON_OBJECTS = frozenset({str, list, int, float, bool, type(None)})


def _is_object(value: object) -> bool:
    """A JSON object: parsed JSON is dicts, checked first because the abstract `Mapping` check
    costs several times more on paths that run thousands of times per request; other mappings
    (a read-only view of the request) still count."""
    kind = type(value)
    return kind is dict or (kind not in _JSON_NON_OBJECTS and isinstance(value, Mapping))


def as_object(value: object) -> JsonObject | None:
    return value if _is_object(value) else None  # type: ignore[return-value]


def as_objects(value: object) -> tuple[JsonObject, ...]:
    """A list of objects; a lone object counts as a list of one (sandbox `category`, §3)."""
    if _is_object(value):
        return (value,)  # type: ignore[return-value]
    if isinstance(value, list):
        return tuple([item for item in value if _is_object(item)])
    return ()


def as_text(value: object) -> str | None:
    if type(value) is str:
        stripped = value.strip()
        return stripped or None
    return None


def as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if number == number and abs(number) != float("inf") else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


_READ_ONCE: ContextVar[dict[int, tuple[object, tuple[Coding, ...]]] | None] = ContextVar(
    "codings_read", default=None
)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block, each concept's codings are read once: the facts and the rules read
    the same `code` of the same resource many times in one request. The JSON read inside the
    block must not change while it runs (the request's JSON never does); each memo entry holds
    its concept, so an id cannot be reused while the block lasts."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def codings(concept: object) -> tuple[Coding, ...]:
    """The codings of a CodeableConcept (or of a list of them, or of a bare Coding)."""
    memo = _READ_ONCE.get()
    if memo is None:
        return _read_codings(concept)
    seen = memo.get(id(concept))
    if seen is not None and seen[0] is concept:
        return seen[1]
    found = _read_codings(concept)
    memo[id(concept)] = (concept, found)
    return found


def _read_codings(concept: object) -> tuple[Coding, ...]:
    found: list[Coding] = []
    for cc in (concept,) if type(concept) is dict else as_objects(concept):
        items = as_objects(cc["coding"]) if "coding" in cc else (cc,)
        for item in items:
            get = item.get
            system, code = as_text(get("system")), as_text(get("code"))
            display = as_text(get("display"))
            if system or code or display:
                found.append(Coding(system, code, display))
    return tuple(found)


def concept_text(concept: object) -> str | None:
    """What a person would read: the concept's text, else its first display."""
    for cc in as_objects(concept):
        text = as_text(cc.get("text"))
        if text:
            return text
    for coding in codings(concept):
        if coding.display:
            return coding.display
    return None


def concept_words(concept: object) -> str:
    """Text and every display joined, for word matching."""
    parts: list[str] = []
    for cc in as_objects(concept):
        text = as_text(cc.get("text"))
        if text:
            parts.append(text)
    parts.extend(c.display for c in codings(concept) if c.display)
    return " | ".join(parts)


def quantity(value: object) -> Quantity | None:
    obj = as_object(value)
    if obj is None:
        return None
    number = as_number(obj.get("value"))
    if number is None:
        return None
    return Quantity(
        number, as_text(obj.get("unit")), as_text(obj.get("code")), as_text(obj.get("comparator"))
    )


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_datetime(value: object) -> datetime | None:
    """A FHIR date/dateTime/instant as an aware UTC datetime (partial dates: first moment)."""
    text = as_text(value)
    return None if text is None else _parse_text(text)


@lru_cache(maxsize=4096)  # a record repeats its dates (a panel's members, a course's days)
def _parse_text(text: str) -> datetime | None:
    match = _DATE.match(text)
    try:
        if match:
            year, month, day = match.groups()
            return datetime(int(year), int(month or 1), int(day or 1), tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def period(value: object) -> tuple[datetime | None, datetime | None]:
    obj = as_object(value)
    if obj is None:
        return None, None
    return parse_datetime(obj.get("start")), parse_datetime(obj.get("end"))


def effective_time(resource: JsonObject) -> datetime | None:
    """When an Observation applies: effective[x], else when it was issued."""
    for key in ("effectiveDateTime", "effectiveInstant"):
        when = parse_datetime(resource.get(key))
        if when is not None:
            return when
    start, end = period(resource.get("effectivePeriod"))
    return start or end or parse_datetime(resource.get("issued"))


def reference_text(value: object) -> str | None:
    obj = as_object(value)
    return as_text(obj.get("reference")) if obj is not None else None


def reference_display(value: object) -> str | None:
    obj = as_object(value)
    return as_text(obj.get("display")) if obj is not None else None


def status_code(resource: JsonObject, key: str = "status") -> str | None:
    """A status as lower-case code; a CodeableConcept status (Condition) by its first code."""
    raw = resource.get(key)
    text = as_text(raw)
    if text is not None:
        return text.lower()
    for coding in codings(raw):
        if coding.code:
            return coding.code.lower()
    return None
