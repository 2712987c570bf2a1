"""Drafted doses against the dose computed for this patient, and re-loading (C11).

Each selected order of a drug the regimen table checks (HER2-directed drugs, taxanes,
capecitabine at its partner's dose) is read in the drug's own basis (mg/kg, mg/m² or mg),
compared with the label dose for its schedule (weekly or every 3 weeks, read from the order's
timing) and, for trastuzumab and pertuzumab, with the loading or maintenance dose that the last
dose date calls for. An interval that is none of the drug's label schedules (docetaxel weekly,
tucatinib once daily) is a warning of its own: the mg alone would pass. Outside the configured
tolerance the card names the expected dose and, where the wrong dose is a known trap, what the
drafted number really is (T-DXd 6.4 mg/kg is the gastric dose; 3.6 mg/kg is the T-DM1 dose).
Traps that cross a label line are critical (the table says which); the rest are warnings. An IV
dose per kg or m² inside the tolerance but beyond the institution's rounding threshold gets an
information card (`dose_rounding` writes it), shown on order-select, not at signing.
Label dose reductions are accepted once the patient is on treatment; going back up after a
T-DM1/T-DXd reduction is not (no re-escalation). A T-DXd order is checked against T-DXd, never
against trastuzumab: the drug id decides, not the words.

The verdict is `dose_review`'s; this module writes its card.
"""

from __future__ import annotations

from cards.catalog import Basis, Schedule
from cards.detail import check_locally
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date, interval_text, percent_beyond
from cards.regimens.data_gaps import CONDITIONS_KEY, described
from cards.regimens.dose_review import DoseReview, Verdict, review_dose
from cards.regimens.dose_rounding import accepted_paragraph, rounding_paragraphs, rounding_summary
from cards.regimens.dose_unread import unread_dose_finding
from cards.regimens.doses import ComputedDose, drafted_text, per_basis_text, regimen_dose_text
from cards.regimens.drug_terms import names
from cards.regimens.loading import DueDose
from cards.regimens.orders import instruction, replace_suggestion
from cards.regimens.situation import (
    CHEMOTHERAPY,
    HER2_DIRECTED,
    TAXANE,
    Situation,
    situation,
)
from cards.regimens.slots import recognise
from cards.regimens.weight_change import WeightChange, weight_changes
from cards.sources import cite_all
from cards.suggestions import format_mg
from fhir_mappings import Evidence, TherapySetting

RULE = "dose-check"
RELOAD_RULE = "C11"
TOPIC = "Dose check against the computed dose"
RELOAD_TOPIC = "Loading dose after a delay"


def _why(schedule: Schedule, sit: Situation) -> str:
    """Why this dose and not another of the drug's: ' with capecitabine' when the label dose
    depends on the partner drug drafted or given with it, '' when the drug has one dose."""
    partners = schedule.partners & sit.present_ids()
    return f" with {names(partners, sit.catalog, ' and ')}" if partners else ""


def _unplaced_summary(review: DoseReview, short: str, drafted: str) -> str:
    """A volume or an interval that is none of the label's: no expected dose to name."""
    drug = review.drug
    if review.verdict is Verdict.UNRECOGNISED_VOLUME:
        schedule = drug.schedules[0]
        return fit(
            f"{short} {drafted} matches neither the {schedule.volume_loading_ml or 0:g} mL "
            f"loading nor the {schedule.volume_maintenance_ml or 0:g} mL maintenance dose",
            f"{short} {drafted}: not a label volume",
        )
    interval = review.drafted.order.interval_days or 0  # Verdict.WRONG_INTERVAL
    label = " or ".join(
        dict.fromkeys(interval_text(s.interval_days) for s in review.label_schedules)
    )
    return fit(
        f"{short} {drafted} {interval_text(interval)}: the label schedule is {label}",
        f"{short} {interval_text(interval)}: the label schedule is {label}",
        f"{short}: the drafted interval is not a label schedule",
    )


