"""The judgement of one drafted dose (dose-check, C11): the verdict and the dose expected.

The order is read in the drug's own basis, matched to the label schedules its interval can be
(in the patient's setting, with its partner drug, renally adjusted), and compared with the
loading or maintenance dose the last dose date calls for, the known traps, the label maximum
and the no-re-escalation rule. The dose tolerance (`dose_tolerance_percent`) decides which dose
level a draft is read as and when it is wrong; for IV doses per kg or m² the institution's
rounding threshold (`iv_dose_rounding_percent`) then decides whether a draft inside the
tolerance is rounding or is named on an information card. `dose_check` turns a verdict into the
card text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from cards.catalog import Basis, Drug, Schedule, Trap
from cards.drafts import Drafted
from cards.regimens.body_size import weight_on_or_before
from cards.regimens.doses import (
    ComputedDose,
    DraftedAmount,
    Phase,
    compute_dose,
    drafted_amount,
    normalise_unit,
)
from cards.regimens.loading import DueAssessment, DueDose
from cards.regimens.orders import due_now
from cards.regimens.renal_adjust import renal_adjusted
from cards.regimens.situation import Situation
from fhir_mappings import Dose, TherapySetting

IV_ROUNDING = "iv_dose_rounding_percent"


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
    OUTSIDE_ROUNDING = "outside-rounding"  # IV per kg/m²: beyond the rounding threshold only


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
    matched: float | None = None  # the per-basis dose the draft was read as (nearest target)
    level: str = ""  # "reduced" | "escalated": that dose is a label level below/above the dose
    replacement: ComputedDose | None = None  # the dose to order instead, when not `expected`

    @property
    def critical(self) -> bool:
        """A label line is crossed: a critical trap, or above a "never exceed" dose."""
        if self.verdict is Verdict.ABOVE_CEILING:
            return True
        return self.verdict is Verdict.WRONG_DOSE and self.trap is not None and self.trap.critical


def rounds_iv(drug: Drug) -> bool:
    """An IV dose computed per kg or per m²: judged with the institutional rounding threshold
    (`iv_dose_rounding_percent`); oral, subcutaneous and fixed doses keep the dose tolerance."""
    return drug.route == "iv" and drug.basis is not Basis.FIXED


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
        if not accepted.applies_to(sit.facts.disease.other_trastuzumab_cancers):
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


def _recorded_doses(sit: Situation, drug: Drug) -> Iterator[tuple[Dose, datetime | None]]:
    """This drug's recorded doses with their dates, in the history's order (latest first)."""
    for exposure in sit.facts.therapy.exposures:
        if exposure.drug == drug.id:
            yield from ((e.dose, e.when) for e in exposure.doses if e.dose is not None)


def _prior_per_basis(sit: Situation, drug: Drug) -> tuple[float, datetime | None] | None:
    """The last recorded dose of this drug in its basis (for the no-re-escalation rule)."""
    for dose, when in _recorded_doses(sit, drug):
        if normalise_unit(dose.unit) == drug.basis.value:
            return dose.value, when
        mg = _as_mg(dose)
        if mg is None or drug.basis is not Basis.PER_KG:
            continue
        weight = weight_on_or_before(sit.facts.body, when) if when else None
        weight = weight or sit.body.weight
        if weight:
            return mg / weight.value, when
    return None


def _given_before(sit: Situation, drug: Drug, drafted: Drafted) -> bool:
    """The last recorded dose of this drug is the drafted amount, at the same weight (both
    within the rounding threshold): a dose the prescriber has already chosen and given is not
    queried again; after a weight change it is (C10 names the change)."""
    dose = drafted.order.dose
    last = next(_recorded_doses(sit, drug), None)
    if dose is None or last is None:
        return False
    given, when = last
    step = _percent(sit, IV_ROUNDING)
    now, before = _as_mg(dose), _as_mg(given)
    if now is None or before is None:
        if normalise_unit(dose.unit) != normalise_unit(given.unit):
            return False
        now, before = dose.value, given.value
    if not before or _relative(now, before) > step:
        return False
    then = weight_on_or_before(sit.facts.body, when) if when else None
    weight = sit.body.weight
    return not (then and weight and _relative(weight.value, then.value) > step)


def _as_mg(dose: Dose) -> float | None:
    return dose.value if normalise_unit(dose.unit) == "mg" else dose.mg


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
    return _judge(sit, drafted, drug, amount, value, schedules)


def _re_escalation(
    sit: Situation, drug: Drug, full: _Target, value: float
) -> tuple[ComputedDose, float] | None:
    """Going back up after a label dose reduction (Kadcyla, Enhertu: no re-escalation): the
    reduced dose and the per-basis dose it was reduced to; None when the drug allows it, there
    was no reduction, or the draft is not above the last dose. "Above" is beyond the rounding
    the institution accepts on that dose (IV), else the dose tolerance; a draft read as a
    higher reduction level (T-DXd 4.4 mg/kg after 3.2) is a re-escalation too."""
    if not drug.no_re_escalation:
        return None
    prior = _prior_per_basis(sit, drug)
    if prior is None or prior[0] >= full.value * (1 - _percent(sit, "dose_tolerance_percent")):
        return None
    step = _percent(sit, IV_ROUNDING if rounds_iv(drug) else "dose_tolerance_percent")
    if value <= prior[0] * (1 + step):
        return None
    return compute_dose(drug, full.schedule, Phase.MAINTENANCE, sit.body, prior[0]), prior[0]


def _never_back_up(review: DoseReview, escalation: tuple[ComputedDose, float] | None) -> DoseReview:
    """A trap or a label maximum crossed after a T-DM1/T-DXd reduction (`escalation`, from
    `_re_escalation`): the card names what was crossed, and its replacement is the last reduced
    dose, never the full dose."""
    if escalation is None:
        return review
    return replace(review, replacement=escalation[0], prior=escalation[1])


def _judge(
    sit: Situation,
    drafted: Drafted,
    drug: Drug,
    amount: DraftedAmount,
    value: float,
    schedules: tuple[Schedule, ...],
) -> DoseReview:
    """The verdict on a dose read in the drug's basis, on the schedules its interval can be."""
    tolerance = sit.config.threshold("dose_tolerance_percent") / 100
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
        trap = _trap(sit, drug, value)
        escalation = _re_escalation(sit, drug, expected_target, value)
        if escalation is not None and trap is None:  # between levels, above the last reduced
            reduced, prior = escalation
            return DoseReview(
                drafted, drug, amount, Verdict.RE_ESCALATION, reduced, due, prior=prior
            )
        review = DoseReview(drafted, drug, amount, Verdict.WRONG_DOSE, expected, due, trap)
        return _never_back_up(review, escalation)
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
    review = _after_amount(
        sit, drafted, drug, amount, value, (best, expected_target), verdict, expected, due
    )
    level = ""
    if best.kind is _Kind.ACCEPTED:
        level = "reduced" if best.value < expected_target.value else "escalated"
    return replace(review, matched=best.value, level=level)


