"""Switches for the mapping, kept apart from the logic so a clinical informaticist can review them.

Every default below is a design choice of this project, not a label or guideline number, unless
its comment names a source in `clinical-knowledge.md`. Change them per deployment, never inline.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MappingConfig:
    """Thresholds and windows the FHIR-to-facts mapping uses.

    Attributes:
        reproductive_age_min: youngest age (years) at which a female patient is treated as of
            reproductive potential. Design choice (the labels say "females of reproductive
            potential" without an age, §3.8).
        reproductive_age_max: oldest such age. Design choice: menopause is not recorded in the
            data we read, so an age window stands in for it.
        metastatic_grace_days: a therapy that starts up to this many days *before* the date of
            the metastatic diagnosis still counts as metastatic-setting therapy (treatment often
            starts while the diagnosis is being recorded). Design choice.
        line_window_days: HER2-directed drugs that start within this many days of the first
            drug of a line belong to that line (THP started over two visits is one line).
            Design choice.
        course_gap_days: records of the same drug further apart than this start a new course
            (a re-challenge after a break), so a restarted drug can open a new regimen.
            Design choice.
        concomitant_ihc_window_days: an IHC result this close in time to an ISH result is used
            as its concomitant IHC when no result from the same specimen exists (§4.2 asks for
            the same tissue). Design choice.
        hcg_positive_threshold_miu_per_ml: a quantitative hCG above this value counts as a
            positive pregnancy test. Design choice (common qualitative-test cut-off; check
            against the local laboratory).
        pregnancy_max_days: evidence of pregnancy (an active pregnancy condition, a positive
            hCG, a "pregnant" status) older than this no longer makes the patient pregnant now:
            a pregnancy does not last longer. Design choice (about 43 weeks).
    """

    reproductive_age_min: int = 12
    reproductive_age_max: int = 50
    metastatic_grace_days: int = 14
    line_window_days: int = 28
    course_gap_days: int = 90
    concomitant_ihc_window_days: int = 90
    hcg_positive_threshold_miu_per_ml: float = 25.0
    pregnancy_max_days: int = 300
