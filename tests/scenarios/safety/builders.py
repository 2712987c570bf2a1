"""FHIR JSON for the safety scenarios: a patient's story in a few readable calls.

Built on the shared `tests/scenarios/fhir_builders.py`; drugs are coded the way the mapping's
drug table codes them (RxNorm where it has a code, else the brand/generic name as text, as
EHRs send T-DXd, Phesgo and margetuximab today).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cards import CardsConfig, DataGap, Hook, HookInput
from cards.findings import Finding, Indicator
from cards.rules import rules_of
from fhir_mappings import build_patient_facts, drug_info, read_draft_orders
from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SAFETY_TOPICS = frozenset(r.id for r in rules_of("safety"))
Resource = dict[str, Any]

# Names EHRs use for the drugs the table has no RxNorm code for (§5.4: none verified).
_TEXT = {
    "fam-trastuzumab-deruxtecan": "fam-trastuzumab deruxtecan-nxki (Enhertu)",
    "pertuzumab-trastuzumab-sc": "Phesgo (pertuzumab, trastuzumab, and hyaluronidase-zzxf)",
    "margetuximab": "margetuximab-cmkb (Margenza)",
}


def days_ago(days: float) -> str:
    return fb.days_before(NOW, days)


def _birth_date(age: int) -> str:
    return (NOW - timedelta(days=365.25 * age + 30)).date().isoformat()


def woman(age: int = 56) -> Resource:
    return fb.patient(sex="female", birth_date=_birth_date(age))


def man(age: int = 60) -> Resource:
    return fb.patient(sex="male", birth_date=_birth_date(age))


def _code(drug: str) -> tuple[str | None, str]:
    if drug in _TEXT:
        return None, _TEXT[drug]
    info = drug_info(drug)
    return info.rxnorm_code, info.rxnorm_code_display or info.display


def taking(
    drug: str,
    *,
    since: float,
    doses_every: float | None = 21,
    ended: float | None = None,
    status: str | None = None,
    dose: float | None = None,
    unit: str = "mg",
    last_given: float | None = None,
) -> list[Resource]:
    """An order for `drug` started `since` days ago with its administrations to date (or to
    `ended` days ago, when the course is over). `last_given` stops the administrations that
    many days ago while the order stays open (an order nobody closed)."""
    rxnorm, text = _code(drug)
    last = ended if ended is not None else (last_given or 0)
    order = fb.medication_request(
        rxnorm,
        text,
        status=status or ("completed" if ended is not None else "active"),
        authored=days_ago(since),
        start=days_ago(since),
        end=days_ago(ended) if ended is not None else None,
    )
    given: list[Resource] = []
    if doses_every:
        day = since
        while day >= last:
            given.append(fb.administration(rxnorm, text, when=days_ago(day), dose=dose, unit=unit))
            day -= doses_every
    return [order, *given]


def anthracycline_given(
    drug: str, *, mg_per_m2: float, cycles: int, first: float
) -> list[Resource]:
    """`cycles` completed administrations of `mg_per_m2` each, 21 days apart from `first`."""
    rxnorm, text = _code(drug)
    return [
        fb.administration(rxnorm, text, when=days_ago(first - 21 * i), dose=mg_per_m2, unit="mg/m2")
        for i in range(cycles)
    ]


def ordering(
    drug: str, *, dose: float | None = None, unit: str = "mg", order_id: str | None = None
) -> Resource:
    rxnorm, text = _code(drug)
    return fb.draft_order(
        rxnorm, text, dose=dose, unit=unit, resource_id=order_id or f"draft-{drug}"
    )


def echo(percent: float, *, days: float) -> Resource:
    return fb.lvef(percent, when=days_ago(days))


def her2_positive(days: float = 400) -> Resource:
    return fb.her2_ihc("3+", when=days_ago(days))


def metastatic(days: float = 400) -> list[Resource]:
    return [
        fb.breast_cancer(onset=days_ago(days + 300)),
        fb.metastatic_breast_cancer(onset=days_ago(days)),
    ]


def receptor_status(kind: str, percent: float, *, days: float) -> Resource:
    """ER ('er') or PR ('pr') as percent of stained nuclei."""
    return fb.receptor(kind, percent=percent, when=days_ago(days))


def early_breast_cancer(days: float = 400) -> list[Resource]:
    return [fb.breast_cancer(onset=days_ago(days))]


def heart_failure(days: float = 300) -> Resource:
    return fb.condition("84114007", onset=days_ago(days), display="Heart failure")


def interstitial_lung_disease(days: float = 300) -> Resource:
    return fb.condition("233703007", onset=days_ago(days), display="Interstitial lung disease")


def pregnancy(days: float = 60) -> Resource:
    return fb.condition("77386006", onset=days_ago(days), display="Pregnancy")


def hcg(*, positive: bool, days: float) -> Resource:
    answer = ("LA6576-8", "Positive") if positive else ("LA6577-6", "Negative")
    return fb.observation("2118-8", when=days_ago(days), value=fb.coded(fb.LOINC, *answer))


def size(weight_kg: float = 70, height_cm: float = 165, *, days: float = 3) -> list[Resource]:
    return [fb.weight(weight_kg, when=days_ago(days)), fb.height(height_cm, when=days_ago(days))]


def gap(key: str, what: str, reason: str = "the FHIR server timed out") -> DataGap:
    return DataGap(key=key, what=what, reason=reason)


def flatten(*parts: Any) -> list[Resource]:
    """Resources and (nested) lists of resources, as one flat list."""
    out: list[Resource] = []
    for part in parts:
        if isinstance(part, dict):
            out.append(part)
        else:
            out.extend(flatten(*part))
    return out


def safety_cards(
    hook: str,
    *parts: Any,
    orders: Sequence[Resource] = (),
    selected: Sequence[Resource] | None = None,
    gaps: Sequence[DataGap] = (),
    config: Any = None,
) -> list[dict[str, Any]]:
    """The safety cards of one hook call over FHIR JSON (other rule packages' cards dropped).

    On order-select, `selected` are the orders just selected (all drafted orders by default);
    on order-sign every drafted order is being signed.
    """
    resources = flatten(*parts)
    bundle = fb.draft_bundle(*orders) if orders else None
    chosen = fb.selections(*(selected if selected is not None else orders))
    rendered = run_hook(
        hook,
        resources,
        now=NOW,
        draft_orders=bundle,
        selections=chosen if hook == "order-select" else fb.selections(*orders),
        gaps=gaps,
        config=config,
    )
    return [c for c in rendered if c["source"]["topic"]["code"] in SAFETY_TOPICS]


def safety_findings(
    hook: str,
    *parts: Any,
    orders: Sequence[Resource] = (),
    selected: Sequence[Resource] | None = None,
    config: Any = None,
) -> list[Finding]:
    """The safety rules' findings for the same FHIR JSON, before rendering: what a card
    declares but does not show (`withholds`, `doses_for`), which the renderer acts on."""
    resources = flatten(*parts)
    bundle = fb.draft_bundle(*orders) if orders else None
    chosen = fb.selections(*(selected if selected is not None else orders))
    hook_input = HookInput(
        hook=Hook(hook),
        patient_id=fb.PATIENT_ID,
        facts=build_patient_facts(resources, now=NOW),
        orders=read_draft_orders(
            bundle,
            chosen if hook == "order-select" else fb.selections(*orders),
            hook=hook,
            resources=resources,
        ),
    )
    cfg = config or CardsConfig()
    return [
        f
        for rule in rules_of("safety")
        if Hook(hook) in rule.hooks
        for f in rule.run(hook_input, cfg)
    ]


def withheld(findings: Sequence[Finding]) -> dict[str, frozenset[str]]:
    """Rule -> the drugs its critical findings say not to give now."""
    out: dict[str, frozenset[str]] = {}
    for f in findings:
        if f.indicator is Indicator.CRITICAL and f.withholds:
            out[f.rule] = out.get(f.rule, frozenset()) | f.withholds
    return out


def by_rule(cards: Sequence[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [c for c in cards if c["source"]["topic"]["code"] == rule]


def summaries(cards: Sequence[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in cards]


def actions(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for s in card.get("suggestions", []) for a in s["actions"] if a["type"] == kind]
