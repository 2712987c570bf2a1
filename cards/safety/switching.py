"""The card for a switch of line or product while the old HER2 orders were left open.

C9 (do not substitute) and the duplicate-antibody rule share it: when every active order of
the other product has lapsed (`cards.safety.lapsed`), the new draft is a switch, not a
substitution or a double dose. The harm left is the open order itself (it can be dispensed
again by mistake), so the card is a warning asking to close it. CDS Hooks offers no action to
stop an order the service did not receive (only `update` of a resource it holds), so the
advice is in words; removing the new draft stays available as a non-recommended alternative,
for the case where the new drug was not intended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from cards.findings import Citation, Finding, Indicator, Suggestion
from cards.knowledge import override_reasons
from cards.safety.drugs import drug_name, drug_names
from cards.safety.phrasing import capitalized, date, fit
from cards.safety.triggers import exposure_evidence, order_evidence
from fhir_mappings import DraftOrder, DrugExposure


def switch_finding(
    *,
    rule: str,
    drafts: Sequence[DraftOrder],
    drafted_ids: Sequence[str],
    lapsed: Sequence[tuple[DrugExposure, datetime]],
    caution: str,
    citations: tuple[Citation, ...],
    alternative: Suggestion | None,
    dedup_key: str,
) -> Finding:
    """'Switching to T-DXd: close the open trastuzumab and pertuzumab orders (last given …)'.

    `caution` is the rule's own sentence for the case where the old drug is still meant to be
    given (C9: different drugs, do not substitute; duplicates: the antibody would be doubled).
    """
    old_ids = list(dict.fromkeys(e.drug for e, _ in lapsed))
    last = max(when for _, when in lapsed)
    when = date(last)

    def summary(short: int) -> str:
        new = drug_names(drafted_ids, short=max(short, 1))
        old = drug_names(old_ids, short=short)
        return f"Switching to {new}: close the open {old} orders (last given {when})"

    each = "; ".join(f"{drug_name(e.drug)} last given {date(w)}" for e, w in lapsed)
    verb = "is" if len(old_ids) == 1 else "are"
    reasoning = (
        f"{capitalized(drug_names(drafted_ids))} is being ordered while "
        f"{drug_names(old_ids)} {verb} still ordered as active, but no dose has been given "
        f"for longer than the interval plus the re-load grace ({each}): the schedule has "
        "lapsed, so this looks like a change of line or product.",
        f"Close (discontinue) the open {drug_names(old_ids)} order(s) in the EHR, so that the "
        "old drug is not dispensed again; this service cannot close an order it did not "
        f"receive. {caution}",
    )
    suggestions = (replace(alternative, is_recommended=False),) if alternative else ()
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING,
        summary=fit(summary),
        reasoning=reasoning,
        citations=citations,
        data_used=(*order_evidence(drafts), *exposure_evidence([e for e, _ in lapsed])),
        suggestions=suggestions,
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=dedup_key,
    )
