"""Switches for the mapping, kept apart from the logic so a clinical informaticist can review them.

None of these numbers comes from a label or guideline: each is a design choice of this project,
marked ⚠ unverified in `MappingConfig.PROVENANCE` (the reference's mark for what has no source),
with the reference section it stands in for. They stay here rather than in a data table because
they are per-deployment switches (a site overrides them by name in the service's overrides file,
`HER2CDS_THRESHOLDS_FILE`, beside the card thresholds), not clinical knowledge; guideline
numbers (e.g. the ASCO/CAP ISH cut-offs) live in `data/*.json`.
Change them per deployment, never inline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar


@dataclass(frozen=True)
class MappingConfig:
    """Thresholds and windows the FHIR-to-facts mapping uses.

    Attributes (each: what it does, then its source and mark, ⚠ = unverified design choice):
        reproductive_age_min: youngest age (years) at which a female patient is treated as of
            reproductive potential. ⚠ Design choice: the labels say "females of reproductive
            potential" without an age (§3.8).
        reproductive_age_max: oldest such age. ⚠ Design choice: menopause is not recorded in
            the data we read, so an age window stands in for it (§3.8).
        metastatic_grace_days: a therapy that starts up to this many days *before* the date of
            the metastatic diagnosis still counts as metastatic-setting therapy (treatment often
            starts while the diagnosis is being recorded). ⚠ Design choice (§1.2 defines the
            setting by the metastatic date but gives no grace).
        line_window_days: HER2-directed drugs that start within this many days of the first
            drug of a line belong to that line (THP started over two visits is one line).
            ⚠ Design choice (§1.10 derived rules; no guideline window).
        course_gap_days: records of the same drug further apart than this start a new course
            (a re-challenge after a break), so a restarted drug can open a new regimen.
            ⚠ Design choice (no guideline defines a course gap).
        concomitant_ihc_window_days: an IHC result this close in time to an ISH result is used
            as its concomitant IHC when no result from the same specimen exists (§4.2 asks for
            the same tissue, which the data rarely name). ⚠ Design choice.
        hcg_positive_threshold_miu_per_ml: a quantitative hCG above this value counts as a
            positive pregnancy test. ⚠ Design choice (a common qualitative-test cut-off, not in
            the reference, which lists the hCG codes only, §5.1): check against the local
            laboratory.
        pregnancy_max_days: evidence of pregnancy (an active pregnancy condition, a positive
            hCG, a "pregnant" status) older than this no longer makes the patient pregnant now:
            a pregnancy does not last longer. ⚠ Design choice (about 43 weeks).
        future_tolerance_hours: a record dated more than this after the request's time is
            set aside as a data-quality problem (future_dated.py), never used. Covers clock
            skew between the EHR and this service and a time charted a little ahead; a date
            without a time is judged from the moment that day begins in the earliest time
            zone (UTC+14). ⚠ Design choice (no source defines a tolerance).
    """

    reproductive_age_min: int = 12
    reproductive_age_max: int = 50
    metastatic_grace_days: int = 14
    line_window_days: int = 28
    course_gap_days: int = 90
    concomitant_ihc_window_days: int = 90
    hcg_positive_threshold_miu_per_ml: float = 25.0
    pregnancy_max_days: int = 300
    future_tolerance_hours: float = 4.0

    PROVENANCE: ClassVar[Mapping[str, tuple[str, str]]] = MappingProxyType(
        {
            "reproductive_age_min": (
                "design choice; labels name no age for reproductive potential (§3.8)",
                "unverified",
            ),
            "reproductive_age_max": (
                "design choice; menopause is not in the data, an age stands in for it (§3.8)",
                "unverified",
            ),
            "metastatic_grace_days": (
                "design choice; §1.2 sets the setting by the metastatic date, with no grace",
                "unverified",
            ),
            "line_window_days": (
                "design choice; §1.10 derived rules, no guideline window",
                "unverified",
            ),
            "course_gap_days": ("design choice; no guideline defines a course gap", "unverified"),
            "concomitant_ihc_window_days": (
                "design choice; §4.2 asks for the same tissue, rarely named in the data",
                "unverified",
            ),
            "hcg_positive_threshold_miu_per_ml": (
                "design choice; common qualitative-test cut-off, not in the reference (§5.1 "
                "lists the hCG codes only): check against the local laboratory",
                "unverified",
            ),
            "pregnancy_max_days": (
                "design choice; about 43 weeks, longer than a pregnancy lasts",
                "unverified",
            ),
            "future_tolerance_hours": (
                "design choice; clock skew and charting ahead, no source defines a tolerance",
                "unverified",
            ),
        }
    )
    """Per switch: (source, verification mark as in docs/clinical-knowledge.md §0)."""
