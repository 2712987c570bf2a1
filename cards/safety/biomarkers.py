"""C6 and C7: HER2-directed therapy against the HER2 result (ASCO/CAP 2018/2023).

C6: trastuzumab, pertuzumab, T-DM1, the TKIs and margetuximab are for HER2-positive
disease (IHC 3+ or ISH-positive). A negative final call is a biomarker mismatch; IHC 2+
without ISH is equivocal and needs ISH first; no HER2 result at all needs a test.
C7: T-DXd is also labelled for HER2-low (IHC 1+, or 2+ with negative ISH) and, in
HR-positive disease, HER2-ultralow (IHC 0 with faint membrane staining); IHC 0 without
staining, ultralow without HR-positivity, or a negative call without an IHC score is
outside that population. IHC 2+ without ISH is fine for T-DXd: it is HER2-positive or
HER2-low either way. HER2-low or ultralow is not enough on its own: the label also needs
metastatic disease and prior therapy for it (`tdxd_population`), so a first-line T-DXd in
HER2-low disease is outside the label too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.regimens.catalog import catalog
from cards.safety.drugs import HER2_DIRECTED, T_DXD, drug_names
from cards.safety.gaps import gap_finding
from cards.safety.phrasing import capitalized, date, fit
from cards.safety.sources import cite
from cards.safety.suggested_orders import test_suggestion
from cards.safety.tdxd_population import Requirement, check_population, population_texts
from cards.safety.triggers import (
    drug_ids,
    exposure_evidence,
    order_drug,
    order_evidence,
    selected_in_class,
)
from fhir_mappings import (
    DraftOrder,
    DrugExposure,
    Evidence,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    IhcScore,
    PatientFacts,
)

MISMATCH_RULE = "C6"
TDXD_RULE = "C7"
MISMATCH_TOPIC = "HER2 status and HER2-directed therapy"
TDXD_TOPIC = "T-DXd labelled HER2 population"

SUBTYPE_WORDS = {
    Her2NegativeSubtype.LOW: "HER2-low",
    Her2NegativeSubtype.ULTRALOW: "HER2-ultralow",
    Her2NegativeSubtype.ZERO: "HER2 IHC 0",
    Her2NegativeSubtype.UNSPECIFIED: "HER2-negative",
}


def _her2_evidence(her2: Her2Assessment) -> tuple[Evidence, ...]:
    items = list(her2.basis)
    for result in her2.results[:4]:
        items.extend(result.evidence)
    return tuple(dict.fromkeys(items))


def _as_of(her2: Her2Assessment) -> str:
    return f" ({date(her2.as_of)})" if her2.as_of else ""


def _applies(facts: PatientFacts) -> bool:
    """Breast-cancer HER2 rules; a patient on trastuzumab for another cancer only is not
    judged by them (gastric HER2 scoring differs)."""
    return facts.disease.breast_cancer or not facts.disease.other_trastuzumab_cancers


def _negative_with_positive_history(her2: Her2Assessment) -> bool:
    return her2.discordant and any(r.call is Her2Call.POSITIVE for r in her2.results)


def _result_words(result: Her2Result) -> str:
    """One HER2 result from its structured fields only (request text stays in Evidence)."""
    parts = [f"{result.kind.value.replace('-', ' ')} {date(result.when)}"]
    if result.ihc_score is not None:
        parts.append(f"IHC {result.ihc_score.value}")
    if result.membrane_staining is not None and result.ihc_score is IhcScore.ZERO:
        parts.append("faint membrane staining" if result.membrane_staining else "no staining")
    if result.ish_ratio is not None:
        parts.append(f"HER2/CEP17 ratio {result.ish_ratio:g}")
    if result.ish_copies_per_cell is not None:
        parts.append(f"{result.ish_copies_per_cell:g} HER2 copies/cell")
    if result.ish_group is not None:
        parts.append(f"ISH group {result.ish_group}")
    parts.append(f"call {result.call.value}")
    return ", ".join(parts)


def _reasoning_of(her2: Her2Assessment) -> list[str]:
    lines = [f"HER2 final call: {her2.call.value}{_as_of(her2)}."]
    if her2.results:
        lines.append(
            "Results on file (newest first): "
            + "; ".join(_result_words(r) for r in her2.results[:4])
            + "."
        )
    if her2.discordant:
        lines.append(
            "HER2 results on file disagree over time or between specimens; ASCO/CAP asks to "
            "weigh prior and concurrent results, and a re-biopsy of an accessible metastasis "
            "may settle the status."
        )
    return [" ".join(lines)]


def _ihc_suggestion(patient_id: str, names: str) -> Suggestion:
    return test_suggestion(
        patient_id, "her2_ihc", label="Order HER2 IHC", reason=f"HER2 status before {names}"
    )


def _finding(
    rule: str,
    summary: str,
    reasoning: Sequence[str],
    her2: Her2Assessment,
    orders: Sequence[DraftOrder],
    *,
    missing: Sequence[str] = (),
    suggestions: Sequence[Suggestion] = (),
    evidence: Sequence[Evidence] = (),
    lead_db04: bool = False,
    extra: str,
) -> Finding:
    """`lead_db04`: the HER2-low route after chemotherapy (DESTINY-Breast04) is the one at
    issue, so its source comes before the HR-positive approval (DESTINY-Breast06)."""
    topic = TDXD_TOPIC if rule == TDXD_RULE else MISMATCH_TOPIC
    label_sources = ["tdxd-her2-low-approval", "destiny-breast04"]
    if lead_db04:
        label_sources.reverse()
    citations = (
        tuple(cite(s, rule, topic) for s in label_sources) if rule == TDXD_RULE else ()
    ) + (cite("asco-cap-her2-2018", rule, topic), cite("asco-cap-her2-2023", rule, topic))
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=tuple(reasoning),
        citations=citations,
        data_used=(*_her2_evidence(her2), *evidence, *order_evidence(orders)),
        missing_data=tuple(missing),
        suggestions=tuple(suggestions),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("biomarker"),
        safety=True,
        dedup_key=f"{rule}:{extra}",
        extra={"state": extra},
    )


def _verb(ids: Sequence[str]) -> str:
    return "is" if len(ids) == 1 else "are"


def _mismatch(hook_input: HookInput, orders: Sequence[DraftOrder]) -> Finding | None:
    her2 = hook_input.facts.her2
    ids = drug_ids(orders)
    names = drug_names(ids)
    pid = hook_input.patient_id
    if her2.call is Her2Call.POSITIVE:
        return None
    if her2.call is Her2Call.EQUIVOCAL_PENDING_ISH:
        return _finding(
            MISMATCH_RULE,
            fit(
                lambda short: (
                    f"HER2 IHC 2+ (equivocal){_as_of(her2)} without ISH: ISH required before "
                    + drug_names(ids, short=short)
                )
            ),
            [
                *_reasoning_of(her2),
                "IHC 2+ is equivocal under ASCO/CAP 2018: reflex in situ hybridisation on the "
                "same specimen (or test a new specimen) decides whether the tumour is "
                "HER2-positive before HER2-targeted therapy.",
            ],
            her2,
            orders,
            missing=("HER2 ISH result for the IHC 2+ specimen",),
            suggestions=(
                test_suggestion(
                    pid, "her2_ish", label="Order HER2 ISH", reason=f"HER2 IHC 2+ before {names}"
                ),
            ),
            extra="ish-required",
        )
    if her2.call is Her2Call.UNKNOWN:
        return _finding(
            MISMATCH_RULE,
            fit(
                lambda short: (
                    "No HER2 result on file: confirm HER2-positive status before "
                    + drug_names(ids, short=short)
                )
            ),
            [
                f"{capitalized(names)} {_verb(ids)} indicated for HER2-positive breast cancer "
                "(IHC 3+ or "
                "ISH-positive), "
                "but no tissue HER2 result is on file. Serum HER2 (shed antigen) does not count.",
            ],
            her2,
            orders,
            missing=("No tissue HER2 result (IHC or ISH)",),
            suggestions=(_ihc_suggestion(pid, names),),
            extra="unknown",
        )
    subtype = SUBTYPE_WORDS.get(her2.negative_subtype or Her2NegativeSubtype.UNSPECIFIED)
    if _negative_with_positive_history(her2):
        summary = fit(
            lambda short: (
                f"HER2 results discordant (latest call negative{_as_of(her2)}): "
                f"confirm HER2 status before {drug_names(ids, short=short)}"
            )
        )
    else:
        summary = fit(
            lambda short: (
                f"HER2-negative ({subtype}){_as_of(her2)}: {drug_names(ids, short=short)} "
                f"{_verb(ids)} for HER2-positive disease"
            )
        )
    advice = (
        " HER2-low disease is a HER2-negative pathway: of the HER2-directed drugs, only T-DXd "
        "is labelled for it."
        if her2.negative_subtype in (Her2NegativeSubtype.LOW, Her2NegativeSubtype.ULTRALOW)
        else ""
    )
    return _finding(
        MISMATCH_RULE,
        summary,
        [
            *_reasoning_of(her2),
            f"{capitalized(names)} {_verb(ids)} indicated for HER2-positive breast cancer "
            "(IHC 3+ or ISH-positive); "
            f"the final HER2 call on file is negative.{advice}",
        ],
        her2,
        orders,
        extra="mismatch",
    )


def _tdxd(hook_input: HookInput, orders: Sequence[DraftOrder]) -> Finding | None:
    facts = hook_input.facts
    her2 = facts.her2
    pid = hook_input.patient_id
    if her2.call in (Her2Call.POSITIVE, Her2Call.EQUIVOCAL_PENDING_ISH):
        return None
    if her2.call is Her2Call.UNKNOWN:
        return _finding(
            TDXD_RULE,
            "No HER2 result on file: test HER2 before T-DXd",
            [
                "T-DXd is labelled for HER2-positive, HER2-low and (HR-positive) HER2-ultralow "
                "breast cancer; each needs a tissue HER2 result with an IHC score.",
            ],
            her2,
            orders,
            missing=("No tissue HER2 result (IHC or ISH)",),
            suggestions=(_ihc_suggestion(pid, "T-DXd"),),
            extra="unknown",
        )
    subtype = her2.negative_subtype or Her2NegativeSubtype.UNSPECIFIED
    hr = facts.hormone_receptors.hr_positive
    if subtype is Her2NegativeSubtype.LOW:
        return _outside_population(hook_input, orders, subtype)
    if subtype is Her2NegativeSubtype.ULTRALOW:
        if hr is True:
            return _outside_population(hook_input, orders, subtype)
        if hr is False:
            summary = (
                f"HER2-ultralow{_as_of(her2)} with HR-negative disease: outside the T-DXd label"
            )
            missing: tuple[str, ...] = ()
        else:
            summary = (
                f"HER2-ultralow{_as_of(her2)}: the T-DXd label requires HR-positive disease; "
                "ER/PR not on file"
            )
            missing = ("ER/PR status",)
        return _finding(
            TDXD_RULE,
            summary,
            [
                *_reasoning_of(her2),
                "T-DXd is approved for HER2-ultralow (IHC 0 with faint, incomplete membrane "
                "staining) only in HR-positive disease after at least one endocrine therapy "
                "for metastatic disease (DESTINY-Breast06, FDA 2025-01-27).",
            ],
            her2,
            orders,
            missing=missing,
            extra="ultralow-hr",
        )
    if subtype is Her2NegativeSubtype.ZERO:
        return _finding(
            TDXD_RULE,
            f"HER2 IHC 0 without membrane staining{_as_of(her2)}: outside the T-DXd label",
            [
                *_reasoning_of(her2),
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
            summary = f"HER2 IHC 0{_as_of(her2)} with HR-negative disease: outside the T-DXd label"
        else:
            summary = (
                f"HER2 IHC 0{_as_of(her2)} without a membrane-staining report: "
                "confirm HER2-ultralow before T-DXd"
            )
        return _finding(
            TDXD_RULE,
            summary,
            [
                *_reasoning_of(her2),
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
    return _finding(
        TDXD_RULE,
        f"HER2-negative{_as_of(her2)} without an IHC score: confirm HER2-low before T-DXd",
        [
            *_reasoning_of(her2),
            "The HER2 result on file gives a negative call but no IHC score, so it cannot show "
            "HER2-low (IHC 1+, or 2+ with negative ISH) or HER2-ultralow, the HER2-negative "
            "populations T-DXd is labelled for.",
        ],
        her2,
        orders,
        missing=("HER2 IHC score (0 / 1+ / 2+ / 3+)",),
        suggestions=(_ihc_suggestion(pid, "T-DXd"),),
        extra="no-score",
    )


MEDICATION_GAPS = ("medicationRequests", "medicationStatements", "medicationAdministrations")


def _outside_population(
    hook_input: HookInput, orders: Sequence[DraftOrder], subtype: Her2NegativeSubtype
) -> Finding | None:
    """HER2-low or (HR-positive) ultralow: a warning unless the record places the patient in
    a label population (metastatic disease and the prior therapy the label asks for)."""
    facts = hook_input.facts
    her2 = facts.her2
    label = SUBTYPE_WORDS[subtype]
    check = check_population(facts, subtype.value)
    labelled = f"T-DXd is labelled for: {population_texts(check.applicable)}"
    if not facts.disease.metastatic:
        return _finding(
            TDXD_RULE,
            f"{label}{_as_of(her2)} with no metastatic diagnosis on file: T-DXd is labelled "
            "for metastatic disease",
            [*_reasoning_of(her2), labelled, "No metastatic or unresectable disease is on file."],
            her2,
            orders,
            missing=("Diagnosis of metastatic or unresectable disease",),
            lead_db04=subtype is Her2NegativeSubtype.LOW,
            extra="not-metastatic",
        )
    gap = next((g for g in map(hook_input.gap, MEDICATION_GAPS) if g is not None), None)
    if gap is not None:
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
    if check.met:
        return None
    phrase = check.missing_phrase()
    if check.unplaced:
        summary = (
            f"{label}{_as_of(her2)}: the T-DXd label needs prior {phrase}; its setting is not "
            "on file"
        )
    else:
        summary = f"{label}{_as_of(her2)} without prior {phrase}: outside the T-DXd label"
    return _finding(
        TDXD_RULE,
        summary,
        [
            *_reasoning_of(her2),
            labelled,
            *_population_notes(facts, subtype, check.unplaced),
        ],
        her2,
        orders,
        missing=_population_missing(facts, subtype, check.unmet, check.unplaced),
        evidence=exposure_evidence(check.unplaced),
        lead_db04=subtype is Her2NegativeSubtype.LOW
        and facts.hormone_receptors.hr_positive is not True,
        extra="outside-population",
    )


def _population_notes(
    facts: PatientFacts, subtype: Her2NegativeSubtype, unplaced: Sequence[DrugExposure]
) -> list[str]:
    notes = [
        "No prior therapy on file places the patient in one of these populations. If it was "
        "given elsewhere, record it; otherwise T-DXd would be given outside its label."
    ]
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


def _discordant_positive(hook_input: HookInput) -> Finding | None:
    """Any positive result makes HER2 therapy eligible, but results that disagree (often a
    negative metastatic biopsy after a positive primary) are worth a word: information, on
    order-select only (order-sign shows nothing that is not wrong)."""
    her2 = hook_input.facts.her2
    orders = selected_in_class(hook_input, HER2_DIRECTED)
    if not (her2.call is Her2Call.POSITIVE and her2.discordant and orders):
        return None
    dated = [r for r in her2.results if r.when is not None]
    if not dated or dated[0].call is Her2Call.POSITIVE:
        latest_words = "latest call positive"
    else:
        latest = dated[0]
        score = f"IHC {latest.ihc_score.value}" if latest.ihc_score else latest.call.value
        latest_words = f"latest {score} on {date(latest.when)}; positive before"
    ids = drug_ids(orders)
    return Finding(
        rule=MISMATCH_RULE,
        indicator=Indicator.INFO,
        summary=fit(
            lambda short: (
                f"HER2 results discordant ({latest_words}): any positive result allows "
                + drug_names(ids, short=short)
            )
        ),
        reasoning=(
            *_reasoning_of(her2),
            "ASCO/CAP 2023 asks to consider prior and concurrent HER2 results (heterogeneity, "
            "preanalytic variables); any HER2-positive result makes the patient eligible for "
            "HER2-targeted therapy. HER2 and hormone-receptor status can change between the "
            "primary tumour and metastases: a re-biopsy of an accessible metastasis may "
            "settle it, and the most recent metastatic result decides HER2-low eligibility.",
        ),
        citations=(
            cite("asco-cap-her2-2023", MISMATCH_RULE, MISMATCH_TOPIC),
            cite("asco-cap-her2-2018", MISMATCH_RULE, MISMATCH_TOPIC),
        ),
        data_used=(*_her2_evidence(her2), *order_evidence(orders)),
        override_reasons=override_reasons("biomarker"),
        safety=True,
        dedup_key=f"{MISMATCH_RULE}:discordant",
        extra={"state": "discordant-positive"},
    )


def biomarker_mismatch_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    if hook_input.gap("tumorMarkers") is None and _applies(hook_input.facts):
        discordant = _discordant_positive(hook_input)
        if discordant is not None:
            return (discordant,)
    orders = [o for o in selected_in_class(hook_input, HER2_DIRECTED) if order_drug(o) != T_DXD]
    if not orders or not _applies(hook_input.facts):
        return ()
    gap = hook_input.gap("tumorMarkers")
    if gap is not None:
        ids = drug_ids(orders)
        return (
            gap_finding(
                MISMATCH_RULE,
                gap,
                what="HER2 results",
                advice=lambda short: (
                    f"confirm HER2-positive status before {drug_names(ids, short=short)}"
                ),
                consequence="Whether the tumour is HER2-positive could not be checked.",
                citation=cite("asco-cap-her2-2018", MISMATCH_RULE, MISMATCH_TOPIC),
                dedup_key="gap:tumorMarkers",
            ),
        )
    finding = _mismatch(hook_input, orders)
    return (finding,) if finding else ()


def tdxd_population_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    orders = [o for o in selected_in_class(hook_input, HER2_DIRECTED) if order_drug(o) == T_DXD]
    if not orders or not _applies(hook_input.facts):
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
    finding = _tdxd(hook_input, orders)
    return (finding,) if finding else ()
