"""C8: T-DXd and interstitial lung disease.

ILD/pneumonitis is T-DXd's boxed warning: grade 1 interrupts treatment, grade 2 or higher
stops it for good. ILD on file that is active (or has no status saying it resolved), or that
began after T-DXd was started, is critical at every T-DXd order. A resolved history that did
not arise on T-DXd is a warning when a T-DXd line starts, to be weighed once: the pivotal
trials excluded it, the label does not contraindicate it, and a critical card at every cycle
would teach clinicians to override. The monitoring advice is information given once, when a
T-DXd line starts (order-select only: order-sign shows nothing that is not wrong). The line is
under way when T-DXd was given, or an order of it is open, within `her2_line_course_gap_days`.
The incidence and the grade-by-grade management the cards quote are in
`cards/data/safety_ild.json`. The 6.4 mg/kg gastric dose trap is a dose check and belongs to
the regimen rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from cards.drafts import order_drug
from cards.findings import Citation, Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, KnowledgeError, load_table, override_reasons
from cards.phrasing import format_date as date
from cards.safety.drugs import HER2_DIRECTED, T_DXD
from cards.safety.gaps import gap_finding
from cards.safety.heart_failure import CONDITIONS_GAP_DEDUP
from cards.safety.ild_status import current_ild, ild_since
from cards.safety.line_start import under_way
from cards.safety.suggested_orders import remove_drafts_suggestions
from cards.safety.triggers import order_evidence
from cards.sources import cite, source_ids
from fhir_mappings import DraftOrder, Evidence, PatientFacts

RULE = "C8"
TOPIC = "T-DXd and interstitial lung disease"


@dataclass(frozen=True)
class IldKnowledge:
    pooled_percent: float
    fatal_percent: float
    with_pertuzumab_percent: float
    with_pertuzumab_trial: str
    summary_advice: str
    monitoring: str
    grades: tuple[tuple[str, str, str], ...]  # (grade, action, verification)
    closer_monitoring: str
    source: str

    def incidence(self) -> str:
        """'about 12% pooled incidence, 1% fatal; 12.1% with pertuzumab in DESTINY-Breast09'."""
        return (
            f"about {self.pooled_percent:g}% pooled incidence, {self.fatal_percent:g}% fatal; "
            f"{self.with_pertuzumab_percent:g}% with pertuzumab in {self.with_pertuzumab_trial}"
        )

    def management(self) -> str:
        grades = " ".join(
            f"{grade}: {action}" + ("" if mark == "verified" else f" ({mark})")
            for grade, action, mark in self.grades
        )
        return f"{self.monitoring} {grades} {self.closer_monitoring}".strip()


@cache
def ild_knowledge() -> IldKnowledge:
    raw = cast(Mapping[str, Any], load_table("safety_ild"))
    named = [raw["source"], raw["incidence"]["source"], raw["incidence_with_pertuzumab"]["source"]]
    unknown = [s for s in named if s not in source_ids()]
    if unknown:
        raise KnowledgeError(f"safety_ild.json names unknown sources {unknown}")
    return IldKnowledge(
        pooled_percent=float(raw["incidence"]["pooled_percent"]),
        fatal_percent=float(raw["incidence"]["fatal_percent"]),
        with_pertuzumab_percent=float(raw["incidence_with_pertuzumab"]["percent"]),
        with_pertuzumab_trial=str(raw["incidence_with_pertuzumab"]["trial"]),
        summary_advice=str(raw["summary_advice"]),
        monitoring=str(raw["monitoring"]),
        grades=tuple(
            (str(g["grade"]), str(g["action"]), str(g["verification"])) for g in raw["grades"]
        ),
        closer_monitoring=str(raw["closer_monitoring"]),
        source=str(raw["source"]),
    )


def tdxd_line_under_way(facts: PatientFacts, config: CardsConfig) -> bool:
    """T-DXd given, or ordered with the order still open, within the course gap: not a start."""
    return under_way(facts, config, T_DXD)


def ild_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    orders = [
        o for o in hook_input.drafted.selected_in_class(HER2_DIRECTED) if order_drug(o) == T_DXD
    ]
    if not orders:
        return ()
    ild = ild_knowledge()
    citation = cite(ild.source, RULE, TOPIC)
    gap = hook_input.gap("conditions")
    if gap is not None:
        return (
            gap_finding(
                RULE,
                gap,
                what="The problem list",
                advice="check for ILD/pneumonitis (and heart failure) before T-DXd",
                consequence="A history of interstitial lung disease or pneumonitis could not be "
                "checked.",
                citation=citation,
                dedup_key=CONDITIONS_GAP_DEDUP,
            ),
        )
    facts = hook_input.facts
    evidence = facts.conditions.interstitial_lung_disease
    serious = (*current_ild(evidence), *ild_since(evidence, _first_tdxd(facts)))
    if serious:
        return (_ild_on_file(hook_input, ild, citation, orders, tuple(dict.fromkeys(serious))),)
    if tdxd_line_under_way(facts, config):
        return ()  # advice and a resolved history are for the start of the line
    if evidence:
        return (_ild_history(ild, citation, orders, evidence),)
    return (_monitoring_advice(ild, citation, orders),)


def _first_tdxd(facts: PatientFacts) -> datetime | None:
    """The first T-DXd on file: the order's start or the earliest dose."""
    exposure = facts.therapy.of_drug(T_DXD)
    if exposure is None:
        return None
    dates = [d for d in (exposure.start, *(e.when for e in exposure.doses)) if d is not None]
    return min(dates, default=None)


