"""C4: cumulative anthracycline dose when another anthracycline dose is ordered.

The doxorubicin label: cardiomyopathy 1-2% at 300 mg/m2, 5-8% at 450, and a total of at
most 550 (400 with chest radiotherapy or other cardiotoxic drugs, trastuzumab among
them); count every prior anthracycline. Mixed histories are converted to doxorubicin
equivalents only where the reference gives a ratio (daunorubicin 0.6, mitoxantrone 10.5);
epirubicin, for which it gives none, is held against its own label limit (900 mg/m2).
A mixed history is judged by the sum of each component's fraction of its limit, so a
single-drug history meets exactly the plain threshold, and the card lists the components,
naming epirubicin's own limit beside the doxorubicin-equivalent sum. Totals are whole mg/m²,
compared as shown: a card never says 899.4, nor 900 while judging 899.6 below the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.drafts import order_drug
from cards.drug_table import known_drug
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import (
    CardsConfig,
    KnowledgeError,
    default_thresholds,
    load_table,
    override_reasons,
)
from cards.phrasing import mg_m2, whole
from cards.safety.drugs import ANTHRACYCLINE, TRASTUZUMAB_CONTAINING
from cards.safety.gaps import gap_finding
from cards.safety.triggers import drug_ids, order_evidence
from cards.sources import cite, source_ids
from fhir_mappings import DraftOrder, Evidence, PatientFacts

RULE = "C4"
TOPIC = "Cumulative anthracycline dose"
WARNING_KEY = "anthracycline_cumulative_warning_mg_m2"
CRITICAL_KEY = "anthracycline_cumulative_critical_mg_m2"
ROUNDING = 6  # mg/m2 decimals kept before comparing with a threshold (299.9999999 is 300)


@dataclass(frozen=True)
class Anthracycline:
    id: str
    display: str
    doxorubicin_ratio: float | None
    warning_key: str | None  # own label limits, when there is no ratio
    critical_key: str | None
    verification: str
    note: str
    source: str


@cache
def anthracyclines() -> Mapping[str, Anthracycline]:
    table = cast(Mapping[str, Any], load_table("safety_anthracyclines"))
    out: dict[str, Anthracycline] = {}
    for drug_id, raw in table["drugs"].items():
        limits = raw["own_limits"]
        entry = Anthracycline(
            id=drug_id,
            display=known_drug(drug_id, "safety_anthracyclines.json").display,
            doxorubicin_ratio=raw["doxorubicin_ratio"],
            warning_key=limits["warning"] if limits else None,
            critical_key=limits["critical"] if limits else None,
            verification=str(raw["verification"]),
            note=str(raw["note"]),
            source=str(raw["source"]),
        )
        for key in (entry.warning_key, entry.critical_key):
            if key is not None and key not in default_thresholds():
                raise KnowledgeError(f"safety_anthracyclines.json: {drug_id} names unknown {key}")
        if entry.source not in source_ids():
            raise KnowledgeError(f"safety_anthracyclines.json: {drug_id} names unknown source")
        out[drug_id] = entry
    return out


@dataclass(frozen=True)
class DoxorubicinLabel:
    """The doxorubicin label's figures the card quotes: risk by cumulative dose and caps."""

    risk: tuple[tuple[float, str], ...]  # (mg/m2, "5-8") cardiomyopathy probability, percent
    max_total: float
    max_total_with_risk_factors: float
    risk_factors: str
    source: str

    def risk_words(self) -> str:
        """'1-2% at 300, 3-5% at 400 and 5-8% at 450 mg/m²'."""
        parts = [f"{p}% at {d:g}" for d, p in self.risk]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{joined} mg/m²"


@cache
def doxorubicin_label() -> DoxorubicinLabel:
    raw = cast(Mapping[str, Any], load_table("safety_anthracyclines"))["doxorubicin_label"]
    if raw["source"] not in source_ids():
        raise KnowledgeError("safety_anthracyclines.json: doxorubicin_label names unknown source")
    return DoxorubicinLabel(
        risk=tuple((float(r["mg_m2"]), str(r["percent"])) for r in raw["cardiomyopathy_risk"]),
        max_total=float(raw["max_total_mg_m2"]),
        max_total_with_risk_factors=float(raw["max_total_with_risk_factors_mg_m2"]),
        risk_factors=str(raw["risk_factors"]),
        source=str(raw["source"]),
    )


