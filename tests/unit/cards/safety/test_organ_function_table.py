"""The organ-function table (cards/data/safety_labs.json) is consistent: known drugs, panels,
sources and order codes; only verified or corroborated rows may be critical; bounds are sane."""

from __future__ import annotations

from typing import Any

import pytest

from cards.findings import Indicator
from cards.knowledge import KnowledgeError
from cards.safety import lab_table
from cards.safety.lab_table import criteria, lab_drugs, load_lab_tables, panels


def test_the_table_loads_and_names_only_known_things() -> None:
    load_lab_tables()
    assert set(lab_drugs()) == {
        "ado-trastuzumab-emtansine",
        "fam-trastuzumab-deruxtecan",
        "capecitabine",
        "tucatinib",
        "neratinib",
        "lapatinib",
    }
    assert {p.order for p in panels().values()} <= {
        "hepatic_function_panel",
        "cbc_with_differential",
        "creatinine_serum",
    }


def test_only_checked_label_rows_are_critical() -> None:
    for row in criteria():
        if row.indicator is Indicator.CRITICAL:
            assert row.verification in {"verified", "corroborated"}, row.id


def test_every_bound_has_a_number_and_lower_bounds_sit_below_upper_ones() -> None:
    for row in criteria():
        for bound in row.when:
            lows = [b for b in (bound.above, bound.at_least) if b is not None]
            highs = [b for b in (bound.at_most, bound.below) if b is not None]
            assert lows or highs, row.id
            assert all(lo < hi for lo in lows for hi in highs), row.id


def test_rows_are_most_severe_first() -> None:
    ranks = [row.rank for row in criteria()]
    assert ranks == sorted(ranks, reverse=True)


def test_an_unverified_critical_row_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    raw: dict[str, Any] = {
        "id": "x",
        "drug": "capecitabine",
        "setting": "any",
        "when": [{"measure": "platelets", "below": 50}],
        "grade": "g",
        "action": "withhold",
        "indicator": "critical",
        "instruction": "i",
        "source": "capecitabine-renal",
        "verification": "unverified",
    }
    with pytest.raises(KnowledgeError, match="critical but unverified"):
        lab_table._criterion(raw)
