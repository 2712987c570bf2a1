"""An institution's re-load grace (`trastuzumab_reload_late_days` in HER2CDS_THRESHOLDS_FILE)
decides for every rule whether a drug given by doses alone is current (issue 12: one home for
each fact, settings that apply everywhere): the safety rules' cardiac summary and the regimen
rules' line summary agree about the same trastuzumab, whichever way the override moves the
window (default: the 21-day cycle plus 7 days), and the heart-failure warning stands beside the
line summary that points to it.

THP given by administrations alone (no order on file), LVEF 62 % fifteen days ago."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cards import CardsConfig
from cds_service.settings import Settings
from tests.scenarios.harness import run_hook
from tests.scenarios.safety.builders import NOW, heart_failure
from tests.scenarios.safety.switches import DOSES_ONLY, PERTUZUMAB, TRASTUZUMAB, chart, old_course

GRACE = "trastuzumab_reload_late_days"
ON = "On trastuzumab and pertuzumab: last LVEF 62 %"
LINE_ON = "HER2+ MBC on first line pertuzumab + trastuzumab since "
LINE_LAST_GIVEN = "HER2+ MBC: first line pertuzumab + trastuzumab last given "


def _from_file(tmp_path: Path, grace: float) -> CardsConfig:
    """The thresholds as an institution sets them: HER2CDS_THRESHOLDS_FILE."""
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({GRACE: grace}))
    settings = Settings.from_env({"HER2CDS_THRESHOLDS_FILE": str(path)})
    return CardsConfig(threshold_overrides=settings.threshold_overrides)


def _summaries(
    last_dose: float, config: CardsConfig | None, *extra: dict[str, Any]
) -> dict[str, list[str]]:
    courses = (
        old_course(o, state=DOSES_ONLY, last_dose=last_dose) for o in (TRASTUZUMAB, PERTUZUMAB)
    )
    cards = run_hook("patient-view", [*chart(*courses), *extra], now=NOW, config=config)
    out: dict[str, list[str]] = {}
    for card in cards:
        out.setdefault(card["source"]["topic"]["code"], []).append(card["summary"])
    return out


def _current_by_both(found: dict[str, list[str]]) -> bool:
    """Both families say the patient is on THP; fails when they disagree."""
    safety = [s.startswith(ON) for s in found.get("cardiac-summary", [])] == [True]
    [line] = found["C12-summary"]
    regimen = line.startswith(LINE_ON)
    assert regimen or line.startswith(LINE_LAST_GIVEN), line
    assert safety == regimen, found  # one card says current, the other not
    return regimen


@pytest.mark.parametrize(
    ("grace", "last_dose", "current"),
    [
        (21, 35, True),  # a longer grace: 35 days after the last dose is still on schedule
        (2, 25, False),  # a shorter one: 25 days after it the schedule is broken
    ],
)
def test_the_overridden_grace_applies_to_safety_and_regimen_rules_alike(
    tmp_path: Path, grace: float, last_dose: float, current: bool
) -> None:
    assert _current_by_both(_summaries(last_dose, _from_file(tmp_path, grace))) is current


@pytest.mark.parametrize(("last_dose", "current"), [(35, False), (25, True)])
def test_with_the_default_grace_both_families_read_the_same_window(
    last_dose: float, current: bool
) -> None:
    assert _current_by_both(_summaries(last_dose, None)) is current


@pytest.mark.parametrize(("grace", "last_dose"), [(21, 35), (None, 25)])
def test_the_line_summary_points_to_a_heart_failure_card_that_is_there(
    tmp_path: Path, grace: float | None, last_dose: float
) -> None:
    """The regimen summary says "see the safety cards" only beside the safety card it means."""
    config = _from_file(tmp_path, grace) if grace is not None else None
    found = _summaries(last_dose, config, heart_failure())
    assert _current_by_both(found)
    assert found["C12-summary"][0].endswith("heart failure is on file: see the safety cards")
    [warning] = found["heart-failure"]
    assert warning.endswith("review cardiac risk on trastuzumab and pertuzumab")


@pytest.mark.parametrize(("grace", "last_dose"), [(None, 35), (2, 25)])
def test_heart_failure_off_therapy_is_no_card_for_either_family(
    tmp_path: Path, grace: float | None, last_dose: float
) -> None:
    config = _from_file(tmp_path, grace) if grace is not None else None
    found = _summaries(last_dose, config, heart_failure())
    assert not _current_by_both(found)
    assert "heart-failure" not in found
