"""The code sets and unit tables in `data/*.json`, checked against `schemas/*.json` once.

Knowledge lives in data so that a clinical informaticist can review a code without reading
Python; this module only loads it, checks it and answers "what does this system + code mean?".
Loading is the one place the package reads files: it happens once per process (lru_cache) and a
broken table fails at start-up, never in the middle of a request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import jsonschema

KNOWLEDGE_VERSION = "terminology-2026.11.0"
"""Version of the whole terminology set; every data file carries the same number."""

DATA_FILES = (
    "medications",
    "observations",
    "conditions",
    "answers",
    "units",
    "her2_ish",
    "labs",
    "code_systems",
)

_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
_NDC = "http://hl7.org/fhir/sid/ndc"
# NDC segments: labeler, product, package. The FDA's 10-digit code is written 4-4-2, 5-3-2 or
# 5-4-1; the 11-digit (HIPAA) form pads the short segment with a leading zero to 5-4-2.
_NDC_WIDTHS = (5, 4, 2)


class TerminologyError(RuntimeError):
    """A data file does not match its schema or the knowledge version: a packaging bug."""


@cache
def load_table(name: str) -> Mapping[str, Any]:
    """The parsed data file `name`, validated against its JSON Schema."""
    if name not in DATA_FILES:
        raise TerminologyError(f"unknown terminology table {name!r}")
    package = resources.files("fhir_mappings")
    data = json.loads(package.joinpath("data", f"{name}.json").read_text(encoding="utf-8"))
    schema = json.loads(
        package.joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    )
    try:
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as error:
        raise TerminologyError(f"{name}.json does not match its schema: {error.message}") from None
    expected = KNOWLEDGE_VERSION.removeprefix("terminology-")
    if data["version"] != expected:
        raise TerminologyError(f"{name}.json is version {data['version']}, expected {expected}")
    if not isinstance(data, dict):  # pragma: no cover - the schema requires an object
        raise TerminologyError(f"{name}.json is not an object")
    return data


def normalise_system(system: str) -> str:
    """The system as the tables are keyed: without surrounding spaces, a trailing slash or
    letter case, http:// for https://, and the canonical URI for an alias (an OID: `data/
    code_systems.json`)."""
    key = system.strip().rstrip("/").lower()
    if key.startswith("https://"):
        key = "http://" + key.removeprefix("https://")
    return _aliases().get(key, key)


@cache
def _aliases() -> dict[str, str]:
    """Each alias of `data/code_systems.json` (lower case) -> its canonical system."""
    table = load_table("code_systems")
    return {
        alias.lower(): row["system"].lower() for row in table["systems"] for alias in row["aliases"]
    }


def normalise_code(system: str, code: str) -> str:
    """Codes compare case-insensitively; ICD-10-CM also without its dot (C50.911 = C50911);
    an NDC in its 11-digit form (50242-260-01 = 50242-0260-01 = 50242026001)."""
    code = code.strip().upper()
    if system == _ICD10CM:
        code = code.replace(".", "")
    elif system == _NDC:
        code = _ndc_digits(code)
    return code


def _ndc_digits(code: str) -> str:
    """A hyphenated NDC padded segment by segment to 5-4-2 digits (a product NDC, labeler and
    product only, to 5-4) and written without hyphens. A 10-digit NDC written without hyphens
    cannot be padded (which segment is short is unknown) and is compared as written."""
    segments = code.split("-")
    if len(segments) == 1 or len(segments) > len(_NDC_WIDTHS):
        return code
    widths = _NDC_WIDTHS[: len(segments)]
    if not all(s.isdigit() and 0 < len(s) <= w for s, w in zip(segments, widths, strict=True)):
        return code
    return "".join(s.zfill(w) for s, w in zip(segments, widths, strict=True))


@dataclass(frozen=True)
class CodeEntry:
    """One row of a code table, with where it came from and how well it is verified."""

    concept: str  # the fact it feeds: "lvef", "her2-ihc", "positive", "breast-cancer" ...
    system: str  # full URI
    code: str
    display: str
    source: str
    verification: str  # verified | corroborated | unverified
    method: str | None = None  # LVEF: the measuring method the code names
    prefix: bool = False  # ICD-10-CM category: matches every code below it

    @property
    def system_code(self) -> str:
        return f"{self.system}|{self.code}"


_SEEN_CODES = 4096  # codes whose answers are remembered, per index (bounded memory)


class CodeIndex:
    """Lookup from (system, code) to the table rows that code belongs to."""

    def __init__(self, entries: Iterable[CodeEntry]) -> None:
        self._exact: dict[tuple[str, str], list[CodeEntry]] = {}
        self._prefixes: list[tuple[str, str, CodeEntry]] = []
        for entry in entries:
            system = normalise_system(entry.system)
            code = normalise_code(entry.system, entry.code)
            if entry.prefix:
                self._prefixes.append((system, code, entry))
            else:
                self._exact.setdefault((system, code), []).append(entry)
        self._codes = frozenset(code for _, code in self._exact)
        # one C-level startswith over every prefix (a record's thousands of Observations)
        self._prefix_codes = tuple(prefix for _, prefix, _ in self._prefixes)
        self._may_hold_seen: dict[str, bool] = {}
        self._looked_up: dict[tuple[str, str], tuple[CodeEntry, ...]] = {}

    def may_hold(self, code: object) -> bool:
        """A cheap pre-filter on the bare code, before any system is compared."""
        if type(code) is not str:
            return False
        known = self._may_hold_seen.get(code)
        if known is None:
            norm = code.strip().upper()
            known = norm in self._codes or norm.replace(".", "").startswith(self._prefix_codes)
            if len(self._may_hold_seen) < _SEEN_CODES:  # a long record repeats a few codes
                self._may_hold_seen[code] = known
        return known

    def lookup(self, system: str | None, code: str | None) -> tuple[CodeEntry, ...]:
        """Rows for this system + code; none without a system (§0.1 #14: 2106-3 is two things)."""
        if not system or not code:
            return ()
        key = (system, code)
        found = self._looked_up.get(key)
        if found is None:
            found = self._lookup(system, code)
            if len(self._looked_up) < _SEEN_CODES:  # records repeat the same few codes
                self._looked_up[key] = found
        return found

    def _lookup(self, system: str, code: str) -> tuple[CodeEntry, ...]:
        norm_system = normalise_system(system)
        norm_code = normalise_code(norm_system, code)
        found = list(self._exact.get((norm_system, norm_code), ()))
        found.extend(
            entry
            for prefix_system, prefix, entry in self._prefixes
            if prefix_system == norm_system and norm_code.startswith(prefix)
        )
        return tuple(found)

    def concepts(self, system: str | None, code: str | None) -> frozenset[str]:
        return frozenset(entry.concept for entry in self.lookup(system, code))


def _concept_entries(table: Mapping[str, Any], key: str) -> list[CodeEntry]:
    systems: Mapping[str, str] = table["systems"]
    entries = []
    for concept, body in table[key].items():
        for row in body["codes"]:
            entries.append(
                CodeEntry(
                    concept=concept,
                    system=systems[row["system"]],
                    code=row["code"],
                    display=row["display"],
                    source=row["source"],
                    verification=row["verification"],
                    method=row.get("method"),
                    prefix=bool(row.get("prefix", False)),
                )
            )
    return entries


@lru_cache(maxsize=1)
def observation_codes() -> CodeIndex:
    return CodeIndex(_concept_entries(load_table("observations"), "concepts"))


@lru_cache(maxsize=1)
def condition_codes() -> CodeIndex:
    return CodeIndex(_concept_entries(load_table("conditions"), "concepts"))


@lru_cache(maxsize=1)
def answer_codes() -> CodeIndex:
    return CodeIndex(_concept_entries(load_table("answers"), "answers"))


def concept_codes(table: str, concept: str) -> tuple[CodeEntry, ...]:
    """Every row of one concept, e.g. all LVEF codes (for prefetch queries and tests)."""
    key = "answers" if table == "answers" else "concepts"
    return tuple(e for e in _concept_entries(load_table(table), key) if e.concept == concept)


def word_pattern(term: str) -> re.Pattern[str]:
    """A term as a whole word: 'trastuzumab' matches in 'ado-trastuzumab', not in 'xtrastuzumab'."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])")


def normalise_text(text: str) -> str:
    """Lower case, one kind of dash, single spaces: the form every word list is written in."""
    text = text.lower()
    for dash in ("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"):
        text = text.replace(dash, "-")
    return " ".join(text.split())


@dataclass(frozen=True)
class _TextMeaning:
    meaning: str
    patterns: tuple[tuple[str, re.Pattern[str]], ...]


@lru_cache(maxsize=1)
def _answer_texts() -> tuple[_TextMeaning, ...]:
    table = load_table("answers")
    priority: list[str] = list(table["text_priority"])
    ordered = priority + [m for m in table["answers"] if m not in priority]
    return tuple(
        _TextMeaning(m, tuple((t, word_pattern(t)) for t in table["answers"][m]["texts"]))
        for m in ordered
        if m in table["answers"]
    )


def meaning_of_text(text: str | None, allowed: Iterable[str]) -> str | None:
    """The first meaning (in the table's priority: negations first) whose words the text uses."""
    if not text:
        return None
    wanted = set(allowed)
    norm = normalise_text(text)
    for item in _answer_texts():
        if item.meaning not in wanted:
            continue
        for term, pattern in item.patterns:
            if term in norm and pattern.search(norm):
                return item.meaning
    return None


def text_mentions(text: str | None, meaning: str) -> bool:
    """Whether the text uses any word listed for one meaning (e.g. 'membrane-staining')."""
    return meaning_of_text(text, (meaning,)) == meaning


@dataclass(frozen=True)
class UnitFactor:
    quantity: str
    code: str  # the UCUM code the value was read in
    canonical: str
    factor: float


@lru_cache(maxsize=1)
def _unit_index() -> dict[tuple[str, str], UnitFactor]:
    index: dict[tuple[str, str], UnitFactor] = {}
    for quantity, body in load_table("units")["quantities"].items():
        for row in body["units"]:
            factor = UnitFactor(quantity, row["code"], body["canonical"], float(row["factor"]))
            for spelling in (row["code"], *row["aliases"]):
                index.setdefault((quantity, spelling.strip().lower()), factor)
    return index


def unit_factor(quantity: str, *spellings: str | None) -> UnitFactor | None:
    """How to turn a value written in `spellings` (UCUM code first) into the canonical unit."""
    index = _unit_index()
    for spelling in spellings:
        if spelling:
            found = index.get((quantity, spelling.strip().lower()))
            if found is not None:
                return found
    return None