def _after_amount(
    sit: Situation,
    drafted: Drafted,
    drug: Drug,
    amount: DraftedAmount,
    value: float,
    read_as: tuple[_Target, _Target],
    verdict: Verdict | None,
    expected: ComputedDose,
    due: DueAssessment,
) -> DoseReview:
    """The verdict once the amount is read as the dose `best` (of the schedule whose full dose
    is `full`): which dose is due, the label maximum, no re-escalation, then the institution's
    rounding threshold for IV doses."""
    best, full = read_as
    if verdict is not None:
        return DoseReview(drafted, drug, amount, verdict, expected, best.due)
    rounding = _percent(sit, "dose_ceiling_rounding_percent")
    if drug.ceiling is not None and value > drug.ceiling * (1 + rounding):
        ceiling = compute_dose(drug, best.schedule, Phase.MAINTENANCE, sit.body, drug.ceiling)
        review = DoseReview(drafted, drug, amount, Verdict.ABOVE_CEILING, ceiling, due)
        return _never_back_up(review, _re_escalation(sit, drug, full, value))
    escalation = _re_escalation(sit, drug, full, value)
    if escalation is not None:
        reduced, prior = escalation
        return DoseReview(drafted, drug, amount, Verdict.RE_ESCALATION, reduced, due, prior=prior)
    if rounds_iv(drug) and _relative(value, best.value) > _percent(sit, IV_ROUNDING):
        # beyond the institution's rounding threshold, within the dose tolerance: named, not
        # alarmed (HOPA accepts 10 %); compared with the dose level the draft matched. Not
        # again once that dose has been given: the last dose on file is the same one
        if _given_before(sit, drug, drafted):
            return DoseReview(drafted, drug, amount, Verdict.OK, expected, due)
        level = compute_dose(drug, best.schedule, expected.phase, sit.body, best.value)
        return DoseReview(drafted, drug, amount, Verdict.OUTSIDE_ROUNDING, level, due)
    return DoseReview(drafted, drug, amount, Verdict.OK, expected, due)
