"""C1: LVEF missing or overdue before or during a HER2 antibody, and the patient-view
summary of cardiac monitoring (last LVEF, baseline, when the next one is due).

Each antibody's label sets how often LVEF must be measured (every 3 months for
trastuzumab, pertuzumab, T-DM1 and margetuximab; "regular intervals" for T-DXd, here a
configurable default; margetuximab also wants a reading within 4 weeks before its first
dose). When several are ordered together the strictest interval applies. Once the latest
reading meets a label row (a withhold, or "continue and repeat"), the label's own repeat
interval replaces the routine one: the summary must not promise three months when C2 says
repeat in three to four weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cards.detail import check_locally
from cards.drafts import order_drug
from cards.findings import Citation, Finding, Indicator
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import (
    SUMMARY_LIMIT,
    capitalized,
    days_between,
    fit_names,
    interval,
    percent,
)
from cards.phrasing import (
    format_date as date,
)
from cards.safety.cardiac_scope import (
    baseline,
    cardiac_drugs,
    current_cardiac_exposures,
    disease_context,
    is_continuing,
    last_anthracycline,
    latest_dated,
)
from cards.safety.drugs import SafetyDrug, drug_names
from cards.safety.gaps import gap_finding
from cards.safety.lvef_thresholds import AfterAnthracycline, SettingTable, lvef_table
from cards.safety.lvef_verdict import (
    DrugVerdict,
    Verdict,
    carry_companions,
    companion_candidates,
    judge_drug,
)
from cards.safety.suggested_orders import echo_suggestion
from cards.safety.triggers import exposure_evidence, order_evidence
from cards.sources import cite, resolve
from fhir_mappings import Evidence, LvefMeasurement

RULE = "C1"
SUMMARY_RULE = "cardiac-summary"
TOPIC = "LVEF monitoring"
DEDUP = "cardiac-monitoring"  # C1 replaces the patient-view summary when it fires


@dataclass(frozen=True)
class Requirement:
    """How recent the LVEF must be for one drug, and why."""

    drug: SafetyDrug
    days: float
    before_first_dose: bool


def requirement(hook_input: HookInput, config: CardsConfig, drug: SafetyDrug) -> Requirement:
    assert drug.lvef_interval is not None  # the table requires it with an LVEF table
    starting = not is_continuing(hook_input, config, drug)
    if starting and drug.lvef_start_window is not None:
        return Requirement(drug, config.threshold(drug.lvef_start_window), True)
    return Requirement(drug, config.threshold(drug.lvef_interval), starting)


def strictest(requirements: Sequence[Requirement]) -> Requirement:
    return min(requirements, key=lambda r: r.days)


def _context_words(hook_input: HookInput, names: str) -> str:
    return f"on {names}" if hook_input.hook is Hook.PATIENT_VIEW else f"before {names}"


def _drug_evidence(
    hook_input: HookInput, config: CardsConfig, drugs: Sequence[SafetyDrug]
) -> tuple[Evidence, ...]:
    ids = {d.id for d in drugs}
    if hook_input.hook is Hook.PATIENT_VIEW:
        current = current_cardiac_exposures(hook_input.facts, config)
        return exposure_evidence(e for e in current if e.drug in ids)
    orders = [o for o in hook_input.selected_orders if order_drug(o) in ids]
    return order_evidence(orders)


def _interval_paragraph(requirements: Sequence[Requirement]) -> str:
    parts = []
    for r in requirements:
        when = (
            "within" if r.before_first_dose and r.drug.lvef_start_window else "approximately every"
        )
        scope = " before the first dose" if when == "within" else ""
        parts.append(f"{r.drug.display}: LVEF {when} {interval(r.days)}{scope}")
    return "Label monitoring: " + "; ".join(parts) + "."


def _label_citations(drugs: Sequence[SafetyDrug]) -> tuple[Citation, ...]:
    return tuple(dict.fromkeys(cite(d.label_source, RULE, TOPIC) for d in drugs))


def _lvef_due(
    hook_input: HookInput,
    state: str,
    *,
    summary: str,
    reasoning: tuple[str, ...],
    citations: tuple[Citation, ...],
    data_used: tuple[Evidence, ...],
    missing: str,
    echo_reason: str,
) -> Finding:
    """A C1 warning that an LVEF is needed (`state`: missing, overdue, before-anthracycline),
    with an echocardiogram to order."""
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=reasoning,
        citations=citations,
        data_used=data_used,
        missing_data=(missing,),
        suggestions=(echo_suggestion(hook_input.patient_id, echo_reason),),
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=DEDUP,
        extra={"state": state},
    )


def _no_lvef(
    hook_input: HookInput,
    config: CardsConfig,
    requirements: Sequence[Requirement],
    undated: LvefMeasurement | None,
) -> Finding:
    drugs = [r.drug for r in requirements]
    ids = [d.id for d in drugs]
    names = drug_names(ids)
    missing = "No LVEF on file" if undated is None else "The only LVEF on file is undated"
    return _lvef_due(
        hook_input,
        "missing",
        summary=fit_names(
            lambda short: (
                f"No {'dated ' if undated else ''}LVEF on file "
                + _context_words(hook_input, drug_names(ids, short=short))
                + ": order an echocardiogram"
            )
        ),
        reasoning=(
            f"{capitalized(names)} can cause left ventricular dysfunction. The label "
            "requires an LVEF (echocardiogram or MUGA) before the first dose and during "
            "treatment.",
            _interval_paragraph(requirements),
        ),
        citations=_label_citations(drugs),
        data_used=((undated.evidence,) if undated else ())
        + _drug_evidence(hook_input, config, drugs),
        missing=missing,
        echo_reason=f"LVEF before {names}",
    )


def _overdue(
    hook_input: HookInput,
    config: CardsConfig,
    requirements: Sequence[Requirement],
    latest: LvefMeasurement,
    age_days: int,
) -> Finding:
    drugs = [r.drug for r in requirements]
    ids = [d.id for d in drugs]
    rule_of = strictest(requirements)
    within = rule_of.before_first_dose and rule_of.drug.lvef_start_window
    due = "within" if within else "approximately every"  # the labels' "approximately"
    last = f"{percent(latest.percent)} on {date(latest.when)}"
    return _lvef_due(
        hook_input,
        "overdue",
        summary=fit_names(
            lambda short: (
                f"LVEF overdue {_context_words(hook_input, drug_names(ids, short=short))}"
                f": last {last}, {age_days} days ago (due {due} {interval(rule_of.days)})"
            )
        ),
        reasoning=(
            f"The latest LVEF ({last}) is {age_days} days old. {rule_of.drug.display} requires "
            f"LVEF {due} {interval(rule_of.days)}"
            + (" before the first dose." if due == "within" else " during treatment."),
            _interval_paragraph(requirements),
        ),
        citations=_label_citations(drugs),
        data_used=(latest.evidence, *_drug_evidence(hook_input, config, drugs)),
        missing=f"Last LVEF {last}, {age_days} days ago",
        echo_reason=f"LVEF monitoring on {drug_names(ids)}",
    )


def _post_anthracycline_rule(
    hook_input: HookInput, config: CardsConfig, drug: SafetyDrug
) -> tuple[SettingTable, AfterAnthracycline] | None:
    """The table asking for an LVEF after the anthracycline, when `drug` is being started."""
    if drug.lvef_table is None or is_continuing(hook_input, config, drug):
        return None
    table = lvef_table(drug.lvef_table)
    for setting in table.for_context(disease_context(hook_input.facts, drug)):
        after = setting.start_minimum.after_anthracycline
        if after is not None:
            return setting, after
    return None


def _before_anthracycline(
    hook_input: HookInput,
    config: CardsConfig,
    drugs: Sequence[SafetyDrug],
    latest: LvefMeasurement,
) -> Finding | None:
    """Starting pertuzumab after an anthracycline with only an LVEF from before it: the label
    wants the LVEF after the anthracycline (a footnote the reference marks unverified)."""
    last = last_anthracycline(hook_input.facts)
    if last is None or latest.when is None or latest.when >= last[0]:
        return None
    ruled = [(d, r) for d in drugs if (r := _post_anthracycline_rule(hook_input, config, d))]
    if not ruled:
        return None
    setting, after = ruled[0][1]
    ruled_drugs = [d for d, _ in ruled]
    # Its companions start with it (pertuzumab with trastuzumab): name them on the card.
    companions = {c.table for _, (s, _) in ruled for c in lvef_table(s.table).companions}
    named = ruled_drugs + [d for d in drugs if d.lvef_table in companions and d not in ruled_drugs]
    ids = [d.id for d in named]
    when, shown = last
    mark = check_locally(after.verification)
    return _lvef_due(
        hook_input,
        "before-anthracycline",
        summary=fit_names(
            lambda short: (
                f"No LVEF since the last anthracycline dose ({date(when)}) "
                + _context_words(hook_input, drug_names(ids, short=short))
                + ": order an echocardiogram"
            )
        ),
        reasoning=(
            f"{after.text}{mark}",
            f"The latest LVEF ({percent(latest.percent)} on {date(latest.when)}) was measured "
            f"before the last anthracycline dose ({date(when)}), so it does not show the LVEF "
            f"after the anthracycline (required ≥{percent(after.percent)}).",
        ),
        citations=(cite(setting.source, RULE, TOPIC), cite("perjeta-label", RULE, TOPIC)),
        data_used=(latest.evidence, *shown, *_drug_evidence(hook_input, config, named)),
        missing=f"LVEF after the last anthracycline dose ({date(when)})",
        echo_reason=f"LVEF after the anthracycline, before {drug_names(ids)}",
    )


def lvef_monitoring_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    drugs = cardiac_drugs(hook_input, config)
    if not drugs:
        return ()
    names = drug_names(d.id for d in drugs)
    gap = hook_input.gap("lvef")
    if gap is not None:
        return (
            gap_finding(
                RULE,
                gap,
                what="LVEF",
                advice=lambda short: (
                    "verify LVEF "
                    + _context_words(hook_input, drug_names((d.id for d in drugs), short=short))
                ),
                consequence=(
                    "Neither the monitoring interval nor the label withhold criteria could be "
                    f"checked for {names}."
                ),
                citation=cite(drugs[0].label_source, RULE, TOPIC),
                dedup_key=DEDUP,
            ),
        )
    requirements = [requirement(hook_input, config, d) for d in drugs]
    latest = latest_dated(hook_input.facts)
    if latest is None:
        undated = hook_input.facts.lvef.latest
        return (_no_lvef(hook_input, config, requirements, undated),)
    assert latest.when is not None
    stale = _before_anthracycline(hook_input, config, drugs, latest)
    if stale is not None:
        return (stale,)
    age = days_between(latest.when, hook_input.facts.as_of)
    if age > strictest(requirements).days:
        return (_overdue(hook_input, config, requirements, latest, age),)
    return ()


# --- patient-view summary ------------------------------------------------------------------

THRESHOLD_WORDS = {
    Verdict.DISCONTINUE: "withhold criteria met",
    Verdict.WITHHOLD: "withhold criteria met",
    Verdict.SETTING_UNCERTAIN: "withhold criteria may apply",
    Verdict.UNDETERMINED: "withhold criteria may apply",
    Verdict.REPEAT: "label asks for a repeat",
}


def label_repeat(
    hook_input: HookInput, config: CardsConfig, drugs: Sequence[SafetyDrug]
) -> DrugVerdict | None:
    """The label row the latest LVEF meets that wants the soonest repeat, if any."""
    own = [v for v in (judge_drug(hook_input, config, d) for d in drugs) if v]
    timed = [
        v
        for v in carry_companions(own, companion_candidates(hook_input, config))
        if v.criterion is not None and v.verdict in THRESHOLD_WORDS
    ]
    return min(timed, key=lambda v: v.criterion.repeat_days if v.criterion else 0, default=None)


def _alerted(
    hook_input: HookInput, config: CardsConfig, drugs: Sequence[SafetyDrug]
) -> frozenset[str]:
    """The drugs an LVEF threshold card (C2) warns about or withholds."""
    own = [v for v in (judge_drug(hook_input, config, d) for d in drugs) if v]
    return frozenset(
        v.drug.id
        for v in carry_companions(own, companion_candidates(hook_input, config))
        if v.verdict.indicator in (Indicator.WARNING, Indicator.CRITICAL)
    )


def _summary_text(names: str, last: str, base_text: str, due_clause: str) -> str:
    """With the baseline when it fits in a summary, without it otherwise."""
    full = f"On {names}: last LVEF {last} ({base_text}); {due_clause}"
    return full if len(full) <= SUMMARY_LIMIT else f"On {names}: last LVEF {last}; {due_clause}"


def _next_due(
    hook_input: HookInput,
    config: CardsConfig,
    drugs: Sequence[SafetyDrug],
    last_when: datetime,
    rule_of: Requirement,
) -> tuple[str, str]:
    """When the next LVEF is due (summary clause, paragraph): the routine interval, or a
    label row's earlier repeat."""
    due = last_when + timedelta(days=rule_of.days)
    due_clause = f"next due by {date(due)}"
    due_paragraph = f"Next LVEF due by {date(due)}."
    repeat = label_repeat(hook_input, config, drugs)
    if repeat is not None and repeat.criterion is not None:
        due = last_when + timedelta(days=repeat.criterion.repeat_days)
        due_clause = f"{THRESHOLD_WORDS[repeat.verdict]}: repeat LVEF by {date(due)}"
        due_paragraph = (
            f"The latest LVEF meets the {resolve(repeat.table.source).short} row "
            f"'{repeat.criterion.criterion}' (see the LVEF threshold card): "
            f"{repeat.criterion.instruction} Next LVEF due by {date(due)}, not at the "
            "routine interval."
        )
    return due_clause, due_paragraph


