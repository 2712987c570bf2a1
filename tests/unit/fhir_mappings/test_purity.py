"""fhir_mappings is pure: it imports neither the layers above it nor anything that does I/O.

Imports run one way (`cds_service -> cards -> fhir_mappings`, design.md); checked on the source
with `ast`, so a late or conditional import is caught as well as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[3] / "fhir_mappings"
FORBIDDEN = {
    "cards",
    "cds_service",
    "requests",
    "flask",
    "socket",
    "sqlalchemy",
    "http",
    "urllib",
    "redis",
    "jwt",
    "psycopg",
    "subprocess",
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            roots.add("__import__")
    return roots


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_sources() -> None:
    assert len(SOURCES) > 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_forbidden_imports(path: Path) -> None:
    roots = _imported_roots(path)
    assert not roots & FORBIDDEN, f"{path.name} imports {sorted(roots & FORBIDDEN)}"
    assert "__import__" not in roots


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from cards.rules import x\n    import requests.adapters\n")
    assert _imported_roots(sample) >= {"cards", "requests"}
