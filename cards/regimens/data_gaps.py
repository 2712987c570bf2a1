"""Data the service could not obtain, as the regimen rules need to say it.

A rule that lacks its data must not read the silence as "nothing there": without the
medication history every trastuzumab dose would look like a first (loading) dose and every
patient like a first line; without weight and height no dose can be computed.
"""

from __future__ import annotations

from cards.hook_input import DataGap, HookInput

MEDICATION_KEYS = ("medicationRequests", "medicationAdministrations", "medicationStatements")
BODY_SIZE_KEY = "bodySize"
CONDITIONS_KEY = "conditions"


def medication_gaps(hook_input: HookInput) -> tuple[DataGap, ...]:
    return tuple(g for key in MEDICATION_KEYS if (g := hook_input.gap(key)) is not None)


def described(gaps: tuple[DataGap, ...]) -> tuple[str, ...]:
    """For `Finding.missing_data`: "medication administrations: the FHIR server timed out"."""
    return tuple(
        f"{gap.what[0].upper()}{gap.what[1:]} could not be obtained ({gap.reason})" for gap in gaps
    )


def history_gap_reason(hook_input: HookInput) -> str | None:
    """Why the dose history is incomplete, in one sentence; None when it is complete."""
    gaps = medication_gaps(hook_input)
    if not gaps:
        return None
    listed = "; ".join(f"{g.what} ({g.reason})" for g in gaps)
    return f"Part of the medication history could not be obtained: {listed}."