@dataclass(frozen=True)
class Component:
    """One anthracycline's cumulative dose: given so far, and with the drafted doses."""

    drug: Anthracycline
    given: float
    ordered: float  # mg/m2 in the drafted orders (0 when none or not convertible)
    administrations: int
    uncounted: int

    @property
    def total(self) -> float:
        """Whole mg/m², the figure the card shows and compares with the limits."""
        return float(whole(self.given + self.ordered))

    @property
    def doxorubicin_equivalent(self) -> float | None:
        ratio = self.drug.doxorubicin_ratio
        return None if ratio is None else float(whole(self.total * ratio))


@dataclass(frozen=True)
class Burden:
    components: tuple[Component, ...]
    warning_fraction: float  # >= 1: at or past the warning limit
    critical_fraction: float
    doxorubicin_equivalent: float  # of the components with a ratio

    @property
    def single_scale(self) -> bool:
        """All counted components convert to doxorubicin (the card can quote one number)."""
        return all(c.drug.doxorubicin_ratio is not None for c in self.counted)

    @property
    def counted(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.total > 0)


def _draft_mg_m2(order: DraftOrder, facts: PatientFacts) -> float | None:
    dose = order.dose
    if dose is None:
        return None
    if dose.unit.replace("²", "2").lower() in ("mg/m2", "mg/m.2"):
        return dose.value
    if dose.mg is not None and facts.body.bsa_m2:
        return dose.mg / facts.body.bsa_m2
    return None


def _ordered_mg_m2(
    facts: PatientFacts, orders: Sequence[DraftOrder], table: Mapping[str, Anthracycline]
) -> tuple[dict[str, float], list[str]]:
    """The drafted doses in mg/m² by drug, and the drafts that could not be converted."""
    missing: list[str] = []
    ordered: dict[str, float] = {}
    for order in orders:
        drug = order_drug(order)
        if drug is None:
            continue
        value = _draft_mg_m2(order, facts)
        if value is None:
            name = table[drug].display if drug in table else drug
            missing.append(f"The drafted {name} dose could not be converted to mg/m²")
            continue
        ordered[drug] = ordered.get(drug, 0.0) + value
    return ordered, missing


def _fractions(
    components: Sequence[Component], facts: PatientFacts, config: CardsConfig
) -> tuple[float, float, float]:
    """The fractions of the warning and critical limits, and the doxorubicin equivalent."""
    warn = config.threshold(WARNING_KEY)
    crit = critical_limit(facts, config)
    warning_fraction = critical_fraction = equivalent = 0.0
    for c in components:
        eq = c.doxorubicin_equivalent
        if eq is not None:
            equivalent += eq
            warning_fraction += eq / warn
            critical_fraction += eq / crit
        elif c.drug.warning_key and c.drug.critical_key:
            warning_fraction += c.total / config.threshold(c.drug.warning_key)
            critical_fraction += c.total / config.threshold(c.drug.critical_key)
    return warning_fraction, critical_fraction, equivalent


def burden(
    facts: PatientFacts, orders: Sequence[DraftOrder], config: CardsConfig
) -> tuple[Burden, list[str]]:
    """The cumulative dose by component and its fractions of the limits; and what is missing."""
    table = anthracyclines()
    given = {t.drug: t for t in facts.therapy.anthracyclines}
    ordered, missing = _ordered_mg_m2(facts, orders, table)
    components: list[Component] = []
    for drug_id in dict.fromkeys([*given, *ordered]):
        if drug_id not in table:
            continue
        total = given.get(drug_id)
        components.append(
            Component(
                drug=table[drug_id],
                given=total.mg_per_m2 if total else 0.0,
                ordered=ordered.get(drug_id, 0.0),
                administrations=total.administrations if total else 0,
                uncounted=total.uncounted if total else 0,
            )
        )
    for c in components:
        if c.uncounted:
            missing.append(
                f"{c.uncounted} {c.drug.display} administration(s) without a dose in mg/m² "
                "were not counted"
            )
    counted_drugs = {t.drug for t in facts.therapy.anthracyclines if t.administrations}
    for exposure in facts.therapy.of_class(ANTHRACYCLINE):
        if exposure.drug not in counted_drugs and exposure.drug in table:
            missing.append(
                f"{table[exposure.drug].display} is on file without administrations to count"
            )
    warning_fraction, critical_fraction, equivalent = _fractions(components, facts, config)
    return (
        Burden(
            components=tuple(components),
            warning_fraction=round(warning_fraction, ROUNDING),
            critical_fraction=round(critical_fraction, ROUNDING),
            doxorubicin_equivalent=round(equivalent, ROUNDING),
        ),
        list(dict.fromkeys(missing)),
    )