def _recorded(evidence: Sequence[Evidence]) -> str:
    dated = [e.when for e in evidence if e.when is not None]
    return f" (recorded {date(max(dated))})" if dated else ""


def _ild_on_file(
    hook_input: HookInput,
    ild: IldKnowledge,
    citation: Citation,
    orders: Sequence[DraftOrder],
    evidence: tuple[Evidence, ...],
) -> Finding:
    """Active (or unstated) ILD, or ILD that arose on T-DXd: critical at every order."""
    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=(
            f"ILD/pneumonitis on file{_recorded(evidence)}: T-DXd boxed warning; "
            "grade ≥2 ILD means permanent discontinuation"
        ),
        reasoning=(
            "The record lists interstitial lung disease or pneumonitis that is active (or has "
            "no status saying it resolved), or that began after T-DXd was started. T-DXd causes "
            f"ILD/pneumonitis ({ild.incidence()}) and carries a boxed warning; patients "
            "with a history of non-infectious ILD were excluded from the pivotal trials.",
            "If the ILD was grade 2 or higher on T-DXd, T-DXd must not be restarted. "
            "Otherwise weigh the risk with a pulmonologist before treatment. " + ild.management(),
        ),
        citations=(citation,),
        data_used=(*evidence, *order_evidence(orders)),
        suggestions=remove_drafts_suggestions(hook_input, [T_DXD]),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("contraindication"),
        safety=True,
        dedup_key=RULE,
        withholds=frozenset({T_DXD}),
    )


def _ild_history(
    ild: IldKnowledge,
    citation: Citation,
    orders: Sequence[DraftOrder],
    evidence: Sequence[Evidence],
) -> Finding:
    """A resolved ILD history before T-DXd: a warning when the line starts, not at each cycle."""
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=(
            f"Past ILD/pneumonitis, resolved{_recorded(evidence)}: weigh it before starting "
            "T-DXd (boxed warning)"
        ),
        reasoning=(
            "The record lists interstitial lung disease or pneumonitis marked as resolved (or "
            "inactive), which did not begin on T-DXd. T-DXd causes ILD/pneumonitis "
            f"({ild.incidence()}) and carries a boxed warning; the pivotal trials excluded "
            "patients with a history of non-infectious ILD that needed steroids, and the label "
            "has no contraindication. Weigh the risk with a pulmonologist before starting.",
            ild.management(),
            "This card is shown when T-DXd starts, not at each cycle. ILD that is active again, "
            "or that arises on T-DXd, is critical at every order.",
        ),
        citations=(citation,),
        data_used=(*evidence, *order_evidence(orders)),
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=RULE,
    )


def _monitoring_advice(
    ild: IldKnowledge, citation: Citation, orders: Sequence[DraftOrder]
) -> Finding:
    """The ILD monitoring advice given when a T-DXd line starts (information)."""
    return Finding(
        rule=RULE,
        indicator=Indicator.INFO,
        summary=f"T-DXd: monitor for ILD/pneumonitis; {ild.summary_advice}",
        reasoning=(
            f"ILD/pneumonitis is the boxed warning of T-DXd ({ild.incidence()}).",
            ild.management(),
            "This advice is shown once, when T-DXd starts; it is not repeated at each cycle.",
        ),
        citations=(citation,),
        data_used=order_evidence(orders),
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=f"{RULE}:advice",
    )
