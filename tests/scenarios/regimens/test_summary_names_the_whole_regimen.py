"""The patient-view summary names the whole current regimen (review finding 11): the
chemotherapy or endocrine partner active in the record (docetaxel in THP, capecitabine with
tucatinib, letrozole with HP), not only the HER2-directed drugs the line is counted by; a
partner that has ended is not named."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    cycles,
    her2_positive_mbc,
    ordered,
    patient_view,
)


def _summary(resources: list[dict]) -> dict:
    cards = patient_view(resources)
    [card] = [c for c in cards if c["source"]["topic"]["code"] == "C12-summary"]
    return card


def _thp(docetaxel_days: tuple[float, ...], *, docetaxel_open: bool) -> list[dict]:
    days = (84, 63, 42, 21)
    resources = [
        *her2_positive_mbc(metastatic_days=100),
        ordered("trastuzumab", start_days=84, status="active"),
        ordered("pertuzumab", start_days=84, status="active"),
        *cycles("trastuzumab", *days),
        *cycles("pertuzumab", *days),
        *cycles("docetaxel", *docetaxel_days, dose=134),
    ]
    status = "active" if docetaxel_open else "completed"
    end = None if docetaxel_open else docetaxel_days[-1]
    resources.append(ordered("docetaxel", start_days=84, end_days=end, status=status))
    return resources


def test_thp_cycle_5_names_docetaxel():
    card = _summary(_thp((84, 63, 42, 21), docetaxel_open=True))
    assert "docetaxel + pertuzumab + trastuzumab" in card["summary"]
    assert "Current regimen: docetaxel + pertuzumab + trastuzumab" in card["detail"]


def test_docetaxel_completed_is_not_named_as_current():
    card = _summary(_thp((84, 63), docetaxel_open=False))
    assert "docetaxel" not in card["summary"]
    assert "Current regimen" not in card["detail"]


def test_hp_with_letrozole_names_letrozole():
    resources = [
        *her2_positive_mbc(metastatic_days=300, hr_positive=True),
        ordered("trastuzumab", start_days=250, status="active"),
        ordered("pertuzumab", start_days=250, status="active"),
        ordered("letrozole", start_days=100, status="active"),
        *cycles("trastuzumab", 63, 42, 21),
        *cycles("pertuzumab", 63, 42, 21),
    ]
    assert "letrozole + pertuzumab + trastuzumab" in _summary(resources)["summary"]
