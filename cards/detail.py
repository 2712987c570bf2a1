"""Card text: Markdown of our own words, with every value from the request escaped.

The CDS Hooks sandbox renders raw HTML in `detail` (rehype-raw), and EHRs differ in what
they render, so anything that came from the request (a display, a medication text) is
escaped before it reaches the card: HTML metacharacters become entities and Markdown
punctuation is backslash-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any, cast

from cards.findings import Citation
from cards.knowledge import load_table
from cards.phrasing import format_date
from fhir_mappings import Evidence

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_MAX_VALUE_LENGTH = 120


@lru_cache(maxsize=4096)  # the same displays and ids, call after call
def escape_text(text: str, *, limit: int = _MAX_VALUE_LENGTH) -> str:
    """Request-supplied text, made inert for Markdown and HTML and cut to `limit` chars."""
    flat = _CONTROL.sub(" ", text).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)


def _evidence_row(item: Evidence) -> str:
    what = escape_text(item.display or item.code or item.resource_type, limit=80)
    value = escape_text(item.value, limit=60) if item.value else "—"
    record = item.resource_type
    if item.resource_id and len(item.resource_id) <= 40:
        record = f"{item.resource_type}/{item.resource_id}"
    return f"| {what} | {value} | {format_date(item.when)} | {escape_text(record, limit=60)} |"


def data_table(evidence: Iterable[Evidence]) -> str:
    rows = [_evidence_row(item) for item in evidence]
    if not rows:
        return ""
    header = "| Data | Value | Date | Record |\n|---|---|---|---|"
    return "**Data used**\n\n" + header + "\n" + "\n".join(dict.fromkeys(rows))


def sources_text(citations: Iterable[Citation]) -> str:
    """The sources as plain text: no Markdown links and no URLs, which an EHR may open inside
    its own frame (the sandbox replaces the whole app). The card's `links` carry the URLs."""
    lines = [f"- {c.label}" for c in unique_citations(citations)]
    return "**Sources**\n\n" + "\n".join(lines) if lines else ""


def unique_citations(citations: Iterable[Citation]) -> list[Citation]:
    """Each source once, in order (two rules' topics on one card do not repeat a source)."""
    seen: dict[str, Citation] = {}
    for citation in citations:
        seen.setdefault(citation.source_id or citation.url or citation.label, citation)
    return list(seen.values())


def render_detail(
    reasoning: Iterable[str],
    *,
    missing: Iterable[str],
    evidence: Iterable[Evidence],
    citations: Iterable[Citation],
    knowledge_version: str,
) -> str:
    """The card's Markdown: reasoning, missing data, data used with dates, sources."""
    parts = [paragraph.strip() for paragraph in reasoning if paragraph.strip()]
    missing_lines = [f"- {line}" for line in missing]
    if missing_lines:
        parts.append("**Missing or outdated data**\n\n" + "\n".join(missing_lines))
    table = data_table(evidence)
    if table:
        parts.append(table)
    sources = sources_text(citations)
    if sources:
        parts.append(sources)
    parts.append(
        f"_HER2 CDS knowledge {knowledge_version}. Decision support: "
        "the final decision stays with the clinician._"
    )
    return "\n\n".join(parts)


def check_locally(mark: str) -> str:
    """' (unverified in the label: check locally)' for a figure not confirmed in the label;
    '' for a verified one. The one phrasing of verification marks on cards."""
    words = _mark_wording().get(mark)
    return f" ({words})" if words else ""


@cache
def _mark_wording() -> Mapping[str, str | None]:
    """Each verification mark in clinical words (`cards/data/verification_marks.json`)."""
    table = cast(Mapping[str, Any], load_table("verification_marks"))
    return cast(Mapping[str, str | None], table["marks"])
