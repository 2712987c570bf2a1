"""Warnings for safety checks that could not run because data were not obtained.

A safety rule that lacks its data must not fall silent: the clinician would read silence
as "checked, nothing wrong". Each rule turns the DataGap it depends on into a warning that
says what could not be retrieved and what to verify by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from cards.findings import Citation, Finding, Indicator
from cards.hook_input import DataGap
from cards.knowledge import override_reasons
from cards.phrasing import BREVITY_LEVELS, SUMMARY_LIMIT

Advice = str | Callable[[int], str]  # the advice, or a function of the names' brevity


def gap_summary(what: str, reason: str, advice: Advice) -> str:
    """'LVEF could not be retrieved from the EHR (the FHIR server timed out); verify ...',
    dropping the reason, then shortening the drug names, until the sentence fits a summary;
    a last resort keeps the sentence whole and leaves the drugs to the detail."""
    said = advice if callable(advice) else (lambda _: advice)
    attempts = [f"{what} could not be retrieved from the EHR ({reason}); {said(0)}"]
    attempts += [f"{what} could not be retrieved from the EHR; {said(b)}" for b in BREVITY_LEVELS]
    attempts.append(f"{what} could not be retrieved from the EHR; check it before signing")
    return next((a for a in attempts if len(a) <= SUMMARY_LIMIT), attempts[-1])


def gap_finding(
    rule: str,
    gap: DataGap,
    *,
    what: str,
    advice: Advice,
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
