"""C7: T-DXd and its labelled HER2 populations.

T-DXd is labelled for HER2-positive disease, for HER2-low (IHC 1+, or 2+ with negative ISH)
and, in HR-positive disease, HER2-ultralow (IHC 0 with faint membrane staining). IHC 0
without staining, ultralow without HR-positivity, or a negative call without an IHC score
is outside that population. IHC 2+ without ISH is fine for T-DXd: it is HER2-positive or
HER2-low either way. HER2-low or ultralow is not enough on its own: the label also needs
metastatic disease and prior therapy for it (`tdxd_population`), so a first-line T-DXd in
HER2-low disease is outside the label too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.catalog import catalog
from cards.drafts import order_drug
from cards.findings import Finding
from cards.hook_input import DataGap, HookInput
from cards.knowledge import CardsConfig
from cards.phrasing import capitalized
from cards.phrasing import format_date as date
from cards.safety.drugs import HER2_DIRECTED, T_DXD, drug_name, drug_names
from cards.safety.gaps import gap_finding
from cards.safety.her2_results import (
    SUBTYPE_WORDS,
    TDXD_RULE,
    TDXD_TOPIC,
    applies_to,
    as_of,
    her2_finding,
    ihc_suggestion,
    reasoning_of,
)
from cards.safety.tdxd_population import Requirement, check_population, population_texts
from cards.safety.triggers import exposure_evidence, last_given, medication_gap
from cards.sources import cite
from fhir_mappings import (
    DraftOrder,
    DrugExposure,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    IhcScore,
    PatientFacts,
)

CONTINUED_KEY = "endocrine_continued_into_metastatic_days"


def _tdxd(
    hook_input: HookInput, orders: Sequence[DraftOrder], config: CardsConfig
) -> Finding | None:
    facts = hook_input.facts
    her2 = facts.her2
    pid = hook_input.patient_id
    if her2.call in (Her2Call.POSITIVE, Her2Call.EQUIVOCAL_PENDING_ISH):
        return None
    if her2.call is Her2Call.UNKNOWN:
        return her2_finding(
            TDXD_RULE,
            "No HER2 result on file: test HER2 before T-DXd",
            [
                "T-DXd is labelled for HER2-positive, HER2-low and (HR-positive) HER2-ultralow "
                "breast cancer; each needs a tissue HER2 result with an IHC score.",
            ],
            her2,
            orders,
            missing=("No tissue HER2 result (IHC or ISH)",),
            suggestions=(ihc_suggestion(pid, "T-DXd"),),
            extra="unknown",
        )
    subtype = her2.negative_subtype or Her2NegativeSubtype.UNSPECIFIED
    hr = facts.hormone_receptors.hr_positive
    if subtype is Her2NegativeSubtype.LOW:
        return _outside_population(hook_input, orders, subtype, config)
    if subtype is Her2NegativeSubtype.ULTRALOW:
        if hr is True:
            return _outside_population(hook_input, orders, subtype, config)
        if hr is False:
            summary = (
                f"HER2-ultralow{as_of(her2)} with HR-negative disease: outside the T-DXd label"
            )
            missing: tuple[str, ...] = ()
        else:
            summary = (
                f"HER2-ultralow{as_of(her2)}: the T-DXd label requires HR-positive disease; "
                "ER/PR not on file"
            )
            missing = ("ER/PR status",)
        return her2_finding(
            TDXD_RULE,
            summary,
            [
                *reasoning_of(her2),
                "T-DXd is approved for HER2-ultralow (IHC 0 with faint, incomplete membrane "
                "staining) only in HR-positive disease after at least one endocrine therapy "
                "for metastatic disease (DESTINY-Breast06, FDA 2025-01-27).",
            ],
            her2,
            orders,
            missing=missing,
            extra="ultralow-hr",
        )
    return _unscored(her2, subtype, hr, pid, orders)


def _unscored(
    her2: Her2Assessment,
    subtype: Her2NegativeSubtype,
    hr: bool | None,
    pid: str,
    orders: Sequence[DraftOrder],
) -> Finding:
    """HER2-0 (no staining), IHC 0 without a staining report, or a negative call without an IHC
    score: outside the label, or confirm the subtype before T-DXd."""
    if subtype is Her2NegativeSubtype.ZERO:
        return her2_finding(
            TDXD_RULE,
            f"HER2 IHC 0 without membrane staining{as_of(her2)}: outside the T-DXd label",
            [
                *reasoning_of(her2),
                "T-DXd is labelled for HER2-low (IHC 1+, or 2+ with negative ISH) and, in "
                "HR-positive disease, HER2-ultralow (IHC 0 with faint membrane staining). "
                "IHC 0 with no staining (HER2-null) is outside these populations.",
            ],
            her2,
            orders,
            extra="her2-zero",
        )
    scores = [r.ihc_score for r in her2.results if r.ihc_score is not None]
    if scores and scores[0] is IhcScore.ZERO:
        if hr is False:
            summary = f"HER2 IHC 0{as_of(her2)} with HR-negative disease: outside the T-DXd label"
        else:
            summary = (
                f"HER2 IHC 0{as_of(her2)} without a membrane-staining report: "
                "confirm HER2-ultralow before T-DXd"
            )
        return her2_finding(
            TDXD_RULE,
            summary,
            [
                *reasoning_of(her2),
                "IHC 0 is HER2-ultralow when faint, incomplete membrane staining is seen in up "
                "to 10% of cells, and HER2-0 (null) when there is none. T-DXd is labelled for "
                "HER2-ultralow only in HR-positive disease, and not for HER2-0; the report on "
                "file does not say which.",
            ],
            her2,
            orders,
            missing=("Membrane staining of the IHC 0 result (ultralow vs HER2-0)",),
            extra="ihc0-unspecified",
        )
    return _no_score(her2, pid, orders)


def _no_score(her2: Her2Assessment, pid: str, orders: Sequence[DraftOrder]) -> Finding:
    """A negative call without an IHC score cannot show HER2-low or ultralow."""
    return her2_finding(
        TDXD_RULE,
        f"HER2-negative{as_of(her2)} without an IHC score: confirm HER2-low before T-DXd",
        [
            *reasoning_of(her2),
            "The HER2 result on file gives a negative call but no IHC score, so it cannot show "
            "HER2-low (IHC 1+, or 2+ with negative ISH) or HER2-ultralow, the HER2-negative "
            "populations T-DXd is labelled for.",
        ],
        her2,
        orders,
        missing=("HER2 IHC score (0 / 1+ / 2+ / 3+)",),
        suggestions=(ihc_suggestion(pid, "T-DXd"),),
        extra="no-score",
    )


def _outside_population(
    hook_input: HookInput,
    orders: Sequence[DraftOrder],
    subtype: Her2NegativeSubtype,
    config: CardsConfig,
) -> Finding | None:
    """HER2-low or (HR-positive) ultralow: a warning unless the record places the patient in
    a label population (metastatic disease and the prior therapy the label asks for)."""
    facts = hook_input.facts
    her2 = facts.her2
    label = SUBTYPE_WORDS[subtype]
    check = check_population(facts, subtype.value, config.threshold(CONTINUED_KEY))
    labelled = f"T-DXd is labelled for: {population_texts(check.applicable)}"
    if not facts.disease.metastatic:
        return her2_finding(
            TDXD_RULE,
            f"{label}{as_of(her2)} with no metastatic diagnosis on file: T-DXd is labelled "
            "for metastatic disease",
            [*reasoning_of(her2), labelled, "No metastatic or unresectable disease is on file."],
            her2,
            orders,
            missing=("Diagnosis of metastatic or unresectable disease",),
            lead_db04=subtype is Her2NegativeSubtype.LOW,
            extra="not-metastatic",
        )
    gap = medication_gap(hook_input)
    if gap is not None:
        return _history_gap(gap, label)
    if check.met:
        return None
    phrase = check.missing_phrase()
    if check.unplaced:
        summary = (
            f"{label}{as_of(her2)}: the T-DXd label needs prior {phrase}; its setting is not "
            "on file"
        )
    else:
        summary = f"{label}{as_of(her2)} without prior {phrase}: outside the T-DXd label"
    return her2_finding(
        TDXD_RULE,
        summary,
        [
            *reasoning_of(her2),
            labelled,
            *_population_notes(facts, subtype, check.unplaced, check.early),
        ],
        her2,
        orders,
        missing=_population_missing(facts, subtype, check.unmet, check.unplaced),
        evidence=exposure_evidence([*check.early, *check.unplaced]),
        lead_db04=subtype is Her2NegativeSubtype.LOW
        and facts.hormone_receptors.hr_positive is not True,
        extra="outside-population",
    )


def _history_gap(gap: DataGap, label: str) -> Finding:
    """The medication history could not be had: the label population cannot be checked."""
    return gap_finding(
        TDXD_RULE,
        gap,
        what="Medication history",
        advice=f"confirm the prior therapy the T-DXd {label} label requires",
        consequence="Whether the patient is in a T-DXd label population (prior "
        "chemotherapy or endocrine therapy for metastatic disease) could not be checked.",
        citation=cite("tdxd-her2-low-approval", TDXD_RULE, TDXD_TOPIC),
        dedup_key=f"{TDXD_RULE}:gap",
    )


def _early_note(facts: PatientFacts, exposure: DrugExposure) -> str:
    """Why therapy of the early setting does not count: the label asks for therapy of the
    metastatic setting, and accepts adjuvant chemotherapy only when the relapse came within
    the window (had it, the patient would be placed and no card shown)."""
    name = capitalized(drug_name(exposure.drug))
    ended = last_given(exposure)
    relapse = date(facts.disease.metastatic_since)
    seen = f"{name} is on file, given in the early (adjuvant) setting"
    if "chemotherapy" in exposure.classes:
        months = catalog().her2_low.adjuvant_chemotherapy_relapse_months
        when = (
            f"it ended {date(ended)}, more than {months:g} months before the metastatic "
            f"diagnosis ({relapse})"
            if ended is not None
            else "its end date is not on file"
        )
        return (
            f"{seen}: {when}. The label counts adjuvant chemotherapy only when the relapse came "
            f"within {months:g} months of it; otherwise it needs chemotherapy for metastatic "
            "disease."
        )
    started = f"started {date(exposure.start)}, " if exposure.start is not None else ""
    return (
        f"{seen} ({started}last given {date(ended)}; metastatic diagnosis {relapse}). The "
        "label's HR-positive route (DESTINY-Breast06) needs at least one endocrine therapy "
        "for metastatic disease, so endocrine therapy given in the adjuvant setting, even "
        "with a relapse on it, does not count."
    )


def _population_notes(
    facts: PatientFacts,
    subtype: Her2NegativeSubtype,
    unplaced: Sequence[DrugExposure],
    early: Sequence[DrugExposure] = (),
) -> list[str]:
    notes = [_early_note(facts, e) for e in early]
    notes.append(
        f"No {'other ' if early else ''}prior therapy on file places the patient in one of "
        "these populations. If it was given elsewhere, record it; otherwise T-DXd would be "
        "given outside its label."
    )
    if unplaced:
        notes.append(
            f"{capitalized(drug_names(e.drug for e in unplaced))} is on file, but its setting "
            "(metastatic or adjuvant) could not be determined from the dates on file."
        )
    if subtype is Her2NegativeSubtype.LOW and facts.hormone_receptors.hr_positive is None:
        notes.append(
            "ER/PR is not on file, so the route for HR-positive disease after endocrine "
            "therapy (DESTINY-Breast06) could not be considered."
        )
    return notes


def _population_missing(
    facts: PatientFacts,
    subtype: Her2NegativeSubtype,
    unmet: Sequence[Requirement],
    unplaced: Sequence[DrugExposure],
) -> tuple[str, ...]:
    months = catalog().her2_low.adjuvant_chemotherapy_relapse_months
    missing = []
    for needed in dict.fromkeys(unmet):
        text = capitalized(needed.words)
        if needed.drug_class == "chemotherapy":
            text += f" (or relapse within {months:g} months of adjuvant chemotherapy)"
        missing.append(text)
    missing.extend(f"Setting of {drug_names([e.drug])} (metastatic or adjuvant)" for e in unplaced)
    if subtype is Her2NegativeSubtype.LOW and facts.hormone_receptors.hr_positive is None:
        missing.append("ER/PR status")
    return tuple(missing)


def tdxd_population_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    orders = [
        o for o in hook_input.drafted.selected_in_class(HER2_DIRECTED) if order_drug(o) == T_DXD
    ]
    if not orders or not applies_to(hook_input.facts):
        return ()
    gap = hook_input.gap("tumorMarkers")
    if gap is not None:
        return (
            gap_finding(
                TDXD_RULE,
                gap,
                what="HER2 results",
                advice="confirm the HER2 status before T-DXd",
                consequence="Whether the tumour is HER2-positive, HER2-low or ultralow could "
                "not be checked.",
                citation=cite("tdxd-her2-low-approval", TDXD_RULE, TDXD_TOPIC),
                dedup_key="gap:tumorMarkers",
            ),
        )
    finding = _tdxd(hook_input, orders, config)
    return (finding,) if finding else ()
