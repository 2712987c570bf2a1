"""Heart failure or cardiomyopathy on file with a HER2-directed order.

The labels say discontinue trastuzumab for cardiomyopathy and T-DM1/T-DXd for symptomatic
heart failure; ASCO 2022 leaves clinical heart failure or a significantly compromised LVEF
to a case-by-case decision (SAFE-HEaRt: cardio-oncology co-management). A warning, with
the diagnosis as recorded, lets the prescriber confirm that this was weighed: before a
HER2-directed order, and on patient-view for the HER2 drugs she is on (a diagnosis made
during treatment must be seen before the next cycle is planned). A problem list the EHR
could not send is said on the order hooks, where the check guards a dose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.findings import Finding, Indicator
from cards.hook_input import DataGap, Hook, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names
from cards.phrasing import format_date as date
from cards.safety.drugs import HER2_DIRECTED, drug_names, safety_drug
from cards.safety.gaps import gap_finding
from cards.safety.suggested_orders import echo_suggestion
from cards.safety.triggers import drugs_in_play
from cards.sources import cite

RULE = "heart-failure"
TOPIC = "Heart failure with HER2-directed therapy"
CONDITIONS_GAP_DEDUP = "gap:conditions"


def _conditions_gap(ids: Sequence[str], label: str, gap: DataGap) -> Finding:
    """The problem list could not be obtained: say what could not be checked."""
    return gap_finding(
        RULE,
        gap,
        what="The problem list",
        advice=lambda short: (
            f"check for heart failure and ILD before {drug_names(ids, short=short)}"
        ),
        consequence=(
            "A history of heart failure, cardiomyopathy or interstitial lung disease "
            "could not be checked."
        ),
        citation=cite(label, RULE, TOPIC),
        dedup_key=CONDITIONS_GAP_DEDUP,
    )


def heart_failure_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    ids, shown = drugs_in_play(hook_input, config, HER2_DIRECTED)
    if not ids:
        return ()
    names = drug_names(ids)
    label = next((d.label_source for d in map(safety_drug, ids) if d), "herceptin-label")
    patient_view = hook_input.hook is Hook.PATIENT_VIEW
    when = "on" if patient_view else "before"
    gap = hook_input.gap("conditions")
    if gap is not None and not patient_view:
        return (_conditions_gap(ids, label, gap),)
    evidence = hook_input.facts.conditions.heart_failure
    if not evidence or gap is not None:
        return ()
    dated = [e.when for e in evidence if e.when is not None]
    since = f" (recorded {date(max(dated))})" if dated else ""
    return (
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=fit_names(
                lambda short: (
                    f"Heart failure or cardiomyopathy on file{since}: review cardiac "
                    f"risk {when} {drug_names(ids, short=short)}"
                )
            ),
            reasoning=(
                f"The record lists heart failure, cardiomyopathy or LV systolic dysfunction. "
                f"{capitalized(names)} can worsen left ventricular function: the "
                "trastuzumab label says to discontinue for cardiomyopathy, and the T-DM1 and "
                "T-DXd labels for symptomatic heart failure.",
                "ASCO 2022 recommends HER2-targeted therapy except in clinical heart failure or "
                "significantly compromised LVEF, which are judged case by case; SAFE-HEaRt "
                "supports continuing with cardio-oncology co-management and close LVEF "
                "monitoring.",
            ),
            citations=(
                cite(label, RULE, TOPIC),
                cite("asco-2022-her2-mbc", RULE, TOPIC),
                cite("safe-heart", RULE, TOPIC),
            ),
            data_used=(*evidence, *shown),
            suggestions=(
                echo_suggestion(hook_input.patient_id, f"Heart failure on file; {when} {names}"),
            ),
            override_reasons=override_reasons("cardiac"),
            safety=True,
            dedup_key=RULE,
        ),
    )
