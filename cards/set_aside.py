"""Records the mapping set aside (dated after the request's time), named where they matter.

`PatientFacts.set_aside` lists records no fact used, each with the concepts it would have fed.
Each rule reads some of those concepts (`READS`); every card of a rule names, under "Missing or
outdated data", the set-aside records it would have read: what, its value, its date, and that
it is dated after the time of the request. A record that would have fed a rule which now says
nothing (a future-dated LVEF of 38 % beside a recent 60 %) must not vanish silently: for a
patient in this service's care (HER2-directed therapy on patient-view, a drafted drug of our
table on the order hooks) one warning names what no card named. Values and displays from the
request are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache

from cards.current import current_in_class
from cards.detail import escape_text
from cards.findings import Finding, Indicator
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import format_date
from cards.render import applies_to_hook
from cards.rules import ENGINE, registry
from cards.sources import cite
from fhir_mappings import SetAsideRecord

RULE = "set-aside-records"
TOPIC = "Records dated after the time of the request"

LVEF = frozenset({"lvef", "lvef-panel"})
BODY = frozenset({"body-weight", "body-height", "bsa"})
HER2 = frozenset(
    {"her2-ihc", "her2-interpretation", "her2-ish", "her2-ish-ratio", "her2-ish-copies",
     "her2-ish-cep17", "her2-ish-panel"}
)  # fmt: skip
RECEPTORS = frozenset({"er-status", "er-percent", "pr-status", "pr-percent", "hr-combined"})
PREGNANCY = frozenset({"pregnancy-status", "hcg-qualitative", "hcg-quantitative", "pregnancy"})
DISEASE = frozenset(
    {"breast-cancer", "metastatic", "brain-metastasis", "gastric-cancer", "nsclc", "stage-group",
     "distant-metastases-category", "distant-metastasis-site"}
)  # fmt: skip
MEDICATION = frozenset({"medication"})
LABS = frozenset(
    {"alt", "ast", "bilirubin-total", "creatinine", "egfr", "creatinine-clearance",
     "neutrophils", "platelets", "child-pugh", "hepatic-impairment", "child-pugh-c",
     "child-pugh-a-b"}
)  # fmt: skip
REGIMEN = HER2 | RECEPTORS | DISEASE | MEDICATION | BODY

# Rule id -> the concepts its cards read. Ids not listed (and not C12-*) name nothing.
READS: Mapping[str, frozenset[str]] = {
    "C1": LVEF | MEDICATION,
    "C2": LVEF | MEDICATION,
    "cardiac-summary": LVEF | MEDICATION,
    "heart-failure": frozenset({"heart-failure"}) | MEDICATION,
    "C3": MEDICATION,
    "C4": MEDICATION | BODY,
    "C5": PREGNANCY | MEDICATION,
    "C6": HER2 | DISEASE,
    "C7": HER2 | DISEASE,
    "C8": frozenset({"interstitial-lung-disease"}) | MEDICATION,
    "C9": MEDICATION,
    "duplicate-her2-antibody": MEDICATION,
    "C10": BODY,
    "dose-check": BODY | MEDICATION,
    "C11": BODY | MEDICATION,  # the same review of each draft as dose-check
    "adjuvant-duration": MEDICATION | DISEASE,
    "her2-not-on-file": HER2 | DISEASE,
    "organ-function": LABS | BODY | DISEASE | MEDICATION,
    "pertuzumab-without-trastuzumab": MEDICATION | BODY,
    "course-limit": MEDICATION | DISEASE,
    "starting-dose": MEDICATION | DISEASE,
    "supportive-care": MEDICATION | DISEASE,
}

# Words for a summary (our own; the record's own text stays in the escaped detail).
_WORDS = (
    (LVEF, "An LVEF", "herceptin-label"),
    (BODY, "A weight or height", "herceptin-dosing"),
    (HER2, "A HER2 result", "asco-cap-her2-2018"),
    (RECEPTORS, "A hormone-receptor result", "asco-cap-her2-2018"),
    (PREGNANCY, "A pregnancy record", "herceptin-label"),
    (frozenset({"heart-failure"}), "A heart-failure diagnosis", "herceptin-label"),
    (frozenset({"interstitial-lung-disease"}), "An ILD diagnosis", "enhertu-ild"),
    (LABS, "A laboratory result", "kadcyla-label"),
    (DISEASE, "A diagnosis", "asco-2022-her2-mbc"),
    (MEDICATION, "A medication record", "asco-2022-her2-mbc"),
)


def concepts_read(rule: str) -> frozenset[str]:
    return REGIMEN if rule.startswith("C12-") else READS.get(rule, frozenset())


def set_aside_line(record: SetAsideRecord, now: datetime) -> str:
    """'Body weight 90 kg on 2026-12-24 (Observation/w2) is dated after the time of ...'."""
    item = record.evidence
    what = escape_text(item.display or item.code or item.resource_type, limit=80)
    value = f" {escape_text(item.value, limit=60)}" if item.value else ""
    ref = f"{item.resource_type}/{item.resource_id}" if item.resource_id else item.resource_type
    return (
        f"{what}{value} on {format_date(item.when)} ({escape_text(ref, limit=60)}) is "
        f"{record.reason} ({format_date(now)}): set aside, not used; check the record for a "
        "data-entry error"
    )


def name_set_aside(rule: str, findings: Iterable[Finding], hook_input: HookInput) -> list[Finding]:
    """The rule's findings, each naming the set-aside records the rule would have read."""
    facts = hook_input.facts
    if not facts.set_aside:  # the usual case: nothing set aside, nothing to name
        return list(findings)
    reads = concepts_read(rule)
    lines = tuple(set_aside_line(r, facts.as_of) for r in facts.set_aside if r.concepts & reads)
    if not lines:
        return list(findings)
    return [replace(f, missing_data=(*f.missing_data, *lines)) for f in findings]


