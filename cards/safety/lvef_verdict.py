"""C2's judgement: each drug's LVEF verdict on its own label table, and its companions.

A fall from baseline is confirmed by a run of readings where the criterion asks for one; a
start below the pre-treatment threshold is judged apart. Pertuzumab and trastuzumab are carried
onto each other's verdict (`carry_companions`). `lvef_withhold` writes the card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from cards.drafts import order_drug
from cards.findings import Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig
from cards.phrasing import days_between
from cards.safety.cardiac_scope import (
    baseline,
    cardiac_drugs,
    current_cardiac_exposures,
    disease_context,
    had_anthracycline,
    is_continuing,
    latest_dated,
    on_treatment_readings,
)
from cards.safety.drugs import HER2_DIRECTED, SafetyDrug, safety_drug
from cards.safety.lvef_thresholds import (
    LLN_THRESHOLD,
    Companion,
    Criterion,
    Judgement,
    Outcome,
    SettingTable,
    judge,
    lvef_table,
)
from fhir_mappings import LvefMeasurement, PatientFacts


class Verdict(StrEnum):
    DISCONTINUE = "discontinue"
    WITHHOLD = "withhold"
    START_WITHHOLD = "start-withhold"  # starting with an LVEF that meets an absolute row
    SETTING_UNCERTAIN = "setting-uncertain"  # only one of the metastatic/early tables says hold
    UNDETERMINED = "undetermined"  # no baseline to measure the fall
    START_BELOW = "start-below"  # below the label's pre-treatment LVEF
    REPEAT = "repeat"  # continue, repeat LVEF soon

    @property
    def indicator(self) -> Indicator:
        if self in (Verdict.DISCONTINUE, Verdict.WITHHOLD, Verdict.START_WITHHOLD):
            return Indicator.CRITICAL
        if self is Verdict.REPEAT:
            return Indicator.INFO
        return Indicator.WARNING


@dataclass(frozen=True)
class DrugVerdict:
    drug: SafetyDrug
    verdict: Verdict
    table: SettingTable
    criterion: Criterion | None = None
    other_table: SettingTable | None = None  # the table that disagreed (setting unknown)
    minimum: float | None = None  # the pre-treatment LVEF required (START_BELOW)
    run: tuple[LvefMeasurement, ...] = ()  # readings confirming a decline, newest first
    after_anthracycline: bool = False  # START_BELOW judged by the post-anthracycline floor
    carried_by: SafetyDrug | None = None  # withheld because this drug's table says so
    companion: Companion | None = None  # the table row saying the two go together


@dataclass(frozen=True)
class Readings:
    latest: LvefMeasurement
    baseline: LvefMeasurement | None

    @property
    def drop(self) -> float | None:
        return self.baseline.percent - self.latest.percent if self.baseline else None


def _confirming_run(
    table: SettingTable,
    readings: Sequence[LvefMeasurement],
    base: LvefMeasurement | None,
    lln: float,
) -> tuple[LvefMeasurement, ...]:
    """The latest on-treatment readings that all meet a withhold row, newest first."""
    run: list[LvefMeasurement] = []
    for reading in readings:
        drop = base.percent - reading.percent if base else None
        if judge(table, reading.percent, drop, lln).outcome is not Outcome.WITHHOLD:
            break
        run.append(reading)
    return tuple(run)


def _is_confirmed(criterion: Criterion, run: Sequence[LvefMeasurement]) -> bool:
    if criterion.confirmed is None or len(run) < 2:
        return False
    first, last = run[-1].when, run[0].when
    assert first is not None and last is not None  # runs hold dated readings only
    return days_between(first, last) >= criterion.confirmed.min_days_apart


def _judge_decline(
    drug: SafetyDrug,
    tables: Sequence[SettingTable],
    on_treatment: Sequence[LvefMeasurement],
    readings: Readings,
    lln: float,
) -> DrugVerdict | None:
    judgements: list[tuple[SettingTable, Judgement]] = [
        (t, judge(t, readings.latest.percent, readings.drop, lln)) for t in tables
    ]
    holds = [(t, j) for t, j in judgements if j.outcome is Outcome.WITHHOLD]
    if holds and len(holds) == len(judgements):
        table, judgement = holds[0]
        assert judgement.criterion is not None
        run = _confirming_run(table, on_treatment, readings.baseline, lln)
        verdict = (
            Verdict.DISCONTINUE if _is_confirmed(judgement.criterion, run) else Verdict.WITHHOLD
        )
        return DrugVerdict(drug, verdict, table, judgement.criterion, run=run)
    if holds:
        table, judgement = holds[0]
        other = next(t for t, _ in judgements if t is not table)
        return DrugVerdict(
            drug, Verdict.SETTING_UNCERTAIN, table, judgement.criterion, other_table=other
        )
    for table, judgement in judgements:
        if judgement.outcome is Outcome.UNDETERMINED:
            return DrugVerdict(drug, Verdict.UNDETERMINED, table, judgement.criterion)
    for table, judgement in judgements:
        if judgement.outcome is Outcome.REPEAT:
            return DrugVerdict(drug, Verdict.REPEAT, table, judgement.criterion)
    return None


_STOPPING = (Verdict.WITHHOLD, Verdict.DISCONTINUE)


def _judge_start(
    drug: SafetyDrug,
    tables: Sequence[SettingTable],
    facts: PatientFacts,
    latest: LvefMeasurement,
    config: CardsConfig,
) -> DrugVerdict | None:
    lln = config.threshold(LLN_THRESHOLD)
    absolute = [judge(t, latest.percent, None, lln) for t in tables]
    if all(j.outcome is Outcome.WITHHOLD for j in absolute):
        return DrugVerdict(drug, Verdict.START_WITHHOLD, tables[0], absolute[0].criterion)
    anthracycline = had_anthracycline(facts)
    for table in sorted(
        tables,
        key=lambda t: t.start_minimum.value(config, after_anthracycline=anthracycline),
    ):
        after = anthracycline and table.setting == "early"
        minimum = table.start_minimum.value(config, after_anthracycline=after)
        if latest.percent < minimum:
            other = next((t for t in tables if t is not table), None)
            return DrugVerdict(
                drug,
                Verdict.START_BELOW,
                table,
                minimum=minimum,
                other_table=other,
                after_anthracycline=after and table.start_minimum.after_anthracycline is not None,
            )
    return None


def judge_drug(hook_input: HookInput, config: CardsConfig, drug: SafetyDrug) -> DrugVerdict | None:
    """The most severe thing the label table of `drug` says about the latest LVEF."""
    facts = hook_input.facts
    latest = latest_dated(facts)
    if latest is None or drug.lvef_table is None:
        return None  # C1 reports a missing LVEF
    tables = lvef_table(drug.lvef_table).for_context(disease_context(facts, drug))
    verdicts: list[DrugVerdict] = []
    on_treatment = on_treatment_readings(facts, config)
    starting = not is_continuing(hook_input, config, drug)
    if on_treatment and on_treatment[0] is latest:
        readings = Readings(latest=latest, baseline=baseline(facts, config))
        lln = config.threshold(LLN_THRESHOLD)
        decline = _judge_decline(drug, tables, on_treatment, readings, lln)
        if decline is not None and starting and decline.verdict in _STOPPING:
            # a drug not yet given is not withheld: it is not started
            decline = replace(decline, verdict=Verdict.START_WITHHOLD, run=())
        if decline is not None:
            verdicts.append(decline)
    if starting:
        start = _judge_start(drug, tables, facts, latest, config)
        if start is not None:
            verdicts.append(start)
    order = list(Verdict)
    return min(verdicts, key=lambda v: order.index(v.verdict)) if verdicts else None


def _severity(verdict: Verdict) -> int:
    """Lower is more severe (the enum is ordered from discontinue to repeat)."""
    return list(Verdict).index(verdict)


def companion_candidates(hook_input: HookInput, config: CardsConfig) -> tuple[SafetyDrug, ...]:
    """The HER2 drugs of this call, then the other drafts and the active ones: the drugs a
    withhold can carry along (only those with an LVEF table)."""
    ids = [
        *(d.id for d in cardiac_drugs(hook_input, config)),
        *(order_drug(o) or "" for o in hook_input.drafted.in_class(HER2_DIRECTED)),
        *(e.drug for e in current_cardiac_exposures(hook_input.facts, config)),
    ]
    drugs = (safety_drug(d) for d in dict.fromkeys(ids))
    return tuple(d for d in drugs if d is not None and d.lvef_table is not None)


def carry_companions(
    verdicts: Sequence[DrugVerdict], candidates: Sequence[SafetyDrug]
) -> list[DrugVerdict]:
    """Each drug's most severe verdict once its companions' critical verdicts are carried
    over (pertuzumab withheld with trastuzumab and the other way round), in candidate order."""
    best: dict[str, DrugVerdict] = {v.drug.id: v for v in verdicts}
    leaders = sorted(
        (v for v in verdicts if v.verdict.indicator is Indicator.CRITICAL),
        key=lambda v: _severity(v.verdict),
    )
    for leader in leaders:
        assert leader.drug.lvef_table is not None
        for companion in lvef_table(leader.drug.lvef_table).companions:
            for drug in candidates:
                if drug.lvef_table != companion.table or drug.id == leader.drug.id:
                    continue
                current = best.get(drug.id)
                if current is None or _severity(current.verdict) > _severity(leader.verdict):
                    best[drug.id] = replace(
                        leader, drug=drug, carried_by=leader.drug, companion=companion
                    )
    order = {d.id: i for i, d in enumerate(candidates)}
    return sorted(best.values(), key=lambda v: order.get(v.drug.id, len(order)))
