"""Codes of the tests the safety cards suggest ordering (`cards/data/safety_codes.json`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.knowledge import load_table


@dataclass(frozen=True)
class OrderableCode:
    system: str
    code: str
    display: str
    verification: str


@cache
def orderable(name: str) -> OrderableCode:
    """`echocardiogram`, `hcg_serum`, `hcg_urine`, `her2_ish` or `her2_ihc`."""
    table = cast(Mapping[str, Any], load_table("safety_codes"))
    entry = table["codes"][name]
    return OrderableCode(
        system=str(entry["system"]),
        code=str(entry["code"]),
        display=str(entry["display"]),
        verification=str(entry["verification"]),
    )
