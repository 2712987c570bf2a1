"""What a card may cite: primary sources only, as links the EHR opens outside its frame.

Used by the scenario harness on every card the corpus produces, and by the unit tests of the
sources table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

# Hosts a card may link to, each with the reason it is a primary source.
ALLOWED_HOSTS: dict[str, str] = {
    "doi.org": "the publisher's version of record of a guideline or trial, by its DOI",
    "dailymed.nlm.nih.gov": "NLM's copy of the FDA-approved label as the manufacturer submitted it",
    "www.accessdata.fda.gov": "Drugs@FDA: the FDA's own record of the application and its labels",
    "ec.europa.eu": "the Union Register: the EU-authorised summary of product characteristics",
}
# No guideline publisher's own site (asco.org, nccn.org) is listed: every guideline cited has a
# DOI, and a publisher page without one would be added here with its reason.

_URL_IN_TEXT = re.compile(r"https?://|www\.", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"\]\(")


def host(url: str) -> str:
    return urlsplit(url).hostname or ""


def card_urls(card: dict[str, Any]) -> list[str]:
    urls = [link["url"] for link in card.get("links", [])]
    if "url" in card["source"]:
        urls.append(card["source"]["url"])
    return urls


def source_problems(cards: Iterable[dict[str, Any]]) -> list[str]:
    """Every way a card breaks the rule: a secondary host, a link in detail, a source that
    is not among the card's links."""
    problems: list[str] = []
    for card in cards:
        summary = card["summary"]
        for url in card_urls(card):
            if not url.startswith("https://") or host(url) not in ALLOWED_HOSTS:
                problems.append(f"{summary!r}: secondary or unknown host in {url}")
        for link in card.get("links", []):
            if link["type"] != "absolute":
                problems.append(f"{summary!r}: link {link['label']!r} is not absolute")
        detail = card.get("detail", "")
        if _URL_IN_TEXT.search(detail) or _MARKDOWN_LINK.search(detail):
            problems.append(f"{summary!r}: detail carries a URL or a Markdown link")
        source_url = card["source"].get("url")
        if source_url and source_url not in [link["url"] for link in card.get("links", [])]:
            problems.append(f"{summary!r}: the card's source is not among its links")
    return problems
