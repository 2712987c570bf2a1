"""The rule registry: `cards/data/rules.json` says what each rule is; this module says which
function runs it, in one place.

A reviewer reads each rule's id, hooks, statement, thresholds, sources and scenario tests in the
table (the
README's rule table is generated from it: `python -m cards.rules_table`). The engine runs the
rules in the table's order. `check_registry()` runs at start-up (`load_all_tables`): a rule in
the table without a function here, a function without a row, an unknown threshold or source
stops the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.engine_types import Rule, RuleFunction
from cards.hook_input import Hook
from cards.knowledge import KnowledgeError, default_thresholds, load_table
from cards.regimens.course_limit import course_limit_findings
from cards.regimens.dose_check import dose_findings, reload_findings
from cards.regimens.duration import duration_findings
from cards.regimens.early_stage import early_stage_findings
from cards.regimens.endocrine import endocrine_findings
from cards.regimens.first_line import first_line_findings
from cards.regimens.her2_low import her2_low_findings
from cards.regimens.later_lines import later_line_findings
from cards.regimens.line_unknown import line_unknown_findings
from cards.regimens.maintenance import maintenance_findings
from cards.regimens.second_line import second_line_findings
from cards.regimens.starting_dose import starting_dose_findings, supportive_care_findings
from cards.regimens.summary import summary_findings
from cards.regimens.weight_check import weight_findings
from cards.safety.anthracycline_concurrency import anthracycline_concurrency_findings
from cards.safety.anthracycline_dose import anthracycline_dose_findings
from cards.safety.biomarkers import biomarker_mismatch_findings
from cards.safety.duplicate_antibodies import duplicate_antibody_findings
from cards.safety.heart_failure import heart_failure_findings
from cards.safety.her2_missing import her2_not_on_file_findings
from cards.safety.ild import ild_findings
from cards.safety.lvef_monitoring import cardiac_summary_findings, lvef_monitoring_findings
from cards.safety.lvef_withhold import lvef_threshold_findings
from cards.safety.organ_function import organ_function_findings
from cards.safety.pertuzumab_partner import pertuzumab_partner_findings
from cards.safety.pregnancy import pregnancy_findings
from cards.safety.substitution import substitution_findings
from cards.safety.tdxd_label import tdxd_population_findings
from cards.sources import resolve

# Rule id (as in rules.json) -> the function that runs it. The one place they meet.
FUNCTIONS: Mapping[str, RuleFunction] = {
    "C1": lvef_monitoring_findings,
    "C2": lvef_threshold_findings,
    "cardiac-summary": cardiac_summary_findings,
    "heart-failure": heart_failure_findings,
    "C3": anthracycline_concurrency_findings,
    "C4": anthracycline_dose_findings,
    "C5": pregnancy_findings,
    "C6": biomarker_mismatch_findings,
    "her2-not-on-file": her2_not_on_file_findings,
    "C7": tdxd_population_findings,
    "C8": ild_findings,
    "C9": substitution_findings,
    "duplicate-her2-antibody": duplicate_antibody_findings,
    "organ-function": organ_function_findings,
    "pertuzumab-without-trastuzumab": pertuzumab_partner_findings,
    "C10": weight_findings,
    "dose-check": dose_findings,
    "C11": reload_findings,
    "adjuvant-duration": duration_findings,
    "course-limit": course_limit_findings,
    "starting-dose": starting_dose_findings,
    "supportive-care": supportive_care_findings,
    "C12-first-line": first_line_findings,
    "C12-second-line": second_line_findings,
    "C12-later-lines": later_line_findings,
    "C12-line-undetermined": line_unknown_findings,
    "C12-hr-endocrine": endocrine_findings,
    "C12-her2-maintenance": maintenance_findings,
    "C12-her2-low": her2_low_findings,
    "C12-early-stage": early_stage_findings,
    "C12-summary": summary_findings,
}

ENGINE = "engine"  # the family of rows the engine runs itself, after the rules (set-aside records)


@dataclass(frozen=True)
class RuleEntry:
    """One row of `cards/data/rules.json`."""

    id: str
    family: str  # "safety" | "regimens" | "engine"
    hooks: tuple[Hook, ...]
    needs_a_drug: frozenset[Hook]  # hooks on which it is silent unless the call names a drug
    statement: str
    thresholds: tuple[str, ...]
    sources: tuple[str, ...]
    scenarios: tuple[str, ...]  # scenario test files that check its cards by its id


@cache
def registry() -> tuple[RuleEntry, ...]:
    """The rows of `cards/data/rules.json`, in the order the engine runs them."""
    table = cast(Mapping[str, Any], load_table("rules"))
    return tuple(
        RuleEntry(
            id=row["id"],
            family=row["family"],
            hooks=tuple(Hook(h) for h in row["hooks"]),
            needs_a_drug=frozenset(Hook(h) for h in row["needs_a_drug"]),
            statement=row["statement"],
            thresholds=tuple(row["thresholds"]),
            sources=tuple(row["sources"]),
            scenarios=tuple(row["scenarios"]),
        )
        for row in table["rules"]
    )


def entry(rule_id: str) -> RuleEntry:
    for row in registry():
        if row.id == rule_id:
            return row
    raise KnowledgeError(f"rule {rule_id!r} is not in cards/data/rules.json")


@cache
def registered_rules() -> tuple[Rule, ...]:
    """The rules the engine runs, built from the registry (engine rows excluded)."""
    check_registry()
    return tuple(
        Rule(id=row.id, hooks=frozenset(row.hooks), run=FUNCTIONS[row.id])
        for row in registry()
        if row.family != ENGINE
    )


@cache
def needs_a_drug(hook: Hook) -> bool:
    """True when every rule of `hook`, the engine's included, finds nothing unless the call
    names a drug the drug table knows (`needs_a_drug` in the registry: by a draft order on an
    order hook, by a medication record on patient-view): a call that names none needs no
    facts, and its answer is no cards."""
    return all(hook in row.needs_a_drug for row in registry() if hook in row.hooks)


def rules_of(family: str) -> tuple[Rule, ...]:
    """The registered rules of one family ("safety" or "regimens"), in run order."""
    ids = {row.id for row in registry() if row.family == family}
    return tuple(rule for rule in registered_rules() if rule.id in ids)


def _problems() -> list[str]:
    rows = registry()
    problems: list[str] = []
    ids = [row.id for row in rows]
    problems += [
        f"rule {i!r} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    ruled = {row.id for row in rows if row.family != ENGINE}
    problems += [
        f"rule {i!r} has no function in cards/rules.py" for i in sorted(ruled - set(FUNCTIONS))
    ]
    problems += [
        f"function for {i!r} has no row in rules.json" for i in sorted(set(FUNCTIONS) - ruled)
    ]
    from cards.set_aside import READS, RULE  # imported here: cards.set_aside reads this registry

    engine_rows = {row.id for row in rows if row.family == ENGINE}
    if engine_rows != {RULE}:
        problems.append(f"engine rows {sorted(engine_rows)} are not the engine's [{RULE!r}]")
    problems += [f"set_aside.READS names unknown rule {i!r}" for i in sorted(set(READS) - ruled)]
    thresholds = default_thresholds()
    for row in rows:
        problems += [
            f"rule {row.id!r}: needs_a_drug names {h.value!r}, a hook it does not run on"
            for h in sorted(row.needs_a_drug - set(row.hooks))
        ]
        problems += [
            f"rule {row.id!r}: unknown threshold {t!r}"
            for t in row.thresholds
            if t not in thresholds
        ]
        for source in row.sources:
            try:
                known = resolve(source).id == source
            except KnowledgeError:
                known = False
            if not known:
                problems.append(f"rule {row.id!r}: {source!r} is not an id in sources.json")
    return problems


def check_registry() -> None:
    """Stop start-up when the registry and the functions (or the other tables) disagree."""
    problems = _problems()
    if problems:
        raise KnowledgeError("cards/data/rules.json: " + "; ".join(problems))
