"""The documentation stands on its own: every relative link in README.md, deploy/ and docs/
resolves to a file (and heading) in the repository, and the knowledge tables cite the
clinical reference in docs/, by sections that exist, never a file outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "deploy" / "README.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
REFERENCE = ROOT / "docs" / "clinical-knowledge.md"
TABLES = sorted(
    [*(ROOT / "cards" / "data").glob("*.json"), *(ROOT / "fhir_mappings" / "data").glob("*.json")]
)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {
        slug(line.lstrip("#")) for line in path.read_text().splitlines() if line.startswith("#")
    }


def test_every_doc_is_checked() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in DOCS}
    assert {"README.md", "deploy/README.md", "docs/clinical-knowledge.md"} <= names
    assert {"docs/ehr-registration.md", "docs/operations.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve_in_the_repository(doc: Path) -> None:
    broken = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: outside links
        path_part, _, anchor = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        inside = path.exists() and ROOT.resolve() in path.resolve().parents
        if not inside or (anchor and path.suffix == ".md" and anchor not in anchors(path)):
            broken.append(target)
    assert broken == []


def test_nothing_cites_a_file_outside_the_repository() -> None:
    for path in [*DOCS, *TABLES]:
        text = path.read_text()
        assert "/work/" not in text, path
        if path.parent.name != "docs":  # docs/ links its neighbour relatively
            bare = re.findall(r"(?<![/\w])clinical-knowledge\.md", text)
            assert bare == [], f"{path}: cite docs/clinical-knowledge.md"


def test_table_citations_name_sections_of_the_reference() -> None:
    headings = REFERENCE.read_text()
    sections = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", headings, re.MULTILINE))
    cited: set[str] = set()
    for table in TABLES:
        for citation in re.findall(r"docs/clinical-knowledge\.md[^\"]*", table.read_text()):
            cited |= set(re.findall(r"§(\d+(?:\.\d+)?)", citation))
    assert cited, "the tables cite no section"
    missing = sorted(c for c in cited if c not in sections and c.split(".")[0] not in sections)
    assert missing == []


def test_the_reference_lists_every_source_key_it_uses() -> None:
    text = REFERENCE.read_text()
    sources = text[text.index("## 6. Sources") :]
    listed = set(re.findall(r"^- \[([A-Z]+\d+[a-z]?)\]", sources, re.MULTILINE))
    used = set(re.findall(r"\[([GLTC]\d+[a-z]?)\]", text[: text.index("## 6. Sources")]))
    assert used - listed == set()
