"""The sources table: every reference resolves, every URL a card can cite is primary."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cards.knowledge import KnowledgeError, load_table
from cards.sources import all_sources, cite, cite_all, resolve, source_ids
from tests.support.card_sources import ALLOWED_HOSTS, host, source_problems

CARDS = Path(resources.files("cards"))  # type: ignore[arg-type]
# Tables whose "source" fields are ids in sources.json (the others hold free-text provenance).
TABLES_CITING_SOURCES = (
    "regimens",
    "safety_drugs",
    "safety_anthracyclines",
    "safety_ild",
    "lvef_tables",
)
_CITE_CALL = re.compile(r"\bcite(?:_all)?\(\s*(\"[^\"]+\"|\[[^\]]*\]|\([^)]*\))")


def _source_fields(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("source", "sources", "duration_source"):
                yield from [value] if isinstance(value, str) else value
            else:
                yield from _source_fields(value)
    elif isinstance(node, list):
        for item in node:
            yield from _source_fields(item)


def test_every_source_named_by_a_table_resolves() -> None:
    named = {
        (table, key)
        for table in TABLES_CITING_SOURCES
        for key in _source_fields(json.loads((CARDS / "data" / f"{table}.json").read_text()))
    }
    assert len(named) > 30
    assert sorted(n for n in named if n[1] not in source_ids()) == []


def test_every_source_a_rule_names_in_code_resolves() -> None:
    named: set[tuple[str, str]] = set()
    for path in CARDS.rglob("*.py"):
        for call in _CITE_CALL.findall(path.read_text()):
            named.update((path.name, key) for key in re.findall(r'"([^"]+)"', call))
    assert len(named) > 5
    assert sorted(n for n in named if n[1] not in source_ids()) == []


def test_no_card_source_table_besides_sources_json() -> None:
    # the regimen and safety tables refer to sources by id; they no longer list URLs
    assert "sources" not in load_table("regimens")
    assert not (CARDS / "data" / "safety_sources.json").exists()


def test_every_url_a_card_can_cite_is_primary() -> None:
    for source in all_sources():
        assert source.url.startswith("https://"), source.id
        assert host(source.url) in ALLOWED_HOSTS, (source.id, source.url)


def test_guidelines_and_trials_cite_their_doi_and_labels_the_fda_record() -> None:
    raw = load_table("sources")["sources"]
    for key, entry in raw.items():
        if entry["kind"] in ("guideline", "trial"):
            assert entry["url"] == f"https://doi.org/{entry['doi']}", key
            assert f"doi:{entry['doi']}" in entry["citation"], key
        else:
            assert host(entry["url"]) != "doi.org", key
        assert entry["verification"] in ("verified", "unverified"), key
        # secondary pages are provenance only
        assert entry["url"] not in entry["verified_via"], key
        assert all(host(url) not in ALLOWED_HOSTS for url in entry["verified_via"]), key


def test_the_asco_2022_guideline_is_cited_by_its_doi() -> None:
    asco = resolve("G1")
    assert asco.url == "https://doi.org/10.1200/JCO.22.00519"
    assert resolve("asco-2022-her2-mbc") == asco
    assert asco.verification == "verified"


def test_old_keys_are_aliases_of_one_source() -> None:
    assert resolve("L1") == resolve("herceptin-dosing") == resolve("herceptin-label")
    cited = cite_all(["L1", "L1a", "herceptin-dosing", "G1"], rule="R", topic="T")
    assert [c.source_id for c in cited] == ["herceptin-label", "asco-2022-her2-advanced"]
    assert cited[0].short == "Herceptin US label"
    assert cited[0].label.startswith("US prescribing information, Herceptin (trastuzumab)")


def test_an_unknown_source_is_a_knowledge_error() -> None:
    with pytest.raises(KnowledgeError, match="no source 'nope'"):
        cite("nope", "R", "T")


def test_label_citations_follow_the_usual_form() -> None:
    for source in all_sources():
        if source.kind == "label":
            assert re.match(r"^(US prescribing information|EU summary of product)", source.citation)


def test_the_sweep_catches_a_secondary_host_and_a_markdown_link() -> None:
    card = {
        "summary": "s",
        "detail": "See [the label](https://www.drugs.com/x).",
        "source": {"label": "x", "url": "https://www.drugs.com/x"},
        "links": [{"label": "x", "url": "https://www.drugs.com/x", "type": "absolute"}],
    }
    problems = source_problems([card])
    assert any("secondary or unknown host" in p for p in problems)
    assert any("Markdown link" in p for p in problems)
