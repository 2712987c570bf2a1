"""Runs the rules for one hook call and renders what they find."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cards.engine_types import Rule
from cards.findings import Citation, Finding, Indicator
from cards.hook_input import DataGap, Hook, HookInput
from cards.knowledge import CardsConfig, knowledge_version
from cards.render import render_cards
from cards.rules import needs_a_drug, registered_rules
from cards.set_aside import name_set_aside, unnamed_set_aside
from fhir_mappings import (
    DraftOrder,
    MappingConfig,
    build_patient_facts,
    drafts_name_a_drug,
    read_draft_orders,
    records_name_a_drug,
)


def all_rules() -> tuple[Rule, ...]:
    """The rules in the order of `cards/data/rules.json` (their functions: `cards.rules`)."""
    return registered_rules()


@dataclass(frozen=True)
class Evaluation:
    cards: list[dict[str, Any]]
    rule_errors: tuple[str, ...]  # "C2: ZeroDivisionError" — for the service's log, no PHI
    no_known_drug: bool = False  # answered before the facts: the call named no known drug


def _rule_failed(rule: Rule) -> Finding:
    """A rule that crashed must not fall silent: say a check could not run."""
    return Finding(
        rule=rule.id,
        indicator=Indicator.WARNING,
        summary=f"HER2 CDS check {rule.id} could not run; review this order manually.",
        reasoning=(
            "An internal error stopped this check. Other checks ran normally. "
            "The error has been logged for the service's maintainers.",
        ),
        citations=(
            Citation(
                label="HER2 CDS service",
                url="",  # no page to link: the card says what to do
                topic_code=rule.id,
                topic_display="Check could not run",
            ),
        ),
        safety=True,
        dedup_key=f"rule-error:{rule.id}",
    )


def evaluate(hook_input: HookInput, config: CardsConfig) -> Evaluation:
    findings: list[Finding] = []
    errors: list[str] = []
    try:
        for rule in all_rules():
            if hook_input.hook not in rule.hooks:
                continue
            try:
                findings.extend(name_set_aside(rule.id, rule.run(hook_input, config), hook_input))
            except Exception as exc:  # one broken rule must not silence the others
                errors.append(f"{rule.id}: {type(exc).__name__}")
                findings.append(_rule_failed(rule))
        findings.extend(unnamed_set_aside(hook_input, config, findings))
    finally:
        # What the rules shared (a Situation holds its HookInput) makes a reference cycle:
        # left in place, the call's whole facts graph would wait for the cyclic collector,
        # whose collections then ran mid-request over every live object (~35 us a call).
        hook_input.forget_per_call()
    cards = render_cards(
        findings,
        hook_input.hook,
        max_cards=config.max_cards,
        knowledge_version=knowledge_version(),
        identifiers=config.identifiers,
    )
    return Evaluation(cards=cards, rule_errors=tuple(errors))


def call_names_a_drug(
    hook: Hook, resources: Sequence[Mapping[str, Any]], orders: Sequence[DraftOrder]
) -> bool:
    """Whether what the hook is about names a drug the drug table knows: the draft orders on
    order-select and order-sign, the medication record on patient-view."""
    if hook is Hook.PATIENT_VIEW:
        return records_name_a_drug(resources)
    return drafts_name_a_drug(orders)


def answer(
    hook: Hook,
    *,
    patient_id: str,
    resources: Sequence[Mapping[str, Any]],
    draft_orders: Mapping[str, Any] | None,
    selections: Sequence[str],
    gaps: tuple[DataGap, ...],
    now: datetime,
    cards_config: CardsConfig,
    mapping_config: MappingConfig | None = None,
) -> Evaluation:
    """A hook call's FHIR data in, its cards out: the draft orders, then (unless the call
    names no known drug and every rule of the hook needs one: `needs_a_drug` in the registry)
    the facts and the rules."""
    orders = read_draft_orders(draft_orders, selections, hook=hook.value, resources=resources)
    if needs_a_drug(hook) and not call_names_a_drug(hook, resources, orders):
        return Evaluation(cards=[], rule_errors=(), no_known_drug=True)  # a list of its own
    facts = build_patient_facts(resources, now=now, config=mapping_config)
    hook_input = HookInput(hook=hook, patient_id=patient_id, facts=facts, orders=orders, gaps=gaps)
    return evaluate(hook_input, cards_config)
