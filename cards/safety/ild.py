"""C8: T-DXd and interstitial lung disease.

ILD/pneumonitis is T-DXd's boxed warning (about 12% pooled, 1% fatal): grade 1 interrupts
treatment, grade 2 or higher stops it for good. A history of ILD or pneumonitis on file
with a T-DXd order is critical; every T-DXd order also carries the monitoring advice as
information (order-select only: order-sign shows nothing that is not wrong). The 6.4 mg/kg
gastric dose trap is a dose check and belongs to the regimen rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.safety.drugs import HER2_DIRECTED, T_DXD
from cards.safety.gaps import gap_finding
from cards.safety.heart_failure import CONDITIONS_GAP_DEDUP
from cards.safety.phrasing import date
from cards.safety.sources import cite
from cards.safety.suggested_orders import remove_drafts_suggestions
from cards.safety.triggers import order_drug, order_evidence, selected_in_class

RULE = "C8"
TOPIC = "T-DXd and interstitial lung disease"

MONITORING = (
    "Monitor for cough, dyspnoea, fever and new respiratory symptoms at every visit, and "
    "evaluate promptly (imaging; consider a pulmonologist) if they occur. Grade 1 (asymptomatic) "
    "ILD: interrupt T-DXd until grade 0; resume at the same dose if resolved within 28 days, "
    "otherwise reduce one level; consider corticosteroids. Grade 2 or higher: permanently "
    "discontinue and start corticosteroids promptly. Patients with moderate renal impairment "
    "need closer monitoring."
)


def ild_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    orders = [o for o in selected_in_class(hook_input, HER2_DIRECTED) if order_drug(o) == T_DXD]
    if not orders:
        return ()
    citation = cite("enhertu-ild", RULE, TOPIC)
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
    evidence = hook_input.facts.conditions.interstitial_lung_disease
    if evidence:
        dated = [e.when for e in evidence if e.when is not None]
        recorded = f" (recorded {date(max(dated))})" if dated else ""
        return (
            Finding(
                rule=RULE,
                indicator=Indicator.CRITICAL,
                summary=(
                    f"ILD/pneumonitis on file{recorded}: T-DXd boxed warning; "
                    "grade ≥2 ILD means permanent discontinuation"
                ),
                reasoning=(
                    "The record lists interstitial lung disease or pneumonitis. T-DXd causes "
                    "ILD/pneumonitis in about 12% of patients (1% fatal) and carries a boxed "
                    "warning; patients with a history of non-infectious ILD were excluded from "
                    "the pivotal trials.",
                    "If the ILD was grade 2 or higher on T-DXd, T-DXd must not be restarted. "
                    "Otherwise weigh the risk with a pulmonologist before treatment. " + MONITORING,
                ),
                citations=(citation,),
                data_used=(*evidence, *order_evidence(orders)),
                suggestions=remove_drafts_suggestions(hook_input, [T_DXD]),
                selection_behavior="at-most-one",
                override_reasons=override_reasons("contraindication"),
                safety=True,
                dedup_key=RULE,
            ),
        )
    return (
        Finding(
            rule=RULE,
            indicator=Indicator.INFO,
            summary="T-DXd: monitor for ILD/pneumonitis; interrupt for grade 1, stop for grade ≥2",
            reasoning=(
                "ILD/pneumonitis is the boxed warning of T-DXd (about 12% pooled incidence, 1% "
                "fatal; 12.1% with pertuzumab in DESTINY-Breast09).",
                MONITORING,
            ),
            citations=(citation,),
            data_used=order_evidence(orders),
            safety=True,
            dedup_key=f"{RULE}:advice",
        ),
    )
