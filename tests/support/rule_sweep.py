"""A pytest plugin for the rule-registry sweep (tests/test_rule_registry.py): while the scenario
corpus runs, record for each registered rule the codes its cards carry (`Finding.rule` and each
citation's `source.topic.code`), the sources they cite, the thresholds the rule reads and the
scenario files its cards appeared in; write them as JSON to $RULE_SWEEP_OUT when the session
ends."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from cards import rules
from cards.engine_types import RuleFunction
from cards.findings import Finding
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig

SEEN: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
_RUNNING: list[str] = []
_TEST_FILE: list[str] = [""]  # the scenario file running now, relative to the repository
_threshold = CardsConfig.threshold


def _recording_threshold(self: CardsConfig, key: str) -> float:
    if _RUNNING:
        SEEN[_RUNNING[-1]]["thresholds"].add(key)
    return _threshold(self, key)


def _recorded(rule_id: str, run: RuleFunction) -> RuleFunction:
    def recorded(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
        _RUNNING.append(rule_id)
        try:
            findings = list(run(hook_input, config))
        finally:
            _RUNNING.pop()
        for finding in findings:
            SEEN[rule_id]["emits"].add(finding.rule)
            SEEN[rule_id]["emits"].update(c.topic_code for c in finding.citations)
            SEEN[rule_id]["sources"].update(c.source_id for c in finding.citations)
            SEEN[rule_id]["tests"].add(_TEST_FILE[0])
        return findings

    return recorded


def pytest_configure(config: pytest.Config) -> None:
    functions = rules.FUNCTIONS
    assert isinstance(functions, dict)
    for rule_id, run in list(functions.items()):
        functions[rule_id] = _recorded(rule_id, run)
    rules.registered_rules.cache_clear()
    CardsConfig.threshold = _recording_threshold  # type: ignore[method-assign]


def pytest_runtest_setup(item: pytest.Item) -> None:
    _TEST_FILE[0] = item.path.relative_to(item.config.rootpath).as_posix()


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = {rule: {k: sorted(v) for k, v in seen.items()} for rule, seen in SEEN.items()}
    Path(os.environ["RULE_SWEEP_OUT"]).write_text(json.dumps(out, indent=1), encoding="utf-8")
