"""Findings to CDS Hooks 2.0 cards: uuids, escaping, per-hook policy, order and limits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from cards.detail import render_detail, unique_citations
from cards.findings import Citation, Finding, Indicator, Suggestion
from cards.hook_input import Hook
from cards.identifiers import Identifiers, same_system
from cards.phrasing import SUMMARY_LIMIT


def _summary(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SUMMARY_LIMIT else flat[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _suggestion(suggestion: Suggestion) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    for action in suggestion.actions:
        rendered: dict[str, Any] = {"type": action.type, "description": action.description}
        if action.resource is not None:
            rendered["resource"] = action.resource
        if action.resource_id is not None:
            rendered["resourceId"] = action.resource_id
        actions.append(rendered)
    out: dict[str, Any] = {"label": suggestion.label, "uuid": str(uuid.uuid4()), "actions": actions}
    if suggestion.is_recommended:
        out["isRecommended"] = True
    return out


def render_card(
    finding: Finding, knowledge_version: str, identifiers: Identifiers | None = None
) -> dict[str, Any]:
    """`identifiers`: the deployment's code systems (the fixed URNs by default)."""
    names = identifiers or Identifiers()
    citation = finding.citations[0]
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": _summary(finding.summary),
        "indicator": finding.indicator.value,
        "detail": render_detail(
            finding.reasoning,
            missing=finding.missing_data,
            evidence=finding.data_used,
            citations=finding.citations,
            knowledge_version=knowledge_version,
        ),
        "source": _source(citation, knowledge_version, names.rules),
    }
    if finding.suggestions:
        card["suggestions"] = [_suggestion(s) for s in finding.suggestions]
        card["selectionBehavior"] = finding.selection_behavior
    if finding.override_reasons:
        card["overrideReasons"] = [
            {
                "system": names.override_reasons
                if same_system(r.system, "override-reasons")
                else r.system,
                "code": r.code,
                "display": r.display,
            }
            for r in finding.override_reasons
        ]
    links = _links(finding)
    if links:
        card["links"] = links
    return card


def _source(citation: Citation, knowledge_version: str, rule_system: str) -> dict[str, Any]:
    """The card's source: the first citation's short label and primary URL, and the rule as
    its topic in the deployment's rule system (cards/identifiers.py)."""
    source: dict[str, Any] = {
        "label": f"{citation.link_label} (HER2 CDS {knowledge_version})",
        "topic": {
            "system": rule_system,
            "code": citation.topic_code,
            "display": citation.topic_display,
        },
    }
    if citation.url:
        source["url"] = citation.url
    return source


def _links(finding: Finding) -> list[dict[str, str]]:
    """Every cited source as an absolute link the EHR opens outside its frame, then the
    finding's own links; `detail` names the sources without links."""
    links = [
        {"label": c.link_label, "url": c.url, "type": "absolute"}
        for c in unique_citations(finding.citations)
        if c.url
    ]
    links.extend(
        {"label": link.label, "url": link.url, "type": "absolute"} for link in finding.links
    )
    unique: dict[str, dict[str, str]] = {}
    for link in links:
        unique.setdefault(link["url"], link)
    return list(unique.values())


def applies_to_hook(finding: Finding, hook: Hook) -> bool:
    """order-sign is the last check before signing: safety findings that say something is
    wrong, nothing else."""
    if hook is Hook.ORDER_SIGN:
        return finding.safety and finding.indicator is not Indicator.INFO
    return True


def select_findings(findings: Iterable[Finding], hook: Hook, max_cards: int) -> list[Finding]:
    """Policy, de-duplication (most severe wins), most severe first. Warning and critical
    cards are never cut (a dropped safety card reads as "checked, nothing wrong"); info cards
    fill what is left of `max_cards`."""
    kept: dict[str, Finding] = {}
    order: list[str] = []
    for finding in findings:
        if not applies_to_hook(finding, hook):
            continue
        key = finding.dedup_key or f"{finding.rule}:{finding.summary}"
        current = kept.get(key)
        if current is None:
            order.append(key)
            kept[key] = finding
        elif finding.indicator.severity > current.indicator.severity:
            kept[key] = finding
    withheld = frozenset().union(
        *(kept[key].withholds for key in order if kept[key].indicator is Indicator.CRITICAL)
    )
    ranked = sorted(
        (
            kept[key]
            for key in order
            # advice on how to dose a drug that a critical card says not to give contradicts it
            if not (kept[key].doses_for and kept[key].doses_for <= withheld)
        ),
        key=lambda f: (-f.indicator.severity, not f.safety),
    )
    alerts = [f for f in ranked if f.indicator is not Indicator.INFO]
    guidance = [f for f in ranked if f.indicator is Indicator.INFO]
    return alerts + guidance[: max(0, max_cards - len(alerts))]


def render_cards(
    findings: Sequence[Finding],
    hook: Hook,
    *,
    max_cards: int,
    knowledge_version: str,
    identifiers: Identifiers | None = None,
) -> list[dict[str, Any]]:
    return [
        render_card(f, knowledge_version, identifiers)
        for f in select_findings(findings, hook, max_cards)
    ]
