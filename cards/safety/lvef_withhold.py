"""C2: LVEF past a label threshold, judged per drug on its own table against the baseline.

Critical only where the label says withhold or discontinue; a warning when the drug is
being started below the label's pre-treatment LVEF, when a withhold row may apply but the
fall cannot be measured (no baseline), or when the tables of metastatic and early disease
disagree and the setting is not on file. A fall that crosses no label threshold gets no
card; a label "continue and repeat LVEF" row gets an information card.

Pertuzumab is never given without trastuzumab: its label stops it when trastuzumab stops and
its table withholds both. So when either table withholds (or forbids a start), the other
drug of the pair, drafted or active, is carried onto the same card ('companions' in the
table), whatever its own table says, and both drafts are offered for removal.

The verdicts are `lvef_verdict`'s; this module writes the cards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.detail import check_locally
from cards.drafts import order_drug
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit_names, percent, points
from cards.phrasing import format_date as date
from cards.safety.cardiac_scope import (
    baseline,
    cardiac_drugs,
    current_cardiac_exposures,
    latest_dated,
    regimen_start,
)
from cards.safety.drugs import drug_names
from cards.safety.lvef_repeat import repeat_echo, repeat_paragraph
from cards.safety.lvef_verdict import (
    DrugVerdict,
    Readings,
    Verdict,
    carry_companions,
    companion_candidates,
    judge_drug,
)
from cards.safety.suggested_orders import remove_drafts_suggestions
from cards.safety.triggers import exposure_evidence, order_evidence
from cards.sources import cite, resolve
from fhir_mappings import Evidence, LvefMeasurement, PatientFacts

RULE = "C2"
TOPIC = "LVEF past a label threshold"


def _reading(m: LvefMeasurement) -> str:
    return f"{percent(m.percent)} on {date(m.when)}"


def _baseline_phrase(readings: Readings) -> str:
    if readings.baseline is None:
        return "no baseline on file"
    drop = readings.drop
    base = f"baseline {percent(readings.baseline.percent)} ({date(readings.baseline.when)})"
    if drop is not None and drop > 0:
        return f"{points(drop)} below {base}"
    return base


def _summary(verdict: Verdict, group: Sequence[DrugVerdict], readings: Readings, short: int) -> str:
    names = drug_names((v.drug.id for v in group), short=short)
    latest = _reading(readings.latest)
    first = group[0]
    if verdict is Verdict.WITHHOLD:
        if readings.drop is not None:
            return f"Withhold {names}: LVEF {latest}, {_baseline_phrase(readings)}"
        return f"Withhold {names}: LVEF {latest} meets the label withhold criteria"
    if verdict is Verdict.DISCONTINUE:
        since = date(first.run[-1].when)
        return f"Discontinue {names}: LVEF {latest} confirms the decline first seen on {since}"
    if verdict is Verdict.START_WITHHOLD:
        return f"Do not start {names}: LVEF {latest} meets the label withhold criteria"
    if verdict is Verdict.START_BELOW:
        assert first.minimum is not None
        setting = first.table.setting_words
        where = f" in {setting}" if setting else ""
        if first.other_table is not None:
            where += " (setting not on file)"
        return (
            f"LVEF {latest} is below the {percent(first.minimum)} required "
            f"before starting {names}{where}"
        )
    if verdict is Verdict.SETTING_UNCERTAIN:
        return (
            f"LVEF {latest} meets the {names} withhold criteria for "
            f"{first.table.setting_words}; disease setting not on file"
        )
    if verdict is Verdict.UNDETERMINED:
        return f"LVEF {latest} on {names}: no baseline LVEF on file to judge the withhold criteria"
    assert first.criterion is not None
    return f"{first.criterion.instruction.rstrip('.')}: LVEF {latest}, {_baseline_phrase(readings)}"


def _drug_paragraph(v: DrugVerdict, readings: Readings) -> str:
    name = v.drug.display
    if v.carried_by is not None and v.companion is not None:
        return f"**{name}** goes with {v.carried_by.display}: {v.companion.text}" + (
            check_locally(v.companion.verification)
        )
    table = v.table
    # each hold and repeat interval names the label it comes from (two drugs, two labels)
    label = resolve(table.source).short
    where = f" ({label}, {table.setting_words} table)" if table.setting_words else f" ({label})"
    if v.verdict is Verdict.START_BELOW:
        assert v.minimum is not None
        start = table.start_minimum
        rule_text, mark = start.text, start.verification
        if v.after_anthracycline and start.after_anthracycline is not None:
            rule_text = f"{start.text} {start.after_anthracycline.text}"
            mark = start.after_anthracycline.verification
        return (
            f"**{name}**{where}: {rule_text} The latest LVEF is "
            f"{_reading(readings.latest)}, below {percent(v.minimum)}." + check_locally(mark)
        )
    assert v.criterion is not None
    text = f"**{name}**{where}: meets '{v.criterion.criterion}'. {v.criterion.instruction}"
    mark = table.verification
    if v.verdict is Verdict.DISCONTINUE and v.criterion.confirmed is not None:
        readings_text = ", ".join(_reading(m) for m in reversed(v.run))
        text += (
            f" Readings meeting the withhold criteria since the first dose: {readings_text}. "
            f"{v.criterion.confirmed.instruction}"
        )
        mark = v.criterion.confirmed.verification if mark == "verified" else mark
    if v.verdict is Verdict.SETTING_UNCERTAIN and v.other_table is not None:
        text += (
            f" The {v.other_table.setting_words} table would not withhold at this reading; "
            "no metastatic or early-disease diagnosis is on file to choose between them."
        )
    if v.verdict is Verdict.UNDETERMINED:
        text = (
            f"**{name}**{where}: the label row '{v.criterion.criterion}' may apply, but no LVEF "
            "before the first dose of the current regimen is on file, so the fall cannot be "
            "measured. Compare with the pre-treatment echocardiogram or MUGA before dosing."
        )
    return text + check_locally(mark)


def _opening(
    readings: Readings, facts: PatientFacts, config: CardsConfig, on_treatment: bool
) -> str:
    latest = readings.latest
    text = f"Latest LVEF {_reading(latest)}"
    if readings.baseline is not None:
        text += (
            f"; baseline (last LVEF before the regimen's first dose) {_reading(readings.baseline)}"
        )
        if readings.drop is not None and readings.drop > 0:
            text += f", a fall of {points(readings.drop)}"
        elif readings.drop is not None and readings.drop < 0:
            text += f", a rise of {points(-readings.drop)}"
    text += "."
    start = regimen_start(facts, config)
    if on_treatment and start is not None:
        text += f" The current HER2 regimen started on {date(start)}."
    if latest.preliminary:
        text += " The latest reading is preliminary."
    return text


def _evidence(
    hook_input: HookInput, config: CardsConfig, readings: Readings, group: Sequence[DrugVerdict]
) -> tuple[Evidence, ...]:
    """The readings judged, the baseline, and the orders or exposures of the drugs."""
    items = [readings.latest.evidence]
    for v in group:
        items.extend(m.evidence for m in v.run)
    if readings.baseline is not None:
        items.append(readings.baseline.evidence)
    ids = {v.drug.id for v in group}
    items.extend(order_evidence(o for o in hook_input.orders if order_drug(o) in ids))
    current = current_cardiac_exposures(hook_input.facts, config)
    items.extend(exposure_evidence(e for e in current if e.drug in ids))
    return tuple(dict.fromkeys(items))


def _suggestions(
    hook_input: HookInput, verdict: Verdict, group: Sequence[DrugVerdict], readings: Readings
) -> tuple[Suggestion, ...]:
    suggestions: list[Suggestion] = []
    if verdict.indicator is Indicator.CRITICAL:
        suggestions.extend(
            remove_drafts_suggestions(hook_input, [v.drug.id for v in group], selected_only=False)
        )
    if verdict is not Verdict.START_BELOW:
        suggestions.append(repeat_echo(hook_input, group, readings))
    return tuple(suggestions)


def _withheld(verdict: Verdict, group: Sequence[DrugVerdict]) -> frozenset[str]:
    """The drugs a withhold / discontinue / do-not-start card says not to give now, the
    companion carried with them included (pertuzumab is not given without trastuzumab), so
    that no dose or re-load card for them stands next to it. Other verdicts withhold none."""
    if verdict.indicator is not Indicator.CRITICAL:
        return frozenset()
    return frozenset(v.drug.id for v in group)


def _finding(
    hook_input: HookInput,
    config: CardsConfig,
    verdict: Verdict,
    group: Sequence[DrugVerdict],
    readings: Readings,
) -> Finding:
    first = group[0]
    citations = [cite(v.table.source, RULE, TOPIC) for v in group if v.carried_by is None]
    citations.extend(cite(v.companion.source, RULE, TOPIC) for v in group if v.companion)
    if verdict in (Verdict.START_BELOW, Verdict.UNDETERMINED):
        citations.append(cite("asco-2022-her2-mbc", RULE, TOPIC))
        citations.append(cite("safe-heart", RULE, TOPIC))
    missing: tuple[str, ...] = ()
    if readings.baseline is None and verdict not in (Verdict.START_BELOW, Verdict.START_WITHHOLD):
        missing = ("No LVEF before the first dose of the current HER2 regimen (baseline)",)
    suggestions = _suggestions(hook_input, verdict, group, readings)
    return Finding(
        rule=RULE,
        indicator=verdict.indicator,
        summary=fit_names(lambda short: _summary(verdict, group, readings, short)),
        reasoning=(
            _opening(
                readings,
                hook_input.facts,
                config,
                verdict not in (Verdict.START_BELOW, Verdict.START_WITHHOLD),
            ),
            *(_drug_paragraph(v, readings) for v in group),
            *repeat_paragraph(group, readings),
        ),
        citations=tuple(dict.fromkeys(citations)),
        data_used=_evidence(hook_input, config, readings, group),
        missing_data=missing,
        suggestions=suggestions,
        selection_behavior="any",
        override_reasons=override_reasons("cardiac"),
        safety=True,
        dedup_key=f"{RULE}:{verdict.value}:{first.minimum or ''}",
        withholds=_withheld(verdict, group),
        extra={"verdict": verdict.value, "drugs": ",".join(v.drug.id for v in group)},
    )


def lvef_threshold_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    if hook_input.gap("lvef") is not None:
        return ()  # C1 says the LVEF could not be retrieved
    facts = hook_input.facts
    latest = latest_dated(facts)
    if latest is None:
        return ()
    readings = Readings(latest=latest, baseline=baseline(facts, config))
    drugs = cardiac_drugs(hook_input, config)
    own = [v for v in (judge_drug(hook_input, config, d) for d in drugs) if v]
    verdicts = carry_companions(own, companion_candidates(hook_input, config))
    groups: dict[tuple[Verdict, float | None], list[DrugVerdict]] = {}
    for v in verdicts:
        groups.setdefault((v.verdict, v.minimum), []).append(v)
    return [
        _finding(hook_input, config, verdict, group, readings)
        for (verdict, _), group in groups.items()
    ]