def _wrong_dose_summary(
    review: DoseReview, sit: Situation, short: str, drafted: str, expected: ComputedDose
) -> str:
    """A known trap by name; otherwise how far the drafted dose is from the expected one."""
    wanted = expected.amount + (" loading dose" if expected.is_loading else "")
    if review.trap is not None:
        return fit(
            f"{short} {drafted}: {review.trap.short}; expected {wanted}",
            f"{short} {drafted}: {review.trap.short}",
        )
    if review.amount.per_basis is None:
        return fit(f"{short} {drafted} is not the computed {wanted}")
    ratio = (review.amount.per_basis / expected.per_basis - 1) * 100
    direction = "above" if ratio > 0 else "below"
    off = percent_beyond(abs(ratio), sit.config.threshold("dose_tolerance_percent"))
    why = _why(expected.schedule, sit)
    because = f"{wanted}, the dose{why}" if why else f"the computed {wanted}"
    return fit(
        f"{short} {drafted} is {off} % {direction} {because}",
        f"{short} {drafted} is {off} % {direction} the computed {wanted}",
        f"{short} {drafted} is {off} % {direction} the computed dose",
    )


def _summary(review: DoseReview, sit: Situation) -> str:
    drug, expected, due = review.drug, review.expected, review.due
    drafted = drafted_text(review.amount, drug)
    name = drug.short
    short = name[0].upper() + name[1:]  # at the start of the summary
    if review.verdict in (Verdict.UNRECOGNISED_VOLUME, Verdict.WRONG_INTERVAL):
        return _unplaced_summary(review, short, drafted)
    assert expected is not None  # every other verdict names the expected dose
    last = format_date(due.last_dose) if due and due.last_dose else "not on file"
    if review.verdict is Verdict.WRONG_DOSE:
        return _wrong_dose_summary(review, sit, short, drafted, expected)
    if review.verdict is Verdict.OUTSIDE_ROUNDING:
        return rounding_summary(review, sit, short, drafted, expected)
    if review.verdict is Verdict.MISSING_LOADING:
        return fit(
            f"First {name} dose: give the {expected.amount} loading dose, not {drafted}",
            f"First {name} dose needs the loading dose ({expected.amount})",
        )
    if review.verdict is Verdict.RELOAD_DUE:
        return fit(
            f"Re-load {name}: last dose {last}; give {expected.amount}, not the {drafted} "
            "maintenance dose",
            f"Re-load {name}: last dose {last}; give {expected.amount}",
        )
    if review.verdict is Verdict.LOADING_NOT_DUE:
        return fit(
            f"{short} {drafted} is a loading dose; maintenance {expected.amount} is due (last "
            f"dose {last})",
            f"{short}: maintenance {expected.amount} is due, not a loading dose",
        )
    if review.verdict is Verdict.LAST_DOSE_UNKNOWN:
        return fit(
            f"Last {name} dose date not on file: check if the {expected.amount} re-load dose "
            "is due",
            f"Last {name} dose date not on file: check whether a re-load is due",
        )
    if review.verdict is Verdict.ABOVE_CEILING:
        return fit(
            f"{short} {drafted} exceeds the {drug.ceiling:g} mg/kg label maximum "
            f"({format_mg(expected.mg)} mg at this weight)"
            if expected.mg is not None
            else f"{short} {drafted} exceeds the {drug.ceiling:g} mg/kg label maximum",
            f"{short} {drafted} exceeds the label maximum",
        )
    prior = per_basis_text(review.prior or 0, drug.basis)
    return fit(
        f"{short} {drafted} after a reduction to {prior}: the label does not allow re-escalation",
        f"{short}: no re-escalation after a dose reduction ({prior})",
    )


def _reasoning(review: DoseReview, sit: Situation) -> tuple[str, ...]:
    drug, expected, due, order = review.drug, review.expected, review.due, review.drafted.order
    tolerance = sit.config.threshold("dose_tolerance_percent")
    interval = f", {interval_text(order.interval_days)}" if order.interval_days is not None else ""
    paragraphs = [f"Drafted: {drug.display} {drafted_text(review.amount, drug)}{interval}."]
    setting = "metastatic" if sit.setting is TherapySetting.METASTATIC else "early"
    regimen = recognise(
        sit.catalog.regimens.values(),
        setting,
        sit.drafted_ids(HER2_DIRECTED, CHEMOTHERAPY, TAXANE),
        sit.present_ids(),
    )
    if regimen is not None:
        paragraphs.append(f"The draft orders form {regimen.display}.")
    if expected is not None:
        schedule = expected.schedule
        paragraphs.append(f"Expected for this patient: {instruction(sit, expected)}.")
        mark = check_locally(schedule.verification)
        if schedule.note or mark:
            note = f": {schedule.note}" if schedule.note else ""
            paragraphs.append(f"Label schedule{note}{mark}.")
    history_decided = due is not None and (
        due.last_dose is not None
        or due.due is DueDose.UNKNOWN
        or review.verdict is Verdict.MISSING_LOADING
    )
    if due is not None and history_decided:
        paragraphs.append(due.reason)
    if review.trap is not None:
        paragraphs.append(review.trap.text)
        if review.exact_trap:
            paragraphs.append(
                f"The drafted dose is within ±{tolerance:g} % of the computed dose, but it is "
                f"exactly {per_basis_text(review.trap.near or 0, drug.basis)}: "
                f"{review.trap.short}."
            )
    if review.verdict is Verdict.RE_ESCALATION or review.replacement is not None:
        paragraphs.append(
            f"The last recorded dose was {per_basis_text(review.prior or 0, drug.basis)}; the "
            f"{drug.short} label allows dose reductions but no re-escalation afterwards"
            + (
                f", so the dose to order is {review.replacement.amount}."
                if review.replacement is not None
                else "."
            )
        )
    if review.verdict is Verdict.WRONG_DOSE and not review.exact_trap:
        paragraphs.append(accepted_paragraph(review, sit))
    paragraphs.extend(rounding_paragraphs(review, sit))
    if review.verdict is Verdict.WRONG_INTERVAL:
        paragraphs.extend(_interval_paragraphs(review, sit))
    return tuple(paragraphs)


