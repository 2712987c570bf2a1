#!/usr/bin/env python3
"""Write the synthetic sample patients shipped in `cds_service/samples/data/`.

Each sample is one FHIR R4 transaction Bundle of our own (no real person), dated as of
REFERENCE; `cds_service.samples` moves every date by the days between REFERENCE and today when
the samples are written, loaded or shown, so an LVEF taken "20 days ago" stays 20 days old.
Codes are those of fhir_mappings/data (LOINC, SNOMED CT, RxNorm), so the rules read them.
Run `.venv/bin/python scripts/build_samples.py` after changing a story, then the sample tests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_stories import (
    REFERENCE,
    Resource,
    Story,
    first_line,
    her2_equivocal,
    her2_low,
    hr_positive,
    lvef_decline,
    lvef_overdue,
    on_doxorubicin,
    pregnant,
    relapse_after_12_months,
    relapse_within_12_months,
    second_line,
    third_line,
)

OUT = Path(__file__).resolve().parent.parent / "cds_service" / "samples" / "data"


# (builder, title, what it shows) in the order the demo lists them.
SAMPLES: list[tuple[Callable[[], Story], str, str]] = [
    (
        first_line,
        "First line, HER2+ MBC",
        "De novo HER2-positive (IHC 3+), ER/PR-negative metastatic breast cancer; "
        "no treatment yet.",
    ),
    (
        hr_positive,
        "HR-positive, HER2+ MBC on maintenance",
        "HER2-positive, ER 85 % / PR 40 % metastatic breast cancer on THP; docetaxel stopped "
        "after six cycles.",
    ),
    (
        relapse_within_12_months,
        "Relapse 8 months after adjuvant trastuzumab",
        "A year of adjuvant trastuzumab, metastatic relapse 8 months after the last dose.",
    ),
    (
        relapse_after_12_months,
        "Relapse 20 months after adjuvant trastuzumab",
        "A year of adjuvant trastuzumab, metastatic relapse 20 months after the last dose.",
    ),
    (
        lvef_decline,
        "LVEF falling on THP",
        "On trastuzumab + pertuzumab; LVEF 66 % at baseline, 48 % this week.",
    ),
    (
        lvef_overdue,
        "LVEF overdue on trastuzumab",
        "On trastuzumab + pertuzumab; the last LVEF (MUGA) is over 5 months old.",
    ),
    (
        on_doxorubicin,
        "On doxorubicin (AC), early breast cancer",
        "HER2-positive early breast cancer, AC running; HER2 therapy comes after it.",
    ),
    (
        her2_equivocal,
        "HER2 IHC 2+ without ISH",
        "Metastatic breast cancer, HER2 IHC 2+ (equivocal) and no ISH result.",
    ),
    (
        pregnant,
        "Pregnant, HER2+ MBC",
        "HER2-positive metastatic breast cancer, pregnancy on file and a positive hCG.",
    ),
    (
        her2_low,
        "HER2-low MBC after chemotherapy",
        "HER2 IHC 1+, ER/PR-negative metastatic breast cancer, progressed on capecitabine.",
    ),
    (
        second_line,
        "Progression after first-line THP",
        "THP for 10 months, progression 4 months ago: second line.",
    ),
    (
        third_line,
        "Progression after THP and T-DXd",
        "THP then T-DXd, progression 2 months ago: third line.",
    ),
]


def bundle(story: Story) -> Resource:
    return {
        "resourceType": "Bundle",
        "id": story.pid,
        "type": "transaction",
        "timestamp": REFERENCE.isoformat().replace("+00:00", "Z"),
        "entry": [
            {
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
            }
            for r in story.resources
        ],
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    index = []
    for build, title, story_text in SAMPLES:
        story = build()
        name = f"{story.pid.removeprefix('her2demo-')}.json"
        (OUT / name).write_text(json.dumps(bundle(story), indent=1) + "\n", encoding="utf-8")
        index.append({"id": story.pid, "file": name, "title": title, "story": story_text})
    index_doc = {
        "description": "Synthetic sample patients (no real person), one FHIR R4 transaction "
        "Bundle each, dated as of 'reference_date'; dates move to today when used.",
        "reference_date": REFERENCE.isoformat().replace("+00:00", "Z"),
        "samples": index,
    }
    (OUT / "index.json").write_text(json.dumps(index_doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
