"""The regimen table loads, and a broken reference stops start-up instead of making a bad card."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cards.catalog import Basis, build_catalog, catalog
from cards.knowledge import KnowledgeError, load_table


def _raw() -> dict[str, Any]:
    return copy.deepcopy(load_table("regimens"))


def test_table_loads_with_label_doses():
    table = catalog()
    trastuzumab = table.drugs["trastuzumab"]
    assert trastuzumab.basis is Basis.PER_KG
    assert (trastuzumab.schedule("q3w").loading, trastuzumab.schedule("q3w").maintenance) == (8, 6)
    assert trastuzumab.schedule("weekly").loading == 4
    assert table.drugs["fam-trastuzumab-deruxtecan"].schedules[0].maintenance == 5.4
    assert table.drugs["ado-trastuzumab-emtansine"].ceiling == 3.6
    assert table.drugs["pertuzumab"].schedules[0].loading == 840
    assert table.drugs["docetaxel"].basis is Basis.PER_M2


def test_phesgo_delivers_both_antibodies():
    assert catalog().provides("pertuzumab-trastuzumab-sc") == {"pertuzumab", "trastuzumab"}
    assert catalog().provides("unknown-drug") == {"unknown-drug"}


def test_unknown_slot_group_is_rejected():
    raw = _raw()
    raw["regimens"]["thp"]["slots"][0]["group"] = "no-such-group"
    with pytest.raises(KnowledgeError, match="no-such-group"):
        build_catalog(raw)


def test_unknown_schedule_in_a_suggestion_is_rejected():
    raw = _raw()
    raw["regimens"]["thp"]["slots"][0]["suggest"][0]["schedule"] = "q2w"
    with pytest.raises(KnowledgeError, match="q2w"):
        build_catalog(raw)


def test_unknown_source_is_rejected():
    raw = _raw()
    raw["drugs"]["pertuzumab"]["schedules"][0]["source"] = ["NOPE"]
    with pytest.raises(KnowledgeError, match="NOPE"):
        build_catalog(raw)


def test_unknown_reload_threshold_is_rejected():
    raw = _raw()
    raw["drugs"]["trastuzumab"]["reload"]["threshold"] = "not_a_threshold"
    with pytest.raises(KnowledgeError, match="not_a_threshold"):
        build_catalog(raw)


def test_line_naming_an_unknown_regimen_is_rejected():
    raw = _raw()
    raw["lines"]["second"]["preferred"] = "t-dx"
    with pytest.raises(KnowledgeError, match="t-dx"):
        build_catalog(raw)


def test_early_stage_regimen_must_be_able_to_suggest_trastuzumab():
    raw = _raw()
    raw["early_stage"]["pertuzumab_regimen"] = "t-dm1"
    with pytest.raises(KnowledgeError, match="trastuzumab slot"):
        build_catalog(raw)
