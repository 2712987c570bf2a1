"""The service refuses to start on broken knowledge, instead of answering wrongly later."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cards import KnowledgeError, knowledge
from cds_service.app import create_app
from cds_service.settings import Settings


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    knowledge.load_table.cache_clear()
    knowledge.default_thresholds.cache_clear()
    yield
    knowledge.load_table.cache_clear()
    knowledge.default_thresholds.cache_clear()


def test_a_table_that_breaks_its_schema_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, fresh_caches: None, tmp_path: Any
) -> None:
    real = knowledge._read_json

    def broken(path: str) -> Any:
        data = real(path)
        if path == "data/safety_thresholds.json":
            data["thresholds"]["lvef_lln_percent"]["value"] = "fifty"
        return data

    monkeypatch.setattr(knowledge, "_read_json", broken)
    with pytest.raises(KnowledgeError, match="safety_thresholds"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}"))


def test_an_unknown_threshold_override_stops_start_up(tmp_path: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}",
        threshold_overrides={"lvef_lln_pct": 55.0},
    )
    with pytest.raises(KnowledgeError, match="lvef_lln_pct"):
        create_app(settings)
