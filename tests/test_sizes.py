"""Modules of at most 450 lines and functions of at most 60, in the three packages.

The allow-lists are the to-do: each entry is a unit not yet split, with its size today as a
ceiling (lower it when a unit shrinks). An entry may only go: a unit that grows past its ceiling
fails, and a unit split to within the limit fails until its entry is removed, so the lists
shrink and never grow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("cds_service", "cards", "fhir_mappings")
MODULE_LIMIT = 450
FUNCTION_LIMIT = 60

# path -> lines today (the ceiling). Not yet split. Empty: every module is within the limit.
MODULES_TO_SPLIT: dict[str, int] = {}

# "path:function" -> lines today (the ceiling). Not yet split into named steps. Empty: every
# function is within the limit.
FUNCTIONS_TO_SPLIT: dict[str, int] = {}


def _sources() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def module_sizes() -> dict[str, int]:
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in _sources()
    }


def function_sizes() -> dict[str, int]:
    """Every function and method, by "path:name" (the longest of a name defined twice)."""
    sizes: dict[str, int] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = f"{path.relative_to(ROOT).as_posix()}:{node.name}"
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                sizes[key] = max(sizes.get(key, 0), length)
    return sizes


def _over(sizes: dict[str, int], limit: int, allowed: dict[str, int]) -> list[str]:
    return [
        f"{unit}: {size} lines (limit {limit})"
        for unit, size in sorted(sizes.items())
        if size > limit and unit not in allowed
    ]


def _stale(sizes: dict[str, int], limit: int, allowed: dict[str, int]) -> list[str]:
    problems = []
    for unit, ceiling in sorted(allowed.items()):
        size = sizes.get(unit)
        if size is None or size <= limit:
            problems.append(f"{unit} is within the limit now: remove it from the allow-list")
        elif size > ceiling:
            problems.append(f"{unit} grew to {size} lines (ceiling {ceiling}): split it")
    return problems


def test_no_module_over_the_limit() -> None:
    assert _over(module_sizes(), MODULE_LIMIT, MODULES_TO_SPLIT) == []


def test_no_function_over_the_limit() -> None:
    assert _over(function_sizes(), FUNCTION_LIMIT, FUNCTIONS_TO_SPLIT) == []


@pytest.mark.parametrize(
    ("sizes", "limit", "allowed"),
    [
        (module_sizes, MODULE_LIMIT, MODULES_TO_SPLIT),
        (function_sizes, FUNCTION_LIMIT, FUNCTIONS_TO_SPLIT),
    ],
    ids=["modules", "functions"],
)
def test_the_allow_list_only_shrinks(sizes: object, limit: int, allowed: dict[str, int]) -> None:
    assert callable(sizes)
    assert _stale(sizes(), limit, allowed) == []


def test_the_checks_see_a_unit_over_the_limit() -> None:
    assert _over({"a.py": 451, "b.py": 450}, MODULE_LIMIT, {}) == ["a.py: 451 lines (limit 450)"]
    assert _stale({"a.py": 400}, MODULE_LIMIT, {"a.py": 500}) == [
        "a.py is within the limit now: remove it from the allow-list"
    ]
    assert _stale({"a.py": 520}, MODULE_LIMIT, {"a.py": 500}) == [
        "a.py grew to 520 lines (ceiling 500): split it"
    ]