def cardiac_summary_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    """An information card for a patient on a HER2 antibody: where monitoring stands."""
    if hook_input.hook is not Hook.PATIENT_VIEW:
        return ()
    drugs = cardiac_drugs(hook_input, config)
    if not drugs or hook_input.gap("lvef") is not None:
        return ()
    # one card per problem: a warning or critical LVEF card speaks for its drugs
    drugs = tuple(d for d in drugs if d.id not in _alerted(hook_input, config, drugs))
    if not drugs:
        return ()
    facts = hook_input.facts
    names = drug_names(d.id for d in drugs)
    requirements = [requirement(hook_input, config, d) for d in drugs]
    rule_of = strictest(requirements)
    latest = latest_dated(facts)
    if latest is None or latest.when is None:
        return ()  # C1 warns
    base = baseline(facts, config)
    due_clause, due_paragraph = _next_due(hook_input, config, drugs, latest.when, rule_of)
    base_text = (
        f"baseline {percent(base.percent)} on {date(base.when)}" if base else "no baseline on file"
    )
    last = f"{percent(latest.percent)} on {date(latest.when)}"
    recent = [m for m in facts.lvef.measurements if m.when is not None][:6]
    return (
        Finding(
            rule=SUMMARY_RULE,
            indicator=Indicator.INFO,
            summary=fit_names(
                lambda short: _summary_text(
                    drug_names((d.id for d in drugs), short=short), last, base_text, due_clause
                )
            ),
            reasoning=(
                f"Cardiac monitoring on {names}. Latest LVEF {percent(latest.percent)} on "
                f"{date(latest.when)}; {base_text} (the last LVEF before the first dose of the "
                "current regimen).",
                _interval_paragraph(requirements),
                due_paragraph,
            ),
            citations=tuple(
                dict.fromkeys(
                    cite(d.label_source, SUMMARY_RULE, "Cardiac monitoring") for d in drugs
                )
            ),
            data_used=tuple(
                dict.fromkeys(
                    [m.evidence for m in recent]
                    + ([base.evidence] if base else [])
                    + list(_drug_evidence(hook_input, config, drugs))
                )
            ),
            missing_data=() if base else ("No LVEF before the first dose of the current regimen",),
            override_reasons=override_reasons("monitoring"),
            safety=True,
            dedup_key=DEDUP,
        ),
    )
