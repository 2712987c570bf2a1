"""What cards cite: one table (`cards/data/sources.json`) and one `cite()`.

Every rule and knowledge row names its sources by id (or by an alias, the older keys of the
regimen and safety tables). A citation carries the source's citation in the usual form (for
the card's text), a short label (for the card's link) and the primary URL: a DOI for
guidelines and trials, the FDA label on DailyMed or Drugs@FDA for labels. The secondary pages
that helped verify a figure stay in the table as `verified_via` and never reach a card.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.findings import Citation
from cards.knowledge import KnowledgeError, load_table

DOI_PREFIX = "https://doi.org/"


@dataclass(frozen=True)
class Source:
    id: str
    kind: str  # "guideline" | "trial" | "label"
    citation: str
    short: str
    url: str
    verification: str  # "verified" | "unverified" (the URL or DOI, checked against a record)
    aliases: tuple[str, ...]


def _source(key: str, raw: Mapping[str, Any]) -> Source:
    doi = raw.get("doi")
    if doi is not None and raw["url"] != DOI_PREFIX + doi:
        raise KnowledgeError(f"sources.json: {key}: url must be {DOI_PREFIX}{doi}")
    return Source(
        id=key,
        kind=str(raw["kind"]),
        citation=str(raw["citation"]),
        short=str(raw["short"]),
        url=str(raw["url"]),
        verification=str(raw["verification"]),
        aliases=tuple(str(a) for a in raw["aliases"]),
    )


@cache
def _index() -> Mapping[str, Source]:
    """Every id and alias to its source; an alias naming two sources stops the service."""
    table = cast(Mapping[str, Any], load_table("sources"))
    index: dict[str, Source] = {}
    for key, raw in table["sources"].items():
        source = _source(key, raw)
        for name in (key, *source.aliases):
            if name in index:
                raise KnowledgeError(f"sources.json: {name!r} names two sources")
            index[name] = source
    return index


def all_sources() -> tuple[Source, ...]:
    return tuple(dict.fromkeys(_index().values()))


def source_ids() -> frozenset[str]:
    """Every name a table or rule may use for a source: ids and aliases."""
    return frozenset(_index())


def resolve(source_id: str) -> Source:
    try:
        return _index()[source_id]
    except KeyError as exc:
        raise KnowledgeError(f"sources.json has no source {source_id!r}") from exc


def cite(source_id: str, rule: str, topic: str) -> Citation:
    """The citation of `source_id` (an id or an alias) on a card of `rule` about `topic`."""
    source = resolve(source_id)
    return Citation(
        label=source.citation,
        url=source.url,
        topic_code=rule,
        topic_display=topic,
        short=source.short,
        source_id=source.id,
    )


def cite_all(source_ids: Iterable[str], *, rule: str, topic: str) -> tuple[Citation, ...]:
    """The citations of several sources, in order, each source once (aliases folded)."""
    unique = dict.fromkeys(resolve(key).id for key in source_ids)
    return tuple(cite(key, rule, topic) for key in unique)
