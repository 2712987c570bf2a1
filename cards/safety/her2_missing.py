"""HER2 status not on file for a patient on HER2-directed therapy (patient-view).

Order-select says it when a HER2 agent is drafted (C6); a chart opened for a patient already
on trastuzumab, pertuzumab, T-DM1, T-DXd or a HER2 TKI must say it too, or the clinician reads
the cardiac summary alone as "all checked". The advice follows the source documents' pitfall
(docs/clinical-knowledge.md §4.5, [SEED-000], [SEED-004]): find and record the HER2 test, or test
tissue, preferring a re-biopsy of an accessible metastasis, because HER2 status can change as
the disease progresses. Results on file that settle no ASCO/CAP call are said the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.findings import Citation, Finding, Indicator
from cards.hook_input import DataGap, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names
from cards.safety.drugs import HER2_DIRECTED, T_DXD, drug_names
from cards.safety.gaps import gap_finding
from cards.safety.her2_results import applies_to, her2_evidence, ihc_suggestion, reasoning_of
from cards.safety.triggers import drugs_in_play
from cards.sources import cite
from fhir_mappings import Her2Call

RULE = "her2-not-on-file"
TOPIC = "HER2 status of a patient on HER2-directed therapy"
_RE_BIOPSY = (
    "If no result exists, test tumour tissue: the archived primary or, better, a biopsy of an "
    "accessible metastasis, since HER2 status can change as the disease progresses and a "
    "failure to re-biopsy accessible metastases is a known pitfall. Serum HER2 (shed antigen) "
    "does not count."
)


def _results_gap(drugs: Sequence[str], gap: DataGap, citation: Citation) -> Finding:
    """The tumour markers could not be obtained: say the HER2 status could not be checked."""
    return gap_finding(
        RULE,
        gap,
        what="HER2 results",
        advice=lambda short: f"confirm the HER2 status behind {drug_names(drugs, short=short)}",
        consequence="Whether the tumour's HER2 status supports it could not be checked.",
        citation=citation,
        dedup_key="gap:tumorMarkers",
    )


def her2_not_on_file_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    facts = hook_input.facts
    drugs, exposure = drugs_in_play(hook_input, config, HER2_DIRECTED)
    if not drugs or not applies_to(facts):
        return ()
    citation = cite("asco-cap-her2-2018", RULE, TOPIC)
    gap = hook_input.gap("tumorMarkers")
    if gap is not None:
        return (_results_gap(drugs, gap, citation),)
    her2 = facts.her2
    if her2.call is not Her2Call.UNKNOWN:
        return ()
    undecided = bool(her2.results)
    opening = "HER2 results on file are inconclusive" if undecided else "HER2 status not on file"
    names = drug_names(drugs)
    return (
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=fit_names(
                lambda short: (
                    f"{opening} for a patient on {drug_names(drugs, short=short)}: "
                    "confirm HER2 status"
                )
            ),
            reasoning=(
                *(reasoning_of(her2) if undecided else ()),
                f"{capitalized(names)} {'is' if len(drugs) == 1 else 'are'} given for "
                "HER2-positive breast cancer"
                + (" (T-DXd also for HER2-low or -ultralow)" if T_DXD in drugs else "")
                + ", but "
                + (
                    "the tissue HER2 results on file settle no ASCO/CAP call."
                    if undecided
                    else "no tissue HER2 result (IHC or ISH) is on file."
                )
                + " Find the pathology report and record its HER2 result.",
                _RE_BIOPSY,
            ),
            citations=(
                citation,
                cite("asco-cap-her2-2023", RULE, TOPIC),
            ),
            data_used=(*her2_evidence(her2), *exposure),
            missing_data=(
                "A HER2 result that settles the ASCO/CAP call (IHC, or ISH with ratio and copies)"
                if undecided
                else "No tissue HER2 result (IHC or ISH)",
            ),
            suggestions=(ihc_suggestion(hook_input.patient_id, names),),
            override_reasons=override_reasons("biomarker"),
            safety=True,
            dedup_key=RULE,
        ),
    )
