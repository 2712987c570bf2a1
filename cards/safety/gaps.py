"""Warnings for safety checks that could not run because data were not obtained.

A safety rule that lacks its data must not fall silent: the clinician would read silence
as "checked, nothing wrong". Each rule turns the DataGap it depends on into a warning that
says what could not be retrieved and what to verify by hand.
"""

from __future__ import annotations

from cards.findings import Citation, Finding, Indicator
from cards.hook_input import DataGap
from cards.knowledge import override_reasons

SUMMARY_LIMIT = 139


def gap_summary(what: str, reason: str, advice: str) -> str:
    """'LVEF could not be retrieved from the EHR (the FHIR server timed out); verify ...',
    dropping the reason when the sentence would be too long for a summary."""
    with_reason = f"{what} could not be retrieved from the EHR ({reason}); {advice}"
    if len(with_reason) <= SUMMARY_LIMIT:
        return with_reason
    return f"{what} could not be retrieved from the EHR; {advice}"


def gap_finding(
    rule: str,
    gap: DataGap,
    *,
    what: str,
    advice: str,
    consequence: str,
    citation: Citation,
    dedup_key: str,
) -> Finding:
    """A warning that one safety check could not be done, and what to check instead."""
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING,
        summary=gap_summary(what, gap.reason, advice),
        reasoning=(
            f"The service could not obtain {gap.what} ({gap.reason}). {consequence}",
            "Check the record directly before signing.",
        ),
        citations=(citation,),
        missing_data=(f"{gap.what}: {gap.reason}",),
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=dedup_key,
    )
