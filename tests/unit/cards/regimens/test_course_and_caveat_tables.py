"""The course-rules and label-caveat tables load, name only drugs, classes and sources that
exist, and refuse a table that names one that does not."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cards.knowledge import KnowledgeError, load_table
from cards.regimens import course_table as course_module
from cards.regimens import label_caveats as caveat_module


def test_the_tables_load_with_their_label_figures():
    table = course_module.course_table()
    [tdm1] = table.course_limits
    assert (tdm1.drug, tdm1.max_cycles) == ("ado-trastuzumab-emtansine", 14)
    [tucatinib] = table.interaction_doses
    assert (tucatinib.label_mg, tucatinib.with_inhibitor_mg) == (300, 100)
    [neratinib] = table.prophylaxis
    assert neratinib.suggest.drug == "loperamide"
    assert caveat_module.caveats().window_months == 6


def _broken(monkeypatch: pytest.MonkeyPatch, name: str, change: Any) -> None:
    data = copy.deepcopy(load_table(name))
    change(data)
    monkeypatch.setattr(
        course_module if name == "course_rules" else caveat_module,
        "load_table",
        lambda _name: data,
    )


def test_an_unknown_drug_stops_the_course_table(monkeypatch: pytest.MonkeyPatch):
    _broken(monkeypatch, "course_rules", lambda d: d["prophylaxis"][0].update(drug="neratinb"))
    course_module.course_table.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="neratinb"):
            course_module.course_table()
    finally:
        course_module.course_table.cache_clear()


def test_an_unknown_source_stops_the_caveat_table(monkeypatch: pytest.MonkeyPatch):
    _broken(
        monkeypatch,
        "label_caveats",
        lambda d: d["relapse_label_window"].update(sources=["L99"]),
    )
    caveat_module.caveats.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="L99"):
            caveat_module.caveats()
    finally:
        caveat_module.caveats.cache_clear()
