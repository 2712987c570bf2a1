"""Synthetic sample patients shipped with the service (no real person), for the demo page and
for loading into any FHIR R4 server (`her2-cds samples write|load`).

Each sample is one FHIR transaction Bundle in `data/`, dated as of the index's
`reference_date`; `bundle()` moves every date and dateTime by whole days so the reference date
becomes today: an LVEF taken "20 days ago" stays 20 days old whenever the samples are used.
`scripts/build_samples.py` writes the files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

JsonDict = dict[str, Any]

# FHIR date and dateTime values (YYYY-MM-DD, optionally with a time and zone).
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})((?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)")


@dataclass(frozen=True)
class Sample:
    id: str  # the Patient id
    file: str
    title: str
    story: str


class UnknownSample(LookupError):
    """No sample patient with this id."""


@cache
def _index() -> JsonDict:
    text = resources.files(__package__).joinpath("data/index.json").read_text(encoding="utf-8")
    data: JsonDict = json.loads(text)
    return data


def samples() -> tuple[Sample, ...]:
    """The sample patients in the order the demo lists them."""
    return tuple(Sample(**entry) for entry in _index()["samples"])


def find(sample_id: str) -> Sample:
    for sample in samples():
        if sample.id == sample_id:
            return sample
    raise UnknownSample(sample_id)


def reference_date() -> date:
    return datetime.fromisoformat(_index()["reference_date"]).date()


def _shift(value: Any, days: int) -> Any:
    if isinstance(value, dict):
        return {key: _shift(item, days) for key, item in value.items()}
    if isinstance(value, list):
        return [_shift(item, days) for item in value]
    if isinstance(value, str) and (match := _DATE.fullmatch(value)):
        moved = date.fromisoformat(match.group(1)) + timedelta(days=days)
        return moved.isoformat() + match.group(2)
    return value


@cache
def _raw(file: str) -> JsonDict:
    text = resources.files(__package__).joinpath(f"data/{file}").read_text(encoding="utf-8")
    data: JsonDict = json.loads(text)
    return data


def bundle(sample_id: str, *, today: date | None = None) -> JsonDict:
    """The sample's transaction Bundle with its dates moved so the reference date is `today`."""
    today = today or datetime.now(UTC).date()
    shifted: JsonDict = _shift(_raw(find(sample_id).file), (today - reference_date()).days)
    return shifted


def patient_resources(sample_id: str, *, today: date | None = None) -> list[JsonDict]:
    return [entry["resource"] for entry in bundle(sample_id, today=today)["entry"]]


def patient_name(patient: JsonDict) -> str:
    """'Given Family' of a sample Patient."""
    name = (patient.get("name") or [{}])[0]
    return " ".join([*name.get("given", []), name.get("family", "")]).strip()