def _interval_paragraphs(review: DoseReview, sit: Situation) -> tuple[str, ...]:
    drug = review.drug
    window = sit.config.threshold("schedule_match_days")
    listed = "; ".join(
        regimen_dose_text(drug, schedule, sit.body) for schedule in review.label_schedules
    )
    paragraphs = [
        f"The drafted interval is not a label schedule of {drug.short}. Label schedule(s) for "
        f"this patient: {listed}.",
        f"An interval within ±{window:g} days of a label interval is read as that schedule "
        "(institutional setting); daily and twice-daily doses must match exactly.",
    ]
    if review.expected is None:
        paragraphs.append(
            "The drafted dose is none of these schedules' doses either, so no replacement is "
            "suggested: check which schedule was meant."
        )
    return tuple(paragraphs)


def _weight_change_paragraph(review: DoseReview, change: WeightChange) -> str:
    """C10's weight change, told here because it is why this dose is off (one card, not two)."""
    before, latest = change.before, change.latest
    text = (
        f"The weight changed {change.percent:.0f} % since the last {review.drug.short} dose: "
        f"{before.value:g} kg ({format_date(before.when)}) → {latest.value:g} kg "
        f"({format_date(latest.when)})."
    )
    drafted = review.amount.per_basis
    if review.drug.basis is Basis.PER_KG and drafted is not None and latest.value > 0:
        per_kg_before = drafted * latest.value / before.value
        text += (
            f" The drafted dose is {per_kg_before:.3g} mg/kg at the earlier weight: it was not "
            "recalculated for the current weight."
        )
    return text


def _order_evidence(review: DoseReview, sit: Situation) -> Evidence:
    order = review.drafted.order
    if order.evidence is not None:
        return order.evidence
    resource_type, _, resource_id = order.reference.partition("/")
    return Evidence(
        resource_type=resource_type or order.resource_type,
        resource_id=resource_id or None,
        code=None,
        display=f"{review.drug.display} (draft order)",
        when=sit.facts.as_of,
        value=review.amount.written,
    )


def _indicator(review: DoseReview) -> Indicator:
    """Critical for a label line crossed; information for a query, not an error: an IV dose
    beyond the rounding threshold but within the dose tolerance, or a maintenance dose whose
    last dose date is not on file (C11 as the rule registry states it); a warning otherwise."""
    if review.critical:
        return Indicator.CRITICAL
    if review.verdict in (Verdict.OUTSIDE_ROUNDING, Verdict.LAST_DOSE_UNKNOWN):
        return Indicator.INFO
    return Indicator.WARNING


