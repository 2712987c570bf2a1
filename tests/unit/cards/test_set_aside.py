"""Naming set-aside records on the cards whose rules would have read them."""

from __future__ import annotations

from datetime import timedelta

from cards import Hook, HookInput
from cards.findings import Citation, Finding, Indicator
from cards.set_aside import READS, concepts_read, name_set_aside, set_aside_line
from fhir_mappings import Evidence, SetAsideRecord
from tests.unit.cards.facts_factory import NOW, make_facts

WEIGHT = SetAsideRecord(
    frozenset({"body-weight"}),
    "dated after the time of this request",
    Evidence("Observation", "w2", None, "Body <b>weight</b>", NOW + timedelta(days=20), "90 kg"),
)


def finding(rule: str) -> Finding:
    return Finding(
        rule=rule,
        indicator=Indicator.WARNING,
        summary="s",
        reasoning=("r",),
        citations=(Citation("l", "https://example.org", rule, "t"),),
        missing_data=("already missing",),
    )


def hook_input() -> HookInput:
    return HookInput(Hook.ORDER_SELECT, "p1", make_facts(set_aside=(WEIGHT,)))


def test_the_line_says_what_when_and_that_it_is_after_now_escaped() -> None:
    line = set_aside_line(WEIGHT, NOW)
    assert line == (
        "Body &lt;b&gt;weight&lt;/b&gt; 90 kg on 2026-12-11 (Observation/w2) is dated after the "
        "time of this request (2026-11-21): set aside, not used; check the record for a "
        "data-entry error"
    )


def test_a_rule_that_reads_the_concept_names_it_after_its_own_missing_data() -> None:
    [named] = name_set_aside("C10", [finding("C10")], hook_input())
    assert named.missing_data == ("already missing", set_aside_line(WEIGHT, NOW))


def test_a_rule_that_does_not_read_it_is_left_alone() -> None:
    original = finding("C8")
    assert name_set_aside("C8", [original], hook_input()) == [original]


def test_every_c12_rule_reads_body_size_and_unknown_rules_read_nothing() -> None:
    assert "body-weight" in concepts_read("C12-first-line")
    assert concepts_read("some-new-rule") == frozenset()
    assert all(reads for reads in READS.values())


def test_every_rule_says_which_records_it_reads() -> None:
    """A new rule must be added to READS, or records set aside would never be named on it."""
    from cards.engine import all_rules

    assert [r.id for r in all_rules() if not concepts_read(r.id)] == []
