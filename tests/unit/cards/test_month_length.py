"""One month length (UCUM's `mo`, 365.25 / 12 days) for the mapping's arithmetic and the cards'
wording: a timing period of "1 mo", the months from adjuvant end to recurrence and "3 months"
on a card all count the same days."""

from __future__ import annotations

import pytest

from cards.phrasing import interval
from fhir_mappings import DAYS_PER_MONTH, DAYS_PER_YEAR


def test_the_month_is_ucums() -> None:
    assert DAYS_PER_YEAR == 365.25
    assert DAYS_PER_MONTH == 30.4375 == DAYS_PER_YEAR / 12


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (28, "4 weeks"),
        (84, "12 weeks"),
        (90, "3 months"),
        (91, "3 months"),
        (92, "3 months"),
        (183, "6 months"),
        (214, "7 months"),
        (241, "8 months"),  # 7.92 months: within the 2.5 days' tolerance of 8
        (100, "100 days"),
        (365, "12 months"),
    ],
)
def test_monitoring_intervals_are_worded_with_that_month(days: float, words: str) -> None:
    assert interval(days) == words
