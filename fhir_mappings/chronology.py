"""Ordering facts in time, where an undated fact is never taken for a recent one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")


def newest_first(items: Iterable[T], when: Callable[[T], datetime | None]) -> list[T]:
    """Dated items newest first, then the undated ones in their original order."""
    listed = list(items)
    dated = [(moment, item) for item in listed if (moment := when(item)) is not None]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in dated] + [item for item in listed if when(item) is None]


def oldest_first(items: Iterable[T], when: Callable[[T], datetime | None]) -> list[T]:
    """Dated items oldest first (undated ones left out: they cannot be placed in time)."""
    dated = [(moment, item) for item in items if (moment := when(item)) is not None]
    dated.sort(key=lambda pair: pair[0])
    return [item for _, item in dated]


def earliest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def latest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None