def _finding(review: DoseReview, sit: Situation) -> Finding:
    reload = review.verdict in (Verdict.RELOAD_DUE, Verdict.LAST_DOSE_UNKNOWN)
    drug = review.drug
    sources: list[str] = []
    if review.trap is not None:
        sources.extend(review.trap.sources)
    if review.expected is not None:
        sources.extend(review.expected.schedule.sources)
    else:
        schedules = review.label_schedules or drug.schedules
        sources.extend(s for schedule in schedules for s in schedule.sources)
    if reload and drug.reload is not None:
        sources.extend(drug.reload.sources)
    expected = review.replacement or review.expected
    suggestions: tuple[Suggestion, ...] = ()
    if expected is not None and expected.mg is not None:
        replacement = replace_suggestion(sit, [review.drafted], [expected])
        if replacement is not None:
            # not sure when the history is unknown, nor over a rounding a prescriber may intend
            sure = review.verdict not in (Verdict.LAST_DOSE_UNKNOWN, Verdict.OUTSIDE_ROUNDING)
            suggestions = (Suggestion(replacement.label, replacement.actions, is_recommended=sure),)
    change = next(iter(weight_changes(sit, [drug])), None)
    reasoning = _reasoning(review, sit)
    evidence = (_order_evidence(review, sit), *sit.body.evidence_for(drug.basis))
    if change is not None:
        reasoning += (_weight_change_paragraph(review, change),)
        evidence += (change.before.evidence,)
    if review.due is not None:
        evidence += review.due.evidence
    rule = RELOAD_RULE if reload else RULE
    return Finding(
        rule=rule,
        indicator=_indicator(review),
        summary=_summary(review, sit),
        reasoning=reasoning,
        citations=cite_all(sources, rule=rule, topic=RELOAD_TOPIC if reload else TOPIC),
        data_used=tuple(dict.fromkeys(evidence)),
        suggestions=suggestions,
        selection_behavior="at-most-one",
        override_reasons=override_reasons("dose"),
        safety=True,
        dedup_key=f"dose:{review.drafted.order.reference or drug.id}",
        # a critical card that withholds this drug (C2, C8, C5) makes its dose advice moot
        doses_for=frozenset({drug.id}),
        extra={"verdict": review.verdict.value},
    )


def _conditions_gap(sit: Situation) -> list[Finding]:
    """Without the conditions we cannot tell breast from gastric cancer: say the checks did
    not run rather than check against the wrong dose or fall silent."""
    gap = sit.hook_input.gap(CONDITIONS_KEY)
    drugs = [
        drug
        for drafted in sit.selected
        if (drug := sit.catalog.drug(drafted.drug)) is not None and drug.check_dose
    ]
    if gap is None or not drugs:
        return []
    listed = names((d.id for d in drugs), sit.catalog, joiner=", ")
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=fit(
                f"Diagnoses could not be obtained: {listed} dose not checked against the "
                "breast cancer dose",
                "Diagnoses could not be obtained: doses not checked; check them by hand",
            ),
            reasoning=(
                f"The service could not obtain {gap.what} ({gap.reason}). The dose check needs "
                "the diagnosis: T-DXd, for example, is 5.4 mg/kg in breast cancer and 6.4 mg/kg "
                "in gastric cancer. Check the drafted doses against the label by hand.",
            ),
            citations=cite_all(
                (s for d in drugs for sched in d.schedules for s in sched.sources),
                rule=RULE,
                topic=TOPIC,
            ),
            missing_data=described((gap,)),
            override_reasons=override_reasons("dose"),
            safety=True,
            dedup_key="dose:conditions-gap",
            doses_for=frozenset(d.id for d in drugs),
        )
    ]


def dose_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    """dose-check: each drafted dose against the dose computed for this patient."""
    return [f for f in _dose_and_reload(hook_input, config) if f.rule != RELOAD_RULE]


def reload_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    """C11: the loading dose due again after a delay. One review of each draft decides both
    (a late maintenance draft is a re-load, not a wrong dose); each rule keeps its own cards."""
    return [f for f in _dose_and_reload(hook_input, config) if f.rule == RELOAD_RULE]


def _dose_and_reload(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    """Both rules' findings, reviewed once per call and config."""
    return hook_input.once(RULE, config, lambda: _review_drafts(hook_input, config))


def _review_drafts(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.breast_cancer:
        return _conditions_gap(sit)
    findings = []
    for drafted in sit.selected:
        drug = sit.catalog.drug(drafted.drug)
        if drug is None:
            continue
        if drug.id == "fam-trastuzumab-deruxtecan" and sit.facts.disease.other_trastuzumab_cancers:
            continue  # the dose depends on which cancer it is for (gastric: 6.4 mg/kg)
        unread = unread_dose_finding(sit, drafted, drug)
        if unread is not None:
            findings.append(unread)  # a count or unit not readable as mg is never taken for mg
            continue
        review = review_dose(sit, drafted, drug)
        if review is not None and review.verdict is not Verdict.OK:
            findings.append(_finding(review, sit))
    return findings
