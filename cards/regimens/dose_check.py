"""Drafted doses against the dose computed for this patient, and re-loading (C11).

Each selected order of a drug the regimen table checks (HER2-directed drugs, taxanes,
capecitabine at its partner's dose) is read in the drug's own basis (mg/kg, mg/m² or mg),
compared with the label dose for its schedule (weekly or every 3 weeks, read from the order's
timing) and, for trastuzumab and pertuzumab, with the loading or maintenance dose that the last
dose date calls for. An interval that is none of the drug's label schedules (docetaxel weekly,
tucatinib once daily) is a warning of its own: the mg alone would pass. Outside the configured
tolerance the card names the expected dose and, where the wrong dose is a known trap, what the
drafted number really is (T-DXd 6.4 mg/kg is the gastric dose; 3.6 mg/kg is the T-DM1 dose).
Traps that cross a label line are critical (the table says which); the rest are warnings.
Label dose reductions are accepted once the patient is on treatment; going back up after a
T-DM1/T-DXd reduction is not (no re-escalation). A T-DXd order is checked against T-DXd, never
against trastuzumab: the drug id decides, not the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cards.detail import check_locally, format_date
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.regimens.body_size import weight_on_or_before
from cards.regimens.catalog import Basis, Drug, Schedule, Trap
from cards.regimens.data_gaps import CONDITIONS_KEY, described
from cards.regimens.dose_unread import unread_dose_finding
from cards.regimens.doses import (
    ComputedDose,
    DraftedAmount,
    Phase,
    compute_dose,
    drafted_amount,
    drafted_text,
    interval_text,
    normalise_unit,
    per_basis_text,
    regimen_dose_text,
)
from cards.regimens.drug_terms import names
from cards.regimens.loading import DueAssessment, DueDose
from cards.regimens.orders import due_now, instruction, replace_suggestion
from cards.regimens.renal_adjust import renal_adjusted
from cards.regimens.situation import (
    CHEMOTHERAPY,
    HER2_DIRECTED,
    TAXANE,
    Drafted,
    Situation,
    situation,
)
from cards.regimens.slots import fit, recognise
from cards.regimens.weight_change import WeightChange, weight_changes
from cards.sources import cite_all
from fhir_mappings import Evidence, TherapySetting

RULE = "dose-check"
RELOAD_RULE = "C11"
TOPIC = "Dose check against the computed dose"
RELOAD_TOPIC = "Loading dose after a delay"


class Verdict(StrEnum):
    OK = "ok"
    WRONG_DOSE = "wrong-dose"
    MISSING_LOADING = "missing-loading"  # first dose drafted at the maintenance dose
    RELOAD_DUE = "reload-due"  # C11: late, maintenance drafted
    LOADING_NOT_DUE = "loading-not-due"  # maintenance due, loading drafted
    LAST_DOSE_UNKNOWN = "last-dose-unknown"  # C11: earlier doses undated, maintenance drafted
    ABOVE_CEILING = "above-ceiling"
    RE_ESCALATION = "re-escalation"
    UNRECOGNISED_VOLUME = "unrecognised-volume"
    WRONG_INTERVAL = "wrong-interval"  # the drafted interval is none of the label schedules


class _Kind(StrEnum):
    EXPECTED = "expected"
    ACCEPTED = "accepted"
    MAINTENANCE_INSTEAD_OF_LOADING = "maintenance-instead-of-loading"
    LOADING_NOT_DUE = "loading-not-due"
    MAINTENANCE_WITH_UNKNOWN_HISTORY = "maintenance-with-unknown-history"


@dataclass(frozen=True)
class _Target:
    value: float
    kind: _Kind
    schedule: Schedule
    due: DueAssessment


@dataclass(frozen=True)
class DoseReview:
    drafted: Drafted
    drug: Drug
    amount: DraftedAmount
    verdict: Verdict
    expected: ComputedDose | None
    due: DueAssessment | None
    trap: Trap | None = None
    prior: float | None = None  # per-basis dose before a re-escalation
    label_schedules: tuple[Schedule, ...] = ()  # WRONG_INTERVAL: the schedules it could be on
    exact_trap: bool = False  # within the tolerance, but exactly a trap's number

    @property
    def critical(self) -> bool:
        """A label line is crossed: a critical trap, or above a "never exceed" dose."""
        if self.verdict is Verdict.ABOVE_CEILING:
            return True
        return self.verdict is Verdict.WRONG_DOSE and self.trap is not None and self.trap.critical


def _label_schedules(sit: Situation, drug: Drug) -> tuple[Schedule, ...]:
    """The label schedules this order can be on, in the patient's setting (docetaxel in
    metastatic THP is a verified label dose; in TCH/TCHP it is not). A drug whose dose depends
    on its partner
    (lapatinib: 1250 mg with capecitabine, 1500 mg with letrozole; capecitabine: 1000 mg/m²
    with tucatinib or lapatinib, 750 mg/m² with neratinib) is not checked when no known
    partner is drafted or given: with trastuzumab alone its dose is not in the table."""
    setting = "metastatic" if sit.setting is TherapySetting.METASTATIC else "early"
    schedules = [s for s in drug.schedules if not s.settings or setting in s.settings]
    present = sit.present_ids()
    if schedules and all(s.partners for s in schedules):
        schedules = [s for s in schedules if s.partners & present]
    elif any(s.partners for s in schedules):
        with_partner = [s for s in schedules if not s.partners or s.partners & present]
        schedules = with_partner or schedules
    return tuple(schedules)


def interval_matches(label_days: float, drafted_days: float, window_days: float) -> bool:
    """Whether a drafted interval is this label interval. Daily and more often, the doses per
    day must agree (a 2-day window cannot tell once from twice daily); longer intervals may
    differ by the window (3 weeks written as 20 or 22 days)."""
    if label_days <= 1 or drafted_days <= 1:
        both_daily = label_days <= 1 and drafted_days <= 1
        return both_daily and round(1 / label_days) == round(1 / drafted_days)
    return abs(label_days - drafted_days) <= window_days


def _on_interval(
    sit: Situation, schedules: tuple[Schedule, ...], interval: float | None
) -> tuple[Schedule, ...]:
    """The schedules the drafted interval is; all of them when the order gives no interval."""
    if interval is None:
        return schedules
    window = sit.config.threshold("schedule_match_days")
    return tuple(s for s in schedules if interval_matches(s.interval_days, interval, window))


def _on_treatment(sit: Situation, drug: Drug) -> bool:
    return any(e.drug == drug.id for e in sit.facts.therapy.exposures)


def _targets(sit: Situation, drug: Drug, schedule: Schedule) -> list[_Target]:
    due = due_now(sit, drug, schedule)
    targets = []
    if schedule.loading is None:
        targets.append(_Target(schedule.maintenance, _Kind.EXPECTED, schedule, due))
    elif due.due is DueDose.LOADING:
        targets.append(_Target(schedule.loading, _Kind.EXPECTED, schedule, due))
        targets.append(
            _Target(schedule.maintenance, _Kind.MAINTENANCE_INSTEAD_OF_LOADING, schedule, due)
        )
    elif due.due is DueDose.MAINTENANCE:
        targets.append(_Target(schedule.maintenance, _Kind.EXPECTED, schedule, due))
        targets.append(_Target(schedule.loading, _Kind.LOADING_NOT_DUE, schedule, due))
    else:
        targets.append(_Target(schedule.loading, _Kind.EXPECTED, schedule, due))
        targets.append(
            _Target(schedule.maintenance, _Kind.MAINTENANCE_WITH_UNKNOWN_HISTORY, schedule, due)
        )
    setting = "metastatic" if sit.setting is TherapySetting.METASTATIC else "early"
    on_treatment = _on_treatment(sit, drug)
    for accepted in schedule.also_accepted:
        if accepted.settings and setting not in accepted.settings:
            continue
        if accepted.on_treatment_only and not on_treatment:
            continue
        targets.append(_Target(accepted.value, _Kind.ACCEPTED, schedule, due))
    return targets


def _from_volume(
    drug: Drug, schedules: tuple[Schedule, ...], ml: float, tolerance: float
) -> float | None:
    """A subcutaneous product ordered by volume: the dose that volume stands for."""
    for schedule in schedules:
        volumes = (
            (schedule.volume_loading_ml, schedule.loading),
            (schedule.volume_maintenance_ml, schedule.maintenance),
        )
        for volume, dose in volumes:
            if volume and dose and abs(ml - volume) / volume <= tolerance:
                return dose
    return None


def _relative(value: float, target: float) -> float:
    return abs(value - target) / target


def _prior_per_basis(sit: Situation, drug: Drug) -> tuple[float, datetime | None] | None:
    """The last recorded dose of this drug in its basis (for the no-re-escalation rule)."""
    for exposure in sit.facts.therapy.exposures:
        if exposure.drug != drug.id:
            continue
        for event in exposure.doses:
            if event.dose is None:
                continue
            unit = normalise_unit(event.dose.unit)
            if unit == drug.basis.value:
                return event.dose.value, event.when
            mg = event.dose.mg if unit != "mg" else event.dose.value
            if mg is None or drug.basis is not Basis.PER_KG:
                continue
            weight = weight_on_or_before(sit.facts.body, event.when) if event.when else None
            weight = weight or sit.body.weight
            if weight:
                return mg / weight.value, event.when
    return None


def _percent(sit: Situation, key: str) -> float:
    return sit.config.threshold(key) / 100


def _trap(sit: Situation, drug: Drug, value: float, *, exact: bool = False) -> Trap | None:
    """The known trap this dose is. A dose outside the tolerance is named when it is close to
    a trap's number; one inside the tolerance (trastuzumab at the 5.4 mg/kg T-DXd dose is 10 %
    below 6 mg/kg) only when it is exactly that number, since near it is also near the right
    dose. "Is another drug's dose" is checked before "is above the maximum": it says more."""
    match = _percent(sit, "dose_trap_exact_percent" if exact else "dose_trap_match_percent")
    for trap in drug.traps:
        if trap.near is not None and _relative(value, trap.near) <= match:
            return trap
    if exact:
        return None
    rounding = _percent(sit, "dose_ceiling_rounding_percent")
    for trap in drug.traps:
        if trap.above is not None and value > trap.above * (1 + rounding):
            return trap
    return None


def _wrong_interval(
    sit: Situation,
    drafted: Drafted,
    drug: Drug,
    amount: DraftedAmount,
    value: float | None,
    schedules: tuple[Schedule, ...],
) -> DoseReview:
    """The drafted interval is none of the label schedules. When the drafted dose is the dose
    of one of them, that schedule is the expected one (and the replacement); otherwise the
    card names the schedules without guessing which was meant."""
    tolerance = sit.config.threshold("dose_tolerance_percent") / 100
    expected: ComputedDose | None = None
    due: DueAssessment | None = None
    if value is not None:
        targets = [t for s in schedules for t in _targets(sit, drug, s)]
        best = min(targets, key=lambda t: _relative(value, t.value))
        if _relative(value, best.value) <= tolerance:
            due = best.due
            loading = best.schedule.loading is not None and due.due is not DueDose.MAINTENANCE
            phase = Phase.LOADING if loading else Phase.MAINTENANCE
            expected = compute_dose(drug, best.schedule, phase, sit.body)
    return DoseReview(
        drafted, drug, amount, Verdict.WRONG_INTERVAL, expected, due, label_schedules=schedules
    )


def review_dose(sit: Situation, drafted: Drafted, drug: Drug) -> DoseReview | None:
    """The verdict on one drafted order; None when there is nothing to compare."""
    order = drafted.order
    if order.dose is None or not drug.check_dose or not drug.schedules:
        return None
    tolerance = sit.config.threshold("dose_tolerance_percent") / 100
    label = renal_adjusted(sit, drug, _label_schedules(sit, drug))  # capecitabine CrCl <50
    if not label:
        return None
    amount = drafted_amount(order.dose, drug, sit.body)
    value = amount.per_basis
    if amount.volume_ml is not None:
        if not any(s.volume_maintenance_ml for s in label):
            return None
        value = _from_volume(drug, label, amount.volume_ml, tolerance)
        if value is None:
            return DoseReview(drafted, drug, amount, Verdict.UNRECOGNISED_VOLUME, None, None)
    schedules = _on_interval(sit, label, order.interval_days)
    if not schedules:
        return _wrong_interval(sit, drafted, drug, amount, value, label)
    if value is None:
        return None  # no weight/BSA to convert with: C10 says so
    targets = [t for s in schedules for t in _targets(sit, drug, s)]
    best = min(targets, key=lambda t: _relative(value, t.value))
    expected_target = next(
        t for t in targets if t.schedule is best.schedule and t.kind is _Kind.EXPECTED
    )
    due = expected_target.due
    loading = best.schedule.loading is not None and due.due is not DueDose.MAINTENANCE
    phase = Phase.LOADING if loading else Phase.MAINTENANCE
    expected = compute_dose(drug, best.schedule, phase, sit.body)
    if _relative(value, best.value) > tolerance:
        return DoseReview(
            drafted, drug, amount, Verdict.WRONG_DOSE, expected, due, _trap(sit, drug, value)
        )
    exact_trap = _trap(sit, drug, value, exact=True) if best.kind is not _Kind.ACCEPTED else None
    if exact_trap is not None:
        return DoseReview(
            drafted, drug, amount, Verdict.WRONG_DOSE, expected, due, exact_trap, exact_trap=True
        )
    verdict = {
        _Kind.MAINTENANCE_INSTEAD_OF_LOADING: Verdict.RELOAD_DUE
        if best.due.reload
        else Verdict.MISSING_LOADING,
        _Kind.LOADING_NOT_DUE: Verdict.LOADING_NOT_DUE,
        _Kind.MAINTENANCE_WITH_UNKNOWN_HISTORY: Verdict.LAST_DOSE_UNKNOWN,
    }.get(best.kind)
    if verdict is not None:
        return DoseReview(drafted, drug, amount, verdict, expected, best.due)
    rounding = _percent(sit, "dose_ceiling_rounding_percent")
    if drug.ceiling is not None and value > drug.ceiling * (1 + rounding):
        ceiling = compute_dose(drug, best.schedule, Phase.MAINTENANCE, sit.body, drug.ceiling)
        return DoseReview(drafted, drug, amount, Verdict.ABOVE_CEILING, ceiling, due)
    if drug.no_re_escalation and best.kind is _Kind.EXPECTED:
        prior = _prior_per_basis(sit, drug)
        if (
            prior is not None
            and prior[0] < best.value * (1 - tolerance)
            and value > prior[0] * (1 + tolerance)
        ):
            reduced = compute_dose(drug, best.schedule, Phase.MAINTENANCE, sit.body, prior[0])
            return DoseReview(
                drafted, drug, amount, Verdict.RE_ESCALATION, reduced, due, prior=prior[0]
            )
    return DoseReview(drafted, drug, amount, Verdict.OK, expected, due)


def _why(schedule: Schedule, sit: Situation) -> str:
    """Why this dose and not another of the drug's: ' with capecitabine' when the label dose
    depends on the partner drug drafted or given with it, '' when the drug has one dose."""
    partners = schedule.partners & sit.present_ids()
    return f" with {names(partners, sit.catalog, ' and ')}" if partners else ""


def _summary(review: DoseReview, sit: Situation) -> str:
    drug, expected, due = review.drug, review.expected, review.due
    drafted = drafted_text(review.amount, drug)
    name = drug.short
    short = name[0].upper() + name[1:]  # at the start of the summary
    if review.verdict is Verdict.UNRECOGNISED_VOLUME:
        schedule = drug.schedules[0]
        return fit(
            f"{short} {drafted} matches neither the {schedule.volume_loading_ml or 0:g} mL "
            f"loading nor the {schedule.volume_maintenance_ml or 0:g} mL maintenance dose",
            f"{short} {drafted}: not a label volume",
        )
    if review.verdict is Verdict.WRONG_INTERVAL:
        interval = review.drafted.order.interval_days or 0
        label = " or ".join(
            dict.fromkeys(interval_text(s.interval_days) for s in review.label_schedules)
        )
        return fit(
            f"{short} {drafted} {interval_text(interval)}: the label schedule is {label}",
            f"{short} {interval_text(interval)}: the label schedule is {label}",
            f"{short}: the drafted interval is not a label schedule",
        )
    assert expected is not None  # every other verdict names the expected dose
    wanted = expected.amount + (" loading dose" if expected.is_loading else "")
    last = format_date(due.last_dose) if due and due.last_dose else "not on file"
    if review.verdict is Verdict.WRONG_DOSE:
        if review.trap is not None:
            return fit(
                f"{short} {drafted}: {review.trap.short}; expected {wanted}",
                f"{short} {drafted}: {review.trap.short}",
            )
        if review.amount.per_basis is None:
            return fit(f"{short} {drafted} is not the computed {wanted}")
        ratio = (review.amount.per_basis / expected.per_basis - 1) * 100
        direction = "above" if ratio > 0 else "below"
        why = _why(expected.schedule, sit)
        because = f"{wanted}, the dose{why}" if why else f"the computed {wanted}"
        return fit(
            f"{short} {drafted} is {abs(ratio):.0f} % {direction} {because}",
            f"{short} {drafted} is {abs(ratio):.0f} % {direction} the computed {wanted}",
            f"{short} {drafted} is {abs(ratio):.0f} % {direction} the computed dose",
        )
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
            f"({expected.amount})",
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
    if review.verdict is Verdict.RE_ESCALATION:
        paragraphs.append(
            f"The last recorded dose was {per_basis_text(review.prior or 0, drug.basis)}; the "
            f"{drug.short} label allows dose reductions but no re-escalation afterwards."
        )
    if review.verdict is Verdict.WRONG_DOSE and not review.exact_trap:
        paragraphs.append(
            f"Doses within ±{tolerance:g} % of the computed dose are accepted (institutional "
            "setting), as are the label's dose-reduction levels once treatment has started."
        )
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
    expected = review.expected
    suggestions: tuple[Suggestion, ...] = ()
    if expected is not None and expected.mg is not None:
        replacement = replace_suggestion(sit, [review.drafted], [expected])
        if replacement is not None:
            sure = review.verdict is not Verdict.LAST_DOSE_UNKNOWN
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
        indicator=Indicator.CRITICAL if review.critical else Indicator.WARNING,
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
