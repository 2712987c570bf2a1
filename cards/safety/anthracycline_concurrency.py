"""C3: HER2 antibodies and anthracyclines together.

The trastuzumab boxed warning: cardiomyopathy risk is greatest when trastuzumab is given
with an anthracycline; pertuzumab and the HER2 antibody-drug conjugates follow the same
sequencing (anthracycline phase first, HER2 therapy after). So a HER2 antibody ordered
while an anthracycline is active or drafted, or an anthracycline ordered while a HER2
antibody is, is critical, with the offending draft offered for removal. An anthracycline
ordered soon after the last trastuzumab or margetuximab dose (the antibody persists for
months) gets a warning.

What is current is the mapping's one definition (`fhir_mappings.exposure`). On the HER2 side
of the AC -> HER2 sequence: anthracycline orders open and the next dose not yet due is the
overlap (critical); orders open with the next dose due is the sequence with the old orders
left open (one warning to close them, `cards.safety.switching`); doses alone within the cycle
ask to confirm the phase is complete (warning); AC orders completed or stopped: no card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cards.current import current_in_class, state
from cards.detail import check_locally
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, days_between, fit_names
from cards.phrasing import format_date as date
from cards.safety.drugs import (
    ANTHRACYCLINE,
    HER2_ANTIBODY_CARDIAC,
    MARGETUXIMAB,
    TRASTUZUMAB_CONTAINING,
    drug_names,
    safety_drug,
)
from cards.safety.gaps import gap_finding
from cards.safety.lapsed import Placed, Standing, place_all
from cards.safety.suggested_orders import remove_orders_suggestion
from cards.safety.switching import switch_finding
from cards.safety.triggers import (
    drug_ids,
    exposure_evidence,
    last_given,
    medication_gap,
    order_evidence,
)
from cards.sources import cite
from fhir_mappings import DAYS_PER_MONTH, CurrentBasis, DraftOrder, DrugExposure

RULE = "C3"
CHEMOTHERAPY = "chemotherapy"  # the AC partner (cyclophosphamide) is closed with it
TOPIC = "HER2 antibody with an anthracycline"


def _label_source(her2_ids: Sequence[str]) -> str:
    for drug_id in her2_ids:
        drug = safety_drug(drug_id)
        if drug is not None and drug.id in ("trastuzumab", "trastuzumab-sc"):
            return drug.label_source
    return "herceptin-label"


def _how(active: Sequence[DrugExposure], drafted: Sequence[DraftOrder]) -> str:
    """'active', 'drafted' or 'active and drafted', for the partner drug."""
    states = (["active"] if active else []) + (["drafted"] if drafted else [])
    return " and ".join(states)


def _anthracyclines(hook_input: HookInput, config: CardsConfig) -> dict[Standing, list[Placed]]:
    facts = hook_input.facts
    return place_all(facts.therapy.of_class(ANTHRACYCLINE), facts.as_of, config)


@dataclass(frozen=True)
class _Overlap:
    """The drafts on each side of an overlap, and what is being given on each side."""

    her2_side: tuple[DraftOrder, ...]
    anthra_side: tuple[DraftOrder, ...]
    her2_active: tuple[DrugExposure, ...]
    anthra_active: tuple[DrugExposure, ...]
    her2_drafts: tuple[DraftOrder, ...]
    anthra_drafts: tuple[DraftOrder, ...]
    her2_is_new: bool  # the HER2 antibody is the drug being ordered


def _overlap(hook_input: HookInput, config: CardsConfig) -> _Overlap | None:
    facts = hook_input.facts
    her2_selected = hook_input.drafted.selected_in_class(HER2_ANTIBODY_CARDIAC)
    anthra_selected = hook_input.drafted.selected_in_class(ANTHRACYCLINE)
    her2_active = current_in_class(facts, HER2_ANTIBODY_CARDIAC, config=config)
    # an anthracycline is being given when its order is open and its next dose not yet due;
    # doses alone end the AC phase HER2 therapy follows (_recent_anthracycline), an open order
    # with the next dose due is a switch with the old orders left open (_open_ac_orders)
    anthra_active = tuple(
        p.exposure
        for p in _anthracyclines(hook_input, config)[Standing.MID_CYCLE]
        if p.state.basis is CurrentBasis.OPEN_ORDER
    )
    her2_drafts = hook_input.drafted.in_class(HER2_ANTIBODY_CARDIAC)
    anthra_drafts = hook_input.drafted.in_class(ANTHRACYCLINE)
    her2_side: list[DraftOrder] = []
    anthra_side: list[DraftOrder] = []
    her2_is_new = bool(her2_selected and (anthra_active or anthra_drafts))
    if her2_is_new:
        her2_side = list(her2_selected)
        anthra_side = list(anthra_drafts)
    if anthra_selected and (her2_active or her2_drafts):
        anthra_side = list(dict.fromkeys([*anthra_side, *anthra_selected]))
        her2_side = list(dict.fromkeys([*her2_side, *her2_drafts]))
    if not her2_side and not anthra_side:
        return None
    return _Overlap(
        tuple(her2_side),
        tuple(anthra_side),
        her2_active,
        anthra_active,
        her2_drafts,
        anthra_drafts,
        her2_is_new,
    )


def _concurrency(hook_input: HookInput, config: CardsConfig) -> Finding | None:
    overlap = _overlap(hook_input, config)
    if overlap is None:
        return None
    o = overlap
    her2_ids = drug_ids(o.her2_side) or tuple(dict.fromkeys(e.drug for e in o.her2_active))
    anthra_ids = drug_ids(o.anthra_side) or tuple(dict.fromkeys(e.drug for e in o.anthra_active))
    her2_names = drug_names(her2_ids)
    anthra_names = drug_names(anthra_ids)

    def summary(short: int) -> str:
        her2 = drug_names(her2_ids, short=short)
        anthra = drug_names(anthra_ids, short=short)
        if o.her2_is_new:
            partner = f" ({anthra} {_how(o.anthra_active, o.anthra_drafts)})"
        else:
            partner = f" ({her2} {_how(o.her2_active, o.her2_drafts)})"
        if short >= 2:
            partner = ""  # the detail says which drug is active and which drafted
        return (
            f"Do not give {her2} with {anthra}{partner}: give HER2 therapy after the anthracycline"
        )

    evidence = (
        *order_evidence(o.her2_side),
        *order_evidence(o.anthra_side),
        *exposure_evidence(o.anthra_active),
        *exposure_evidence(o.her2_active),
    )
    as_of = hook_input.facts.as_of
    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=fit_names(summary),
        reasoning=(
            f"{capitalized(her2_names)} and {anthra_names} would overlap. "
            "The trastuzumab boxed warning states that the risk of cardiomyopathy is greatest "
            "when it is given concurrently with an anthracycline; pertuzumab labeling starts "
            "pertuzumab and trastuzumab only after the anthracycline is completed.",
            "Sequence the regimen (e.g. AC followed by paclitaxel with trastuzumab and "
            "pertuzumab) rather than giving both together.",
            *(
                f"{capitalized(drug_names([e.drug]))}: {state(e, as_of, config).why}."
                for e in [*o.anthra_active, *o.her2_active]
            ),
        ),
        citations=(
            cite(_label_source(her2_ids), RULE, TOPIC),
            cite("perjeta-label", RULE, TOPIC),
        ),
        data_used=tuple(dict.fromkeys(evidence)),
        suggestions=_removals(o, her2_names, anthra_names),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("contraindication"),
        safety=True,
        dedup_key=f"{RULE}:concurrent",
        withholds=_not_now(o.her2_side, o.anthra_side),
    )


def _removals(o: _Overlap, her2_names: str, anthra_names: str) -> tuple[Suggestion, ...]:
    suggestions: list[Suggestion] = []
    for orders, names in ((o.her2_side, her2_names), (o.anthra_side, anthra_names)):
        suggestion = remove_orders_suggestion(orders, f"Remove the {names} order")
        if suggestion is not None:
            suggestions.append(suggestion)
    return tuple(suggestions)


def _not_now(her2_side: Sequence[DraftOrder], anthra_side: Sequence[DraftOrder]) -> frozenset[str]:
    """The drafted drugs the card says not to give now, so no dose advice stands beside it.
    The anthracycline phase comes first, so the drafted HER2 antibody waits; an anthracycline
    drafted while a HER2 antibody is being given (none drafted) is the one not to give."""
    return frozenset(drug_ids(her2_side) or drug_ids(anthra_side))


def _washout(hook_input: HookInput, config: CardsConfig) -> Finding | None:
    """An anthracycline ordered within months of the last trastuzumab/margetuximab dose."""
    anthra_selected = hook_input.drafted.selected_in_class(ANTHRACYCLINE)
    facts = hook_input.facts
    if not anthra_selected or current_in_class(facts, HER2_ANTIBODY_CARDIAC, config=config):
        return None
    recent: list[tuple[DrugExposure, datetime, float]] = []
    for exposure in facts.therapy.exposures:
        if TRASTUZUMAB_CONTAINING in exposure.classes:
            window = config.threshold("trastuzumab_anthracycline_washout_days")
        elif exposure.drug == MARGETUXIMAB:
            window = config.threshold("margetuximab_anthracycline_washout_days")
        else:
            continue
        given = last_given(exposure)
        if given is not None and days_between(given, facts.as_of) < window:
            recent.append((exposure, given, window))
    if not recent:
        return None
    exposure, given, window = max(recent, key=lambda r: r[1])
    anthra_names = drug_names(drug_ids(anthra_selected))
    her2_name = drug_names([exposure.drug])
    ago = days_between(given, facts.as_of)
    # the interval is from label memory (trastuzumab) or secondary label summaries
    # (margetuximab): the card says so in clinical words
    mark = check_locally("unverified" if exposure.drug != MARGETUXIMAB else "corroborated")
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=(
            f"{capitalized(anthra_names)} ordered {ago} days after the last "
            f"{her2_name} ({date(given)}): the antibody may still be circulating"
        ),
        reasoning=(
            f"The last {her2_name} was on {date(given)}, {ago} days ago. The antibody persists "
            f"in the circulation for months; anthracyclines are avoided for about "
            f"{round(window / DAYS_PER_MONTH)} months after stopping it if possible, and if "
            "one is used cardiac function should be monitored carefully.",
            f"About {round(window / DAYS_PER_MONTH)} months is the labels' interval{mark}.",
        ),
        citations=(
            cite(
                "margenza-secondary" if exposure.drug == MARGETUXIMAB else "herceptin-label",
                RULE,
                TOPIC,
            ),
        ),
        data_used=(*exposure_evidence([exposure]), *order_evidence(anthra_selected)),
        override_reasons=override_reasons("cardiac"),
        safety=True,
        dedup_key=f"{RULE}:washout",
    )


def _recent_anthracycline(hook_input: HookInput, config: CardsConfig) -> Finding | None:
    """HER2 therapy drafted while an anthracycline is current by its doses alone (given
    within its cycle plus the grace, no order on file): the record cannot tell the last dose
    of the AC phase (the standard sequence) from a course still running, so it asks instead
    of forbidding. AC orders completed or stopped end the phase: no question then."""
    her2_selected = hook_input.drafted.selected_in_class(HER2_ANTIBODY_CARDIAC)
    facts = hook_input.facts
    placed = _anthracyclines(hook_input, config)
    recent = [
        p.exposure
        for p in (*placed[Standing.MID_CYCLE], *placed[Standing.DUE])
        if p.state.basis is CurrentBasis.RECENT_DOSE and p.exposure.last_dose is not None
    ]
    if not her2_selected or not recent:
        return None
    exposure = max(recent, key=lambda e: e.last_dose or facts.as_of)
    assert exposure.last_dose is not None
    her2_ids = drug_ids(her2_selected)
    anthra = drug_names([exposure.drug])
    ago = days_between(exposure.last_dose, facts.as_of)
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=fit_names(
            lambda short: (
                f"{capitalized(anthra)} given {ago:.0f} days ago: confirm the anthracycline "
                f"phase is complete before {drug_names(her2_ids, short=short)}"
            )
        ),
        reasoning=(
            f"{capitalized(anthra)} was last given on {date(exposure.last_dose)}, within its "
            "treatment cycle, and no order shows whether more cycles are planned. HER2 "
            "antibodies must not be given concurrently with an anthracycline (trastuzumab "
            "boxed warning); they start once the anthracycline phase is complete.",
        ),
        citations=(
            cite(_label_source(her2_ids), RULE, TOPIC),
            cite("perjeta-label", RULE, TOPIC),
        ),
        data_used=(*order_evidence(her2_selected), *exposure_evidence([exposure])),
        override_reasons=override_reasons("contraindication"),
        safety=True,
        dedup_key=f"{RULE}:recent",
    )


def anthracycline_concurrency_findings(
    hook_input: HookInput, config: CardsConfig
) -> Iterable[Finding]:
    her2_selected = hook_input.drafted.selected_in_class(HER2_ANTIBODY_CARDIAC)
    anthra_selected = hook_input.drafted.selected_in_class(ANTHRACYCLINE)
    if not her2_selected and not anthra_selected:
        return ()
    findings: list[Finding] = []
    concurrency = _concurrency(hook_input, config)
    if concurrency is not None:
        findings.append(concurrency)
    else:
        gap = medication_gap(hook_input)
        if gap is not None:
            ids = drug_ids([*her2_selected, *anthra_selected])
            findings.append(
                gap_finding(
                    RULE,
                    gap,
                    what="Medication history",
                    advice=lambda short: (
                        "check for an active anthracycline or HER2 antibody "
                        + (f"before {drug_names(ids, short=short)}" if short < 2 else "first")
                    ),
                    consequence=(
                        "Whether an anthracycline, a HER2 antibody or another trastuzumab "
                        "product (trastuzumab, T-DM1, T-DXd: not interchangeable) is already "
                        "active could not be checked."
                    ),
                    citation=cite("herceptin-label", RULE, TOPIC),
                    dedup_key=f"{RULE}:gap",
                )
            )
    washout = _washout(hook_input, config)
    if washout is not None and concurrency is None:
        findings.append(washout)
    recent = _recent_anthracycline(hook_input, config) if concurrency is None else None
    if recent is not None:
        findings.append(recent)
    open_orders = _open_ac_orders(hook_input, config) if concurrency is None else None
    if open_orders is not None:
        findings.append(open_orders)
    return findings


def _open_ac_orders(hook_input: HookInput, config: CardsConfig) -> Finding | None:
    """HER2 therapy drafted at the next cycle after the last anthracycline dose while the
    anthracycline orders were left open: close them (a warning, not the overlap)."""
    her2_selected = hook_input.drafted.selected_in_class(HER2_ANTIBODY_CARDIAC)
    open_due = _anthracyclines(hook_input, config)[Standing.DUE_ORDERS_OPEN]
    if not her2_selected or not open_due:
        return None
    her2_ids = drug_ids(her2_selected)
    return switch_finding(
        hook_input,
        rule=RULE,
        drafted_ids=her2_ids,
        drafts=her2_selected,
        open_old=open_due,
        caution=(
            "If more anthracycline cycles are planned, do not start HER2 therapy yet: the "
            "trastuzumab boxed warning states that the risk of cardiomyopathy is greatest when "
            "it is given concurrently with an anthracycline."
        ),
        citations=(
            cite(_label_source(her2_ids), RULE, TOPIC),
            cite("perjeta-label", RULE, TOPIC),
        ),
        companion_class=CHEMOTHERAPY,
        config=config,
    )