def _component_line(c: Component) -> str:
    text = f"{c.drug.display}: {mg_m2(c.given)} given ({c.administrations} administration(s))"
    if c.ordered:
        text += f" + {mg_m2(c.ordered)} drafted"
    eq = c.doxorubicin_equivalent
    if eq is not None and c.drug.doxorubicin_ratio != 1.0:
        text += f" = {mg_m2(eq)} doxorubicin-equivalent (ratio {c.drug.doxorubicin_ratio:g})"
    elif eq is None:
        text += " (no reference ratio to doxorubicin: judged against its own label limit)"
    return f"- {text}"


def critical_limit(facts: PatientFacts, config: CardsConfig) -> float:
    """The doxorubicin-equivalent limit for a critical card: the configured one, or the
    label's lower ceiling for patients with another cardiotoxic drug when trastuzumab is on
    file (the card says that ceiling applies, so the threshold must too)."""
    limit = config.threshold(CRITICAL_KEY)
    if facts.therapy.of_class(TRASTUZUMAB_CONTAINING):
        return min(limit, doxorubicin_label().max_total_with_risk_factors)
    return limit


def _summary(
    b: Burden, indicator: Indicator, config: CardsConfig, drafted: bool, critical: float
) -> str:
    when = "with this order" if drafted else "so far"
    counted = b.counted
    if b.single_scale and counted:
        limit = critical if indicator is Indicator.CRITICAL else config.threshold(WARNING_KEY)
        head = f"Cumulative doxorubicin-equivalent {mg_m2(b.doxorubicin_equivalent)} {when}"
        if indicator is Indicator.CRITICAL:
            return f"{head} reaches the {mg_m2(limit)} limit: reconsider the anthracycline"
        return f"{head} (≥{mg_m2(limit)}): monitor LVEF more often, consider dexrazoxane"
    own = _own_limit_reached(b, indicator, config)
    if own is not None:
        component, limit = own
        head = f"Cumulative {component.drug.display} {mg_m2(component.total)} {when}"
        others = " + ".join(
            f"{c.drug.display} {mg_m2(c.total)}" for c in counted if c is not component
        )
        tail = f"; with {others}" if others else ""
        if indicator is Indicator.CRITICAL:
            return f"{head} reaches its {mg_m2(limit)} label limit{tail}"
        return f"{head} (≥{mg_m2(limit)}): monitor LVEF more often{tail}"
    fraction = b.critical_fraction if indicator is Indicator.CRITICAL else b.warning_fraction
    limit_name = "critical" if indicator is Indicator.CRITICAL else "warning"
    parts = " + ".join(f"{c.drug.display} {mg_m2(c.total)}" for c in counted)
    return f"Cumulative anthracycline {when} at {fraction:.0%} of the {limit_name} limit: {parts}"


def _own_limit_reached(
    b: Burden, indicator: Indicator, config: CardsConfig
) -> tuple[Component, float] | None:
    """A drug judged by its own label limit (epirubicin) that reaches that limit by itself:
    the card names it and its limit first, whatever else is on file."""
    for c in b.counted:
        key = c.drug.critical_key if indicator is Indicator.CRITICAL else c.drug.warning_key
        if c.drug.critical_key is None or c.drug.warning_key is None or key is None:
            continue
        limit = config.threshold(key)
        if c.total >= limit:
            return c, limit
    return None


def _own_limit_lines(b: Burden, config: CardsConfig) -> tuple[str, ...]:
    """Each drug with its own label limit, beside the doxorubicin-equivalent sum."""
    lines = []
    for c in b.counted:
        if c.drug.critical_key is None or c.drug.warning_key is None:
            continue
        lines.append(
            f"{c.drug.display.capitalize()} has no established doxorubicin ratio, so it is held "
            f"against its own label limit: {mg_m2(c.total)} of "
            f"{mg_m2(config.threshold(c.drug.critical_key))} (warning from "
            f"{mg_m2(config.threshold(c.drug.warning_key))})."
        )
    if lines and any(c.doxorubicin_equivalent is not None for c in b.counted):
        lines.append(
            f"The other anthracyclines sum to {mg_m2(b.doxorubicin_equivalent)} "
            "doxorubicin-equivalent; the total is judged by adding each part's fraction of its "
            "own limit."
        )
    return tuple(lines)


