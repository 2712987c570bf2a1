"""The shape of a rule, shared by the rule packages and the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cards.findings import Finding
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig

RuleFunction = Callable[[HookInput, CardsConfig], Iterable[Finding]]

ALL_HOOKS = frozenset(Hook)


@dataclass(frozen=True)
class Rule:
    id: str  # its row in cards/data/rules.json: "C1", "dose-check", "C12-first-line", ...
    hooks: frozenset[Hook]  # the hooks it runs on (the renderer still applies order-sign policy)
    run: RuleFunction
