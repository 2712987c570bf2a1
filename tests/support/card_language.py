"""What a clinician may read on a card: clinical language, never the tables' own vocabulary
or machine phrasing.

Used by the scenario harness on every card the corpus produces. Each pattern names the
phrasing it rejects and what the card says instead; a finding is fixed where the text is
written, not by loosening the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

# (pattern, what is wrong). Patterns are searched in the card's summary, detail, suggestion
# labels and link labels.
_INTERNAL: tuple[tuple[str, str], ...] = (
    # verification marks as marks; the one clinical phrasing is "(unverified in the label:
    # check locally)" and its siblings, written by cards.detail.check_locally
    (r"\bcorroborated\b", "a verification mark"),
    (r"\b(?:un)?verified\b(?! in the label: check locally)", "a verification mark"),
    (r"[◐⚠✓✔]", "a verification symbol"),
    (r"design[- ]choice", "a table's verification mark"),
    (r"\bseed\b", "the tables' provenance"),
    (r"knowledge base", "the tables' name for themselves"),
    (r"from memory", "the tables' provenance"),
    (r"\.json\b", "a table file name"),
    (r"\b[a-z]+_[a-z_]+\b", "a table or setting key"),
    (r"clinical-knowledge|docs/", "a project document"),
    (r"\b[a-z]+(?:-[a-z0-9]+)*-(?:ish|id)\b", "an internal code"),
    (r"\bcall (?:positive|negative|unknown|equivocal)", "an internal HER2 call code"),
    (r"\b(?:ihc|ish dual probe|ish single probe|interpretation) \d{4}-", "a result-kind code"),
    (r"\bt-dm1\b|\bt-dxd\b", "a drug id (T-DM1, T-DXd)"),
)

_MACHINE: tuple[tuple[str, str], ...] = (
    (r"\bevery (?:\d*\.\d+|1|7|14|21|28|42) days?\b", "an interval not in words"),
    (r"\b1 days\b", "'1 days'"),
    (r"\b\d+\.\d+ days\b", "a fractional day count"),
    (r"mg/m2", "ASCII mg/m2 (the cards write mg/m²)"),
    (r"\b\d+\.\d+ mg/m²", "a BSA-based dose with invented precision (whole mg/m²)"),
    (r"(?<![\d./:])\d+\.\d{3,}\b(?![./])", "a raw float"),
)


@cache
def _rule_ids() -> tuple[str, ...]:
    from cards.engine import all_rules

    # "heart-failure" is also the clinical compound ("a heart-failure diagnosis")
    return tuple(
        rule.id for rule in all_rules() if rule.id not in {"heart-failure"} and "-" in rule.id
    ) + tuple(rule.id for rule in all_rules() if re.fullmatch(r"C\d+", rule.id))


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = [(re.compile(p), why) for p, why in _INTERNAL + _MACHINE]
    compiled += [(re.compile(rf"\b{re.escape(r)}\b"), "a rule id") for r in _rule_ids()]
    return tuple(compiled)


def card_texts(card: dict[str, Any]) -> list[str]:
    texts = [card["summary"], card.get("detail", "")]
    texts += [s.get("label", "") for s in card.get("suggestions", [])]
    texts += [link["label"] for link in card.get("links", [])]
    return texts


# The data table shows values as the record has them (a dose given at 99.4 mg/m²): the
# precision patterns read the card's own prose only.
_PROSE_ONLY = frozenset({"a BSA-based dose with invented precision (whole mg/m²)", "a raw float"})


def _prose(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("|"))


def language_problems(cards: Iterable[dict[str, Any]]) -> list[str]:
    """Each phrase of each card that a clinician should not have to read."""
    problems: list[str] = []
    for card in cards:
        for whole in card_texts(card):
            for pattern, why in _patterns():
                text = _prose(whole) if why in _PROSE_ONLY else whole
                for match in pattern.finditer(text):
                    start = max(0, match.start() - 40)
                    excerpt = text[start : match.end() + 30].replace("\n", " ")
                    problems.append(f"{card['summary']!r}: {why}: …{excerpt}…")
    return problems
