"""A few synthetic patients for the sandbox run, built with the scenario builders and moved
to today's dates (the service in its own process judges them against the real clock)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import NOW, cycles, her2_positive_mbc

_DATETIME = re.compile(r'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z))"')


def _moved(resources: list[dict[str, Any]], patient_id: str, now: datetime) -> list[dict[str, Any]]:
    """The story told as of `now` instead of the builders' fixed NOW, under `patient_id`, with
    resource ids unique to the patient."""
    shift = now - NOW

    def move(match: re.Match[str]) -> str:
        return f'"{(datetime.fromisoformat(match.group(1)) + shift).isoformat()}"'

    text = _DATETIME.sub(move, json.dumps(resources))
    text = text.replace(f'"Patient/{fb.PATIENT_ID}"', f'"Patient/{patient_id}"')
    moved = json.loads(text)
    for resource in moved:
        if resource["resourceType"] == "Patient":
            resource["id"] = patient_id
            resource["name"] = [{"family": "Sandbox", "given": [patient_id]}]
        else:
            resource["id"] = f"{patient_id}-{resource['id']}"
    return moved


def thp_stopped_with_chemotherapy(patient_id: str, now: datetime | None = None) -> list[dict]:
    """HER2+, HR-negative metastatic breast cancer: first-line THP from 150 days ago, docetaxel
    and trastuzumab + pertuzumab all stopped 45 days ago (the named pitfall: HER2 therapy
    stopped with the chemotherapy)."""
    days = (150, 129, 108, 87, 66, 45)
    story = [
        *her2_positive_mbc(metastatic_days=160, hr_positive=False),
        *cycles("trastuzumab", *days, dose=420),
        *cycles("pertuzumab", *days, dose=420),
        *cycles("docetaxel", *days, dose=134),
    ]
    return _moved(story, patient_id, now or datetime.now(UTC))


def lvef_fall_on_trastuzumab(patient_id: str, now: datetime | None = None) -> list[dict]:
    """HER2+ metastatic breast cancer on trastuzumab + pertuzumab every 3 weeks; LVEF 62 % at
    baseline and 45 % five days ago: a fall the labels say to withhold for."""
    days = (147, 126, 105, 84, 63, 42, 21)
    story = [
        *her2_positive_mbc(metastatic_days=160, hr_positive=False),
        *cycles("trastuzumab", *days, dose=420),
        *cycles("pertuzumab", *days, dose=420),
        fb.lvef(62, when=fb.days_before(NOW, 170)),
        fb.lvef(45, when=fb.days_before(NOW, 5)),
    ]
    # the builder's LVEF of 20 days ago (normal) would hide the fall: drop it
    story = [r for r in story if not _is_lvef(r, 62, NOW - timedelta(days=20))]
    return _moved(story, patient_id, now or datetime.now(UTC))


def _is_lvef(resource: dict[str, Any], value: float, when: datetime) -> bool:
    return (
        resource["resourceType"] == "Observation"
        and resource.get("valueQuantity", {}).get("value") == value
        and resource.get("effectiveDateTime") == fb.iso(when)
    )


def not_concerned(patient_id: str, now: datetime | None = None) -> list[dict]:
    """A woman with a weight and height on file and no cancer: the rules do not concern her."""
    story = [
        fb.patient(),
        fb.weight(64, when=fb.days_before(NOW, 10)),
        fb.height(168, when=fb.days_before(NOW, 10)),
    ]
    return _moved(story, patient_id, now or datetime.now(UTC))


def on_capecitabine(patient_id: str, now: datetime | None = None) -> list[dict]:
    """HER2+ metastatic breast cancer after THP and T-DXd, on capecitabine (given 7 days ago,
    in its cycle): lapatinib drafted with it is dosed 1250 mg once daily."""
    story = [
        *her2_positive_mbc(metastatic_days=800, hr_positive=False),
        *cycles("trastuzumab", 790, 769, 748, 500, dose=420),
        *cycles("pertuzumab", 790, 769, 748, 500, dose=420),
        *cycles("docetaxel", 790, 769, 748, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", 480, 459, 438, 120, dose=378),
        *cycles("capecitabine", 28, 7, dose=1800),
    ]
    return _moved(story, patient_id, now or datetime.now(UTC))
