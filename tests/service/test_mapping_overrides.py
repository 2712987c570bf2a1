"""The mapping's switches (`MappingConfig`) come from the same overrides file as the card
thresholds (HER2CDS_THRESHOLDS_FILE), and the pipeline builds the facts with them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cards import CardsConfig
from cds_service.hook_request import HookRequest
from cds_service.pipeline import run_hook
from cds_service.services import SERVICES
from cds_service.settings import Settings, SettingsError
from fhir_mappings import MappingConfig
from tests.scenarios.safety.builders import ordering
from tests.service.hook_requests import full_prefetch, hook_request


def _settings(tmp_path: Path, overrides: dict[str, Any]) -> Settings:
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps(overrides))
    return Settings.from_env({"HER2CDS_THRESHOLDS_FILE": str(path)})


def test_one_file_sets_thresholds_and_mapping_switches(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, {"lvef_lln_percent": 55, "reproductive_age_max": 45, "future_tolerance_hours": 1}
    )
    assert settings.threshold_overrides == {"lvef_lln_percent": 55.0}
    assert settings.mapping_config == MappingConfig(
        reproductive_age_max=45, future_tolerance_hours=1.0
    )
    assert isinstance(settings.mapping_config.reproductive_age_max, int)


def test_without_a_file_the_mapping_keeps_its_defaults() -> None:
    assert Settings.from_env({}).mapping_config == MappingConfig()


def test_an_unknown_name_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(
        SettingsError, match=r"THRESHOLDS_FILE: unknown setting.*reproductive_age_mx"
    ):
        _settings(tmp_path, {"reproductive_age_mx": 45})


def test_a_whole_number_switch_refuses_a_fraction(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="line_window_days must be a whole number"):
        _settings(tmp_path, {"line_window_days": 27.5})


def _c5_cards(settings: Settings) -> list[dict[str, Any]]:
    """Trastuzumab drafted for a 40-year-old woman with no pregnancy status on file."""
    prefetch = full_prefetch()
    prefetch["patient"]["birthDate"] = f"{datetime.now(UTC).year - 40}-01-01"
    body = hook_request("order-select", prefetch=prefetch, draft_orders=[ordering("trastuzumab")])
    [service] = [s for s in SERVICES if s.hook.value == "order-select"]
    result = run_hook(
        service,
        HookRequest.from_body(body),
        cards_config=CardsConfig(threshold_overrides=settings.threshold_overrides),
        client_factory=None,
        mapping_config=settings.mapping_config,
    )
    return [c for c in result.response["cards"] if c["source"]["topic"]["code"] == "C5"]


def test_the_pipeline_builds_the_facts_with_the_overridden_switches(tmp_path: Path) -> None:
    assert [c["indicator"] for c in _c5_cards(Settings())] == ["warning"]
    # the site's reproductive window ends at 35: a 40-year-old is outside it, no card
    assert _c5_cards(_settings(tmp_path, {"reproductive_age_max": 35})) == []