def _evidence(facts: PatientFacts, orders: Sequence[DraftOrder]) -> tuple[Evidence, ...]:
    items: list[Evidence] = []
    for total in facts.therapy.anthracyclines:
        items.extend(total.evidence[:8])
    items.extend(order_evidence(orders))
    return tuple(dict.fromkeys(items))


def _reasoning(
    b: Burden, facts: PatientFacts, config: CardsConfig, drafted: bool
) -> tuple[str, ...]:
    """The cumulative dose by drug, the limits and the label's risk, and trastuzumab's share."""
    label = doxorubicin_label()
    reasoning = [
        "Cumulative anthracycline exposure from the administrations on file"
        + (" plus the drafted dose" if drafted else "")
        + ":\n\n"
        + "\n".join(_component_line(c) for c in b.components)
        if b.components
        else "No anthracycline administrations with a dose in mg/m² are on file.",
        f"Limits: doxorubicin-equivalent {mg_m2(config.threshold(WARNING_KEY))} (increase "
        f"LVEF monitoring, consider dexrazoxane) and {mg_m2(critical_limit(facts, config))}. "
        f"The doxorubicin label gives cardiomyopathy in {label.risk_words()}; labels cap the "
        f"total at {label.max_total:g}, or {mg_m2(label.max_total_with_risk_factors)} with "
        f"{label.risk_factors}. Cross-drug sums are approximate.",
    ]
    reasoning.extend(_own_limit_lines(b, config))
    if facts.therapy.of_class(TRASTUZUMAB_CONTAINING):
        reasoning.append(
            "Trastuzumab is on file: its cardiotoxicity adds to the anthracycline's, so the "
            f"lower ({mg_m2(label.max_total_with_risk_factors)}) ceiling of the label is the "
            "relevant one."
        )
    return tuple(reasoning)


def anthracycline_dose_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    orders = hook_input.drafted.selected_in_class(ANTHRACYCLINE)
    if not orders:
        return ()
    facts = hook_input.facts
    names = ", ".join(
        dict.fromkeys(
            anthracyclines()[d].display if d in anthracyclines() else d for d in drug_ids(orders)
        )
    )
    gap = hook_input.gap("medicationAdministrations")
    if gap is not None:
        return (
            gap_finding(
                RULE,
                gap,
                what="Administration history",
                advice=f"check the cumulative anthracycline dose before {names}",
                consequence="The cumulative anthracycline dose could not be computed.",
                citation=cite("doxorubicin-label", RULE, TOPIC),
                dedup_key=RULE,
            ),
        )
    b, missing = burden(facts, orders, config)
    drafted = any(c.ordered for c in b.components)
    if b.critical_fraction >= 1:
        indicator = Indicator.CRITICAL
    elif b.warning_fraction >= 1:
        indicator = Indicator.WARNING
    elif [m for m in missing if "drafted" not in m]:
        indicator = Indicator.WARNING  # history incomplete: the total may be higher
    else:
        return ()
    if indicator is Indicator.WARNING and b.warning_fraction < 1:
        summary = f"Cumulative anthracycline dose incomplete before {names}: check outside records"
    else:
        summary = _summary(b, indicator, config, drafted, critical_limit(facts, config))
    return (
        Finding(
            rule=RULE,
            indicator=indicator,
            summary=summary,
            reasoning=_reasoning(b, facts, config, drafted),
            citations=(
                cite("doxorubicin-label", RULE, TOPIC),
                cite("ighg-equivalence", RULE, TOPIC),
                cite("ellence-label", RULE, TOPIC),
            ),
            data_used=_evidence(facts, orders),
            missing_data=tuple(missing),
            override_reasons=override_reasons("cardiac"),
            safety=True,
            dedup_key=RULE,
            extra={
                "doxorubicin_equivalent": f"{b.doxorubicin_equivalent:g}",
                "warning_fraction": f"{b.warning_fraction:g}",
            },
        ),
    )
