"""Dose rounding as a pharmacist writes it: half up, not Python's half-to-even."""

from __future__ import annotations

import pytest

from cards.suggestions import format_mg


@pytest.mark.parametrize(
    ("mg", "written"),
    [
        (1342.5, "1343"),  # capecitabine 750 mg/m2 x 1.79 m2; round() would give 1342
        (1341.5, "1342"),
        (133.6, "134"),
        (560.0, "560"),
        (2.45, "2.5"),
        (9.94, "9.9"),
    ],
)
def test_doses_round_half_up(mg: float, written: str) -> None:
    assert format_mg(mg) == written
