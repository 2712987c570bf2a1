"""The rule registry (`cards/data/rules.json`) against the code and the README.

The sweep runs the scenario corpus once in a child pytest with a recording plugin
(`tests/support/rule_sweep.py`) and compares, rule by rule, what the cards carried with what
the registry says: the codes (exactly), the thresholds read and the sources cited (within),
and the scenario files it names (its cards appeared there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cards import Hook, rules, rules_table
from cards.knowledge import KnowledgeError
from cards.rules import ENGINE, check_registry, registry

ROOT = Path(__file__).parents[1]
RULE_ROWS = [row for row in registry() if row.family != ENGINE]


@cache
def _sweep(tmp: str) -> dict[str, dict[str, list[str]]]:
    out = Path(tmp) / "sweep.json"
    env = {**os.environ, "RULE_SWEEP_OUT": str(out)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-p", "no:cacheprovider",
         "-p", "tests.support.rule_sweep", "tests/scenarios"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    result: dict[str, dict[str, list[str]]] = json.loads(out.read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    return _sweep(str(tmp_path_factory.mktemp("rule-sweep")))


@pytest.mark.parametrize("row", RULE_ROWS, ids=lambda row: row.id)
def test_every_rule_id_is_the_code_its_cards_carry(row: Any, sweep: Any) -> None:
    """A card's rule code (and each source's topic code) is the id of the rule that made it:
    what a committee reads in the override report is the registry's row."""
    seen = sweep.get(row.id, {})
    assert set(seen.get("emits", ())) == {row.id}


@pytest.mark.parametrize("row", RULE_ROWS, ids=lambda row: row.id)
def test_a_rule_reads_and_cites_only_what_it_registers(row: Any, sweep: Any) -> None:
    seen = sweep.get(row.id, {})
    assert set(seen.get("thresholds", ())) <= set(row.thresholds)
    assert set(seen.get("sources", ())) <= set(row.sources)


@pytest.mark.parametrize("row", registry(), ids=lambda row: row.id)
def test_a_rule_names_the_scenario_files_that_check_it(row: Any, sweep: Any) -> None:
    """Each listed file checks the rule's cards by id; for a rule the engine calls, its cards
    appeared while that file ran."""
    for name in row.scenarios:
        assert f'"{row.id}"' in (ROOT / name).read_text(encoding="utf-8"), name
    if row.family != ENGINE:
        assert set(row.scenarios) <= set(sweep.get(row.id, {}).get("tests", ()))


def test_the_registry_and_the_functions_agree() -> None:
    check_registry()
    assert [r.id for r in rules.registered_rules()] == [row.id for row in RULE_ROWS]


def test_start_up_stops_on_a_rule_without_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "registry", lambda: tuple(r for r in registry() if r.id != "C1"))
    with pytest.raises(KnowledgeError, match="'C1' has no row"):
        check_registry()


def test_start_up_stops_on_a_row_without_a_function(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "FUNCTIONS", {k: v for k, v in rules.FUNCTIONS.items() if k != "C9"})
    with pytest.raises(KnowledgeError, match="'C9' has no function"):
        check_registry()


def test_start_up_stops_on_an_unknown_threshold_or_source(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = tuple(
        replace(r, thresholds=("no_such_threshold",), sources=("no-such-source",))
        if r.id == "C4"
        else r
        for r in registry()
    )
    monkeypatch.setattr(rules, "registry", lambda: rows)
    with pytest.raises(KnowledgeError, match=r"unknown threshold .no_such_threshold.*no-such"):
        check_registry()


def test_start_up_stops_on_needs_a_drug_naming_a_hook_the_rule_does_not_run_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = tuple(
        replace(r, needs_a_drug=frozenset({Hook.PATIENT_VIEW})) if r.id == "C9" else r
        for r in registry()
    )
    monkeypatch.setattr(rules, "registry", lambda: rows)
    with pytest.raises(KnowledgeError, match="'C9': needs_a_drug names 'patient-view'"):
        check_registry()


def test_the_readme_rule_table_is_generated_from_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == rules_table.with_table(readme), "run: python -m cards.rules_table"
    assert rules_table.main(["--check"]) == 0


def test_the_table_check_sees_a_difference() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = readme.replace("| C1 |", "| C1-old |", 1)
    assert stale != readme
    assert rules_table.with_table(stale) == readme