@cache
def _read_on(hook: Hook) -> frozenset[str]:
    """The concepts read by the rules that run on `hook`: only they could have used a record."""
    rules = [r for r in registry() if r.family != ENGINE and hook in r.hooks]
    return frozenset().union(*(concepts_read(r.id) for r in rules))


def _in_care(hook_input: HookInput, config: CardsConfig) -> bool:
    if hook_input.hook is Hook.PATIENT_VIEW:
        return bool(current_in_class(hook_input.facts, "her2-directed", config=config))
    return bool(hook_input.drafted.selected)


def unnamed_set_aside(
    hook_input: HookInput, config: CardsConfig, findings: Sequence[Finding]
) -> list[Finding]:
    """One warning for the set-aside records no card shown on this hook names."""
    facts = hook_input.facts
    if not facts.set_aside:  # the usual case: nothing set aside
        return []
    read_here = _read_on(hook_input.hook)
    relevant = [r for r in facts.set_aside if r.concepts & read_here]
    if not relevant or not _in_care(hook_input, config):
        return []
    shown = {
        line for f in findings if applies_to_hook(f, hook_input.hook) for line in f.missing_data
    }
    lines = [set_aside_line(r, facts.as_of) for r in relevant]
    unnamed = [(r, line) for r, line in zip(relevant, lines, strict=True) if line not in shown]
    if not unnamed:
        return []
    first = unnamed[0][0]
    words, source = next(
        ((w, s) for concepts, w, s in _WORDS if first.concepts & concepts),
        ("A record", "asco-2022-her2-mbc"),
    )
    more = f" (and {len(unnamed) - 1} more)" if len(unnamed) > 1 else ""
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=(
                f"{words} dated {format_date(first.evidence.when)}{more}, after today, "
                "was not used: check the record"
            ),
            reasoning=(
                "The record holds data dated after the time of this request. A date in the "
                "future is a data-entry error, so these data were set aside and no check used "
                "them. Correct the date or the record, then check again: had the data been "
                "dated today, they could have changed the advice.",
            ),
            citations=(cite(source, RULE, TOPIC),),
            missing_data=tuple(line for _, line in unnamed),
            override_reasons=override_reasons("monitoring"),
            safety=True,
            dedup_key=RULE,
        )
    ]
