"""What a rule concludes, before it becomes a CDS Hooks card.

Rules return `Finding`s: plain data with no uuids, no Markdown and no JSON. The renderer
(`cards.render`) turns them into cards, so escaping, ordering, de-duplication and the
per-hook policy live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from fhir_mappings import Evidence


class Indicator(StrEnum):
    """info: guidance; warning: a likely error or missing data; critical: label criteria only."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def severity(self) -> int:
        return {"info": 0, "warning": 1, "critical": 2}[self.value]


@dataclass(frozen=True)
class Citation:
    """The guideline, trial or label a finding rests on (built by `cards.sources.cite`)."""

    label: str  # the citation in the usual form: "Giordano SH, ... J Clin Oncol. 2022; ..."
    url: str  # the primary URL (doi.org, DailyMed, Drugs@FDA); "" for the service's own notes
    topic_code: str  # a code the rule emits (rules.json `emits`), e.g. "C2" or "C12-first-line"
    topic_display: str
    short: str = ""  # the link's label, e.g. "ASCO 2022 guideline, advanced HER2+ breast cancer"
    source_id: str = ""  # the id in cards/data/sources.json

    @property
    def link_label(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class OverrideReason:
    code: str
    display: str
    system: str


@dataclass(frozen=True)
class Action:
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None  # full FHIR resource for create/update
    resource_id: str | None = None  # "MedicationRequest/abc" for delete


@dataclass(frozen=True)
class Suggestion:
    label: str
    actions: tuple[Action, ...]
    is_recommended: bool = False


@dataclass(frozen=True)
class Link:
    label: str
    url: str  # https only; a fixed, documented set of domains


@dataclass(frozen=True)
class Finding:
    """One conclusion of one rule about this patient now.

    `summary` and `reasoning` are our own words; any value taken from the request (drug text,
    a display) must come in through `data_used`, which the renderer escapes.
    """

    rule: str  # a code the rule emits (rules.json `emits`): "C1", "C11", "C12-first-line", ...
    indicator: Indicator
    summary: str  # one sentence, < 140 characters, specific
    reasoning: tuple[str, ...]  # Markdown paragraphs of our own text (numbers, dates, drug names)
    citations: tuple[Citation, ...]  # the first one becomes the card's `source`
    data_used: tuple[Evidence, ...] = ()
    missing_data: tuple[str, ...] = ()  # "No LVEF on file", "Weight older than 30 days (…)"
    suggestions: tuple[Suggestion, ...] = ()
    selection_behavior: Literal["at-most-one", "any"] = "at-most-one"
    override_reasons: tuple[OverrideReason, ...] = ()
    links: tuple[Link, ...] = ()
    safety: bool = False  # safety rules run on order-sign; guidance does not
    dedup_key: str = ""  # findings with the same key are one card (the most severe kept)
    withholds: frozenset[str] = frozenset()  # drug ids a critical card says not to give now
    doses_for: frozenset[str] = frozenset()  # drug ids whose dose or re-load this card advises
    extra: dict[str, str] = field(default_factory=dict)  # rule-specific labels for tests/logs
