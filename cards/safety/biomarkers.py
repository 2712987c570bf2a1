"""C6: HER2-directed therapy against the HER2 result (ASCO/CAP 2018/2023).

Trastuzumab, pertuzumab, T-DM1, the TKIs and margetuximab are for HER2-positive disease
(IHC 3+ or ISH-positive). A negative final call is a biomarker mismatch; IHC 2+ without ISH
is equivocal and needs ISH first; no HER2 result at all needs a test. Results that disagree
while one is positive (a negative metastatic biopsy after a positive primary) leave the
patient eligible and are said as information.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.drafts import order_drug
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names
from cards.phrasing import format_date as date
from cards.safety.drugs import HER2_DIRECTED, T_DXD, drug_names
from cards.safety.gaps import gap_finding
from cards.safety.her2_results import (
    CALL_WORDS,
    MISMATCH_RULE,
    MISMATCH_TOPIC,
    SUBTYPE_WORDS,
    applies_to,
    as_of,
    equivocal_words,
    her2_evidence,
    her2_finding,
    ihc_suggestion,
    reasoning_of,
)
from cards.safety.suggested_orders import test_suggestion
from cards.safety.triggers import drug_ids, order_evidence
from cards.sources import cite
from fhir_mappings import (
    DraftOrder,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2TestKind,
)


def _negative_with_positive_history(her2: Her2Assessment) -> bool:
    return her2.discordant and any(r.call is Her2Call.POSITIVE for r in her2.results)


def _has_ish(her2: Her2Assessment) -> bool:
    return any(
        r.kind is not Her2TestKind.IHC and r.kind is not Her2TestKind.INTERPRETATION
        for r in her2.results
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
        incomplete = _has_ish(her2)  # e.g. a ratio without the copy number: no ASCO/CAP group
        state = "ISH incomplete" if incomplete else "without ISH"
        recorded = equivocal_words(her2)
        specimen = "IHC 2+ specimen" if recorded.endswith("(equivocal)") else "equivocal specimen"
        return her2_finding(
            MISMATCH_RULE,
            fit_names(
                lambda short: (
                    f"{recorded}{as_of(her2)} {state}: ISH required before "
                    + drug_names(ids, short=short)
                )
            ),
            [
                *reasoning_of(her2),
                "IHC 2+ is equivocal under ASCO/CAP 2018: reflex in situ hybridisation on the "
                "same specimen (or test a new specimen) decides whether the tumour is "
                "HER2-positive before HER2-targeted therapy.",
            ],
            her2,
            orders,
            missing=(
                (
                    "Average HER2 copies per cell of the ISH result: the ratio alone fixes "
                    "no ASCO/CAP group",
                )
                if incomplete
                else (f"HER2 ISH result for the {specimen}",)
            ),
            suggestions=(
                test_suggestion(
                    pid, "her2_ish", label="Order HER2 ISH", reason=f"{recorded} before {names}"
                ),
            ),
            extra="ish-required",
        )
    if her2.call is Her2Call.UNKNOWN:
        return _no_call(her2, ids, pid, orders)
    return _negative(her2, ids, orders)


def _no_call(
    her2: Her2Assessment, ids: tuple[str, ...], pid: str, orders: Sequence[DraftOrder]
) -> Finding:
    """No HER2 result, or results that settle no ASCO/CAP call: confirm HER2 status."""
    names = drug_names(ids)
    undecided = bool(her2.results)  # results on file that settle no ASCO/CAP call
    opening = "HER2 results on file are inconclusive" if undecided else "No HER2 result on file"
    return her2_finding(
        MISMATCH_RULE,
        fit_names(
            lambda short: (
                f"{opening}: confirm HER2-positive status before " + drug_names(ids, short=short)
            )
        ),
        [
            *(reasoning_of(her2) if undecided else ()),
            f"{capitalized(names)} {_verb(ids)} indicated for HER2-positive breast cancer "
            "(IHC 3+ or ISH-positive), but "
            + (
                "the tissue HER2 results on file do not settle the ASCO/CAP call."
                if undecided
                else "no tissue HER2 result is on file."
            )
            + " Serum HER2 (shed antigen) does not count.",
        ],
        her2,
        orders,
        missing=(
            ("A HER2 result that settles the ASCO/CAP call (IHC, or ISH with ratio and copies)",)
            if undecided
            else ("No tissue HER2 result (IHC or ISH)",)
        ),
        suggestions=(ihc_suggestion(pid, names),),
        extra="unknown",
    )


def _negative(her2: Her2Assessment, ids: tuple[str, ...], orders: Sequence[DraftOrder]) -> Finding:
    """The final call on file is negative: the drafted drug is for HER2-positive disease."""
    names = drug_names(ids)
    subtype = SUBTYPE_WORDS.get(her2.negative_subtype or Her2NegativeSubtype.UNSPECIFIED)
    call = "HER2-negative" if subtype == "HER2-negative" else f"HER2-negative ({subtype})"
    if _negative_with_positive_history(her2):
        summary = fit_names(
            lambda short: (
                f"HER2 results discordant (latest result negative{as_of(her2)}): "
                f"confirm HER2 status before {drug_names(ids, short=short)}"
            )
        )
    else:
        summary = fit_names(
            lambda short: (
                f"{call}{as_of(her2)}: {drug_names(ids, short=short)} "
                f"{_verb(ids)} for HER2-positive disease"
            )
        )
    advice = (
        " HER2-low disease is a HER2-negative pathway: of the HER2-directed drugs, only T-DXd "
        "is labelled for it."
        if her2.negative_subtype in (Her2NegativeSubtype.LOW, Her2NegativeSubtype.ULTRALOW)
        else ""
    )
    return her2_finding(
        MISMATCH_RULE,
        summary,
        [
            *reasoning_of(her2),
            f"{capitalized(names)} {_verb(ids)} indicated for HER2-positive breast cancer "
            "(IHC 3+ or ISH-positive); "
            f"the final HER2 call on file is negative.{advice}",
        ],
        her2,
        orders,
        extra="mismatch",
    )


def _discordant_positive(hook_input: HookInput) -> Finding | None:
    """Any positive result makes HER2 therapy eligible, but results that disagree (often a
    negative metastatic biopsy after a positive primary) are worth a word: information, on
    order-select only (order-sign shows nothing that is not wrong)."""
    her2 = hook_input.facts.her2
    orders = hook_input.drafted.selected_in_class(HER2_DIRECTED)
    if not (her2.call is Her2Call.POSITIVE and her2.discordant and orders):
        return None
    dated = [r for r in her2.results if r.when is not None]
    if not dated or dated[0].call is Her2Call.POSITIVE:
        latest_words = "latest result positive"
    else:
        latest = dated[0]
        score = f"IHC {latest.ihc_score.value}" if latest.ihc_score else CALL_WORDS[latest.call]
        latest_words = f"latest {score} on {date(latest.when)}; positive before"
    ids = drug_ids(orders)
    return Finding(
        rule=MISMATCH_RULE,
        indicator=Indicator.INFO,
        summary=fit_names(
            lambda short: (
                f"HER2 results discordant ({latest_words}): any positive result allows "
                + drug_names(ids, short=short)
            )
        ),
        reasoning=(
            *reasoning_of(her2),
            "ASCO/CAP 2023 asks to consider prior and concurrent HER2 results (heterogeneity, "
            "preanalytic variables). This service's policy, not a guideline statement: any "
            "HER2-positive result allows HER2-targeted therapy, and the most recent metastatic "
            "result decides HER2-low eligibility. HER2 and hormone-receptor status can change "
            "between the primary tumour and metastases; a re-biopsy of an accessible "
            "metastasis may settle it.",
        ),
        citations=(
            cite("asco-cap-her2-2023", MISMATCH_RULE, MISMATCH_TOPIC),
            cite("asco-cap-her2-2018", MISMATCH_RULE, MISMATCH_TOPIC),
        ),
        data_used=(*her2_evidence(her2), *order_evidence(orders)),
        override_reasons=override_reasons("biomarker"),
        safety=True,
        dedup_key=f"{MISMATCH_RULE}:discordant",
        extra={"state": "discordant-positive"},
    )


def biomarker_mismatch_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    if hook_input.gap("tumorMarkers") is None and applies_to(hook_input.facts):
        discordant = _discordant_positive(hook_input)
        if discordant is not None:
            return (discordant,)
    orders = [
        o for o in hook_input.drafted.selected_in_class(HER2_DIRECTED) if order_drug(o) != T_DXD
    ]
    if not orders or not applies_to(hook_input.facts):
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
