"""fhir_mappings and cards are pure: neither imports a layer above it nor anything that does I/O.

Imports run one way (`cds_service -> cards -> fhir_mappings`, design.md); checked on the source
with `ast`, so a late or conditional import is caught as well as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
IO = {
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
FORBIDDEN = {
    "fhir_mappings": IO | {"cards", "cds_service"},
    "cards": IO | {"cds_service"},
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


SOURCES = [
    (package, path) for package in FORBIDDEN for path in sorted((ROOT / package).rglob("*.py"))
]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_has_sources(package: str) -> None:
    assert len(list((ROOT / package).rglob("*.py"))) > 10


@pytest.mark.parametrize(("package", "path"), SOURCES, ids=lambda v: getattr(v, "name", v))
def test_no_forbidden_imports(package: str, path: Path) -> None:
    roots = _imported_roots(path)
    forbidden = FORBIDDEN[package]
    assert not roots & forbidden, f"{package}/{path.name} imports {sorted(roots & forbidden)}"
    assert "__import__" not in roots


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from cards.rules import x\n    import requests.adapters\n")
    assert _imported_roots(sample) >= {"cards", "requests"}


PACKAGES = ("cds_service", "cards", "fhir_mappings")


def _other_package_modules(path: Path, own: str) -> set[str]:
    """Modules of another of our packages imported by dotted path (`fhir_mappings.terminology`):
    a package is used only through what its `__init__` exports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return {
        name
        for name in names
        if "." in name and name.split(".")[0] in PACKAGES and name.split(".")[0] != own
    }


ALL_SOURCES = [
    (package, path) for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
]


@pytest.mark.parametrize(("package", "path"), ALL_SOURCES, ids=lambda v: getattr(v, "name", v))
def test_no_private_module_of_another_package(package: str, path: Path) -> None:
    private = _other_package_modules(path, package)
    assert not private, (
        f"{package}/{path.name} imports {sorted(private)}: use the package's exports"
    )


def test_the_checker_sees_private_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from fhir_mappings.terminology import concept_codes\n"
        "def f():\n    import cards.knowledge\n    from cds_service.views import x\n"
        "from fhir_mappings import build_patient_facts\n"
    )
    assert _other_package_modules(sample, "cds_service") == {
        "fhir_mappings.terminology",
        "cards.knowledge",
    }
