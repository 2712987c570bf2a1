"""Whether an ILD/pneumonitis condition on file is current: its FHIR clinicalStatus, as the
mapping keeps it in the evidence `value`. Active, recurrence, relapse, or no status at all
(never read as resolved) count as current; inactive, resolved and remission are history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fhir_mappings import Evidence

ENDED_STATUSES = frozenset({"inactive", "resolved", "remission"})


def current_ild(evidence: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """The conditions not marked as ended."""
    return tuple(e for e in evidence if e.value not in ENDED_STATUSES)


def ild_since(evidence: Sequence[Evidence], start: datetime | None) -> tuple[Evidence, ...]:
    """The conditions whose onset is on or after `start` (ILD that arose on a drug)."""
    if start is None:
        return ()
    return tuple(e for e in evidence if e.when is not None and e.when >= start)
