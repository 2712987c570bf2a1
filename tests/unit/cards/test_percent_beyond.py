"""A difference beyond a limit is never written as the limit (pharmacist review finding 4)."""

from __future__ import annotations

import pytest

from cards.phrasing import percent_beyond


@pytest.mark.parametrize(
    ("value", "limit", "digits", "shown"),
    [
        (10.4, 10, 0, "10.4"),  # "10 %" would read as within a ±10 % tolerance
        (12.3, 10, 0, "12"),
        (5.03, 5, 1, "5.03"),
        (8.0, 5, 1, "8"),
        (7.14, 5, 1, "7.1"),
        (3.2, 5, 1, "3.2"),  # within the limit: as usual
        (10.0, 10, 0, "10"),  # exactly at the limit is not beyond it
    ],
)
def test_percent_beyond(value: float, limit: float, digits: int, shown: str) -> None:
    assert percent_beyond(value, limit, digits=digits) == shown
