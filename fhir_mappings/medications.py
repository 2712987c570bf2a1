"""Which drug a medication resource names, from `data/medications.json`.

Orders arrive coded by RxNorm ingredient or product (SCD/SBD), by SNOMED substance, by a
reference to a Medication (contained, bundled or fetched), or only as text (Epic sends a
`medicationReference` with a display). We read them in that order of trust: a product code is
the most specific, an ingredient code next; words then refine an ingredient (protein-bound
paclitaxel shares paclitaxel's ingredient, §0.1 #15) and stand in when no code is known.

Name matching must keep the label's "do not substitute" family apart (§0.1 #9): "trastuzumab"
alone is trastuzumab, while ado-trastuzumab emtansine and fam-trastuzumab deruxtecan are their
own drugs even though both strings contain "trastuzumab". Each drug's word list therefore has
exclusions, and an order text that names two different drugs recognises neither.

A combination product read only from its components (the words "pertuzumab" and "trastuzumab",
or both ingredient codes) is that product only when the order's route is one its label allows
(`label_route` in the table): IV pertuzumab + trastuzumab written on one order is not Phesgo,
which is for subcutaneous use only. Such an order names both components and recognises neither.
A name or code of the product itself (Phesgo, hyaluronidase-zzxf) still reads as the product.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fhir_mappings.fhir_json import (
    Coding,
    JsonObject,
    as_objects,
    codings,
    concept_text,
    concept_words,
    reference_display,
    reference_text,
)
from fhir_mappings.model import MedicationConcept
from fhir_mappings.resource_set import ResourceSet
from fhir_mappings.terminology import load_table, normalise_code, normalise_system, normalise_text

_PRODUCT_TTYS = frozenset({"SCD", "SBD", "SCD/SBD", "BN"})
_TRUSTED = frozenset({"verified", "corroborated"})
_PRODUCT_LEVELS = frozenset({"rxnorm-product", "ndc"})  # codes of one product: read first


@dataclass(frozen=True)
class DrugInfo:
    """One drug of the table, as cards need it to name, code and classify a drug."""

    id: str
    display: str  # the name on cards: "trastuzumab", "T-DXd (fam-trastuzumab deruxtecan)"
    short: str  # for a summary that would not fit with `display`: "T-DXd"
    brand_names: tuple[str, ...]
    classes: frozenset[str]
    components: tuple[str, ...]  # drug ids of a combination product (Phesgo)
    route: str | None  # "iv" | "sc" | "oral" | "im"
    rxnorm_ingredient: str | None  # RxCUI to code a suggested MedicationRequest
    rxnorm_display: str | None
    source: str
    verification: str  # verified | corroborated | unverified
    rxnorm_product: str | None = None  # a verified product RxCUI, for drugs without one ingredient
    rxnorm_product_display: str | None = None
    refines: tuple[str, ...] = ()  # drugs whose ingredient code this drug shares
    label_route: str | None = None  # the only route the product's label allows

    @property
    def rxnorm_code(self) -> str | None:
        """The RxCUI to code a suggestion with: the ingredient, else the verified product."""
        return self.rxnorm_ingredient or self.rxnorm_product

    @property
    def rxnorm_code_display(self) -> str | None:
        return self.rxnorm_display if self.rxnorm_ingredient else self.rxnorm_product_display


@dataclass(frozen=True)
class _CodeHit:
    drug: str
    level: str  # "rxnorm-product" | "ndc" | "rxnorm-ingredient" | "snomed"
    strength_mg: float | None = None  # mg in one tablet or capsule of a verified product code


@dataclass(frozen=True)
class _NameRule:
    drug: str
    any_of: tuple[tuple[str, ...], ...]  # each inner tuple: words that must all appear
    excludes: tuple[str, ...]
    by_components: frozenset[tuple[str, ...]] = frozenset()  # groups naming only components
    components: tuple[str, ...] = ()
    label_route: str | None = None


@dataclass(frozen=True)
class _DrugTable:
    drugs: Mapping[str, DrugInfo]
    codes: Mapping[tuple[str, str], _CodeHit]
    rules: tuple[_NameRule, ...]
    words: Mapping[str, re.Pattern[str]]
    route_words: Mapping[str, tuple[str, ...]]
    combinations: Mapping[frozenset[str], str]


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])")


@lru_cache(maxsize=1)
def _table() -> _DrugTable:
    data = load_table("medications")
    systems: Mapping[str, str] = data["systems"]
    drugs: dict[str, DrugInfo] = {}
    codes: dict[tuple[str, str], _CodeHit] = {}
    for row in data["drugs"]:
        drugs[row["id"]] = _drug_info(row)
        for code in row["codes"]:
            system = normalise_system(systems[code["system"]])
            codes[(system, normalise_code(system, code["code"]))] = _code_hit(row["id"], code)
    rules = _name_rules(data["drugs"], drugs)
    words: dict[str, re.Pattern[str]] = {}
    for rule in rules:
        for term in [t for group in rule.any_of for t in group] + list(rule.excludes):
            words.setdefault(term, _pattern(term))
    route_words = {route: tuple(w) for route, w in data["route_words"].items()}
    for terms in route_words.values():
        for term in terms:
            words.setdefault(term, _pattern(term))
    combinations = {frozenset(d.components): d.id for d in drugs.values() if d.components}
    _check_references(drugs, {c["id"] for c in data["classes"]})
    return _DrugTable(drugs, codes, rules, words, route_words, combinations)


def _drug_info(row: Mapping[str, Any]) -> DrugInfo:
    ingredient: Mapping[str, Any] | None = row["rxnorm_ingredient"]
    product: Mapping[str, Any] | None = row["rxnorm_product"]
    label_route: Mapping[str, Any] | None = row.get("label_route")
    return DrugInfo(
        id=row["id"],
        display=row["display"],
        short=row["short"],
        brand_names=tuple(row["brand_names"]),
        classes=frozenset(row["classes"]),
        components=tuple(row["components"]),
        route=row["route"],
        rxnorm_ingredient=ingredient["code"] if ingredient else None,
        rxnorm_display=ingredient["display"] if ingredient else None,
        source=row["source"],
        verification=row["verification"],
        rxnorm_product=product["code"] if product else None,
        rxnorm_product_display=product["display"] if product else None,
        refines=tuple(row["refines"]),
        label_route=label_route["route"] if label_route else None,
    )


def _code_hit(drug: str, code: Mapping[str, Any]) -> _CodeHit:
    if code["system"] in ("snomed", "ndc"):
        level = code["system"]
    elif code["tty"] in _PRODUCT_TTYS:
        level = "rxnorm-product"
    else:
        level = "rxnorm-ingredient"
    # a strength is read only from a code checked against a record (a misread tablet
    # strength is a misread dose)
    strength = code.get("strength_mg") if code["verification"] in _TRUSTED else None
    return _CodeHit(drug, level, float(strength) if strength is not None else None)


def _name_rules(
    rows: Sequence[Mapping[str, Any]], drugs: Mapping[str, DrugInfo]
) -> tuple[_NameRule, ...]:
    """Each drug's word groups. A group of a combination whose every word is a one-word name
    of one of its components ("pertuzumab" + "trastuzumab") names the product only by its
    components: it is the one the product's `label_route` governs."""
    one_word = {row["id"]: {g[0] for g in row["names"] if len(g) == 1} for row in rows}
    rules = []
    for row in rows:
        info = drugs[row["id"]]
        component_words = set().union(*(one_word.get(c, set()) for c in info.components))
        groups = tuple(tuple(n) for n in row["names"])
        rules.append(
            _NameRule(
                info.id,
                groups,
                tuple(row["name_excludes"]),
                frozenset(g for g in groups if component_words.issuperset(g)),
                info.components,
                info.label_route,
            )
        )
    return tuple(rules)


def _check_references(drugs: Mapping[str, DrugInfo], class_ids: set[str]) -> None:
    for drug in drugs.values():
        unknown = (set(drug.components) | set(drug.refines)) - set(drugs)
        unknown |= set(drug.classes) - class_ids
        if unknown:
            raise ValueError(f"medications.json: {drug.id} names unknown ids {unknown}")
        if drug.label_route is not None and drug.label_route != drug.route:
            raise ValueError(f"medications.json: {drug.id} has a label route other than its route")


def drug_info(drug_id: str) -> DrugInfo:
    """The table entry for a drug id; KeyError for an id the table does not have."""
    try:
        return _table().drugs[drug_id]
    except KeyError:
        raise KeyError(f"unknown drug id {drug_id!r}") from None


def all_drugs() -> tuple[DrugInfo, ...]:
    return tuple(_table().drugs.values())


def drugs_in_class(drug_class: str) -> tuple[DrugInfo, ...]:
    return tuple(d for d in _table().drugs.values() if drug_class in d.classes)


def _words_present(text: str, terms: Iterable[str]) -> set[str]:
    """The terms that occur in `text` as whole words (a substring test first: it is cheap)."""
    words = _table().words
    return {t for t in terms if t in text and words[t].search(text)}


# Order forms repeat the same few medication texts: name and route look-ups are kept per text
# (bounded; the texts stay in this worker's memory, never in a log).
_TEXT_CACHE = 4096


@lru_cache(maxsize=_TEXT_CACHE)
def drugs_named(text: str | None, route: str | None = None) -> frozenset[str]:
    """Every drug the text names, after each drug's exclusions (before combination rules).

    With the order's `route`: a combination the text names only by its components ("pertuzumab
    and trastuzumab") on a route its label does not allow is not named; its components are."""
    if not text:
        return frozenset()
    table = _table()
    present = _words_present(normalise_text(text), table.words)
    if not present:
        return frozenset()
    named: set[str] = set()
    for rule in table.rules:
        groups = [g for g in rule.any_of if present.issuperset(g)]
        if not groups or not present.isdisjoint(rule.excludes):
            continue
        if _route_allows(rule.label_route, route) or not rule.by_components.issuperset(groups):
            named.add(rule.drug)
        else:
            named.update(rule.components)
    return frozenset(named)


def _route_allows(label_route: str | None, route: str | None) -> bool:
    """An unknown route, or a product whose label allows every route, is never ruled out."""
    return label_route is None or route is None or route == label_route


def resolve_drugs(
    drug_ids: Iterable[str], route: str | None = None, *, combine: bool = True
) -> str | None:
    """One drug from several hits.

    A refinement beats what it refines (protein-bound paclitaxel beats paclitaxel); with
    `combine` (codes), the components of a combination make the combination (pertuzumab +
    trastuzumab ingredient codes make Phesgo) unless the order's `route` is one the
    combination's label does not allow; else None. Words do not combine: a combination is named
    by its own word groups, so "Perjeta + Herceptin" names two IV drugs, not Phesgo.
    """
    ids = set(drug_ids)
    if not ids:
        return None
    table = _table()
    kept = {d for d in ids if not any(d in table.drugs[o].refines for o in ids if o != d)}
    if len(kept) == 1:
        return next(iter(kept))
    combination = table.combinations.get(frozenset(kept)) if combine else None
    if combination is None or not _route_allows(table.drugs[combination].label_route, route):
        return None
    return combination


@lru_cache(maxsize=_TEXT_CACHE)
def route_named(text: str | None) -> str | None:
    """The route an order's words state ("IV", "subcutaneous", "by mouth"), if exactly one."""
    if not text:
        return None
    norm = normalise_text(text)
    routes = {route for route, terms in _table().route_words.items() if _words_present(norm, terms)}
    return next(iter(routes)) if len(routes) == 1 else None


@dataclass(frozen=True)
class _MedicationSource:
    """What a resource says about its medication: codings, ingredient codings and words."""

    codings: tuple[Coding, ...]
    ingredient_codings: tuple[Coding, ...]
    words: str
    text: str | None


Resolver = Callable[[str | None, JsonObject | None], JsonObject | None]


def _medication_source(resource: JsonObject, resolve: Resolver) -> _MedicationSource | None:
    if resource.get("resourceType") == "Medication":
        return _from_medication(resource, None, resolve)
    concept = resource.get("medicationCodeableConcept")
    if concept is not None and (codings(concept) or concept_text(concept)):
        words, text = concept_words(concept), concept_text(concept)
        return _MedicationSource(codings(concept), (), words, text)
    ref = resource.get("medicationReference")
    if ref is None:
        return None
    display = reference_display(ref)
    medication = resolve(reference_text(ref), resource)
    if medication is not None and medication.get("resourceType") == "Medication":
        return _from_medication(medication, display, resolve)
    if display is None:
        return None
    return _MedicationSource((), (), display, display)


def _from_medication(
    medication: JsonObject, display: str | None, resolve: Resolver
) -> _MedicationSource:
    code = medication.get("code")
    ingredient_codings: list[Coding] = []
    words = [w for w in (display, concept_words(code)) if w]
    for ingredient in as_objects(medication.get("ingredient")):
        item = ingredient.get("itemCodeableConcept")
        if item is None:
            target = resolve(reference_text(ingredient.get("itemReference")), medication)
            item = target.get("code") if target is not None else None
        ingredient_codings.extend(codings(item))
        if concept_words(item):
            words.append(concept_words(item))
    text = display or concept_text(code)
    return _MedicationSource(codings(code), tuple(ingredient_codings), " | ".join(words), text)


def _code_hits(items: Iterable[Coding]) -> list[tuple[_CodeHit, Coding]]:
    table = _table().codes
    hits = []
    for coding in items:
        if coding.system and coding.code:
            system = normalise_system(coding.system)
            hit = table.get((system, normalise_code(system, coding.code)))
            if hit is not None:
                hits.append((hit, coding))
    return hits


def code_strength_mg(items: Iterable[Coding]) -> float | None:
    """mg in one tablet or capsule of the product these codes name (an RxNorm SCD/SBD in the
    table with its strength); None when no code says, or two say different things."""
    strengths = {hit.strength_mg for hit, _ in _code_hits(items) if hit.strength_mg is not None}
    return strengths.pop() if len(strengths) == 1 else None


def _order_route(resource: JsonObject, words: str) -> str | None:
    """The one route the order states: its dosage route (coded or text), its dosage text, or
    the words of its medication ("trastuzumab and pertuzumab IV"). None when it states none,
    or two different ones."""
    dosages = [d for key in ("dosageInstruction", "dosage") for d in as_objects(resource.get(key))]
    stated = [route_named(concept_words(d.get("route"))) for d in dosages]
    stated += [route_named(d["text"]) for d in dosages if isinstance(d.get("text"), str)]
    stated.append(route_named(words))
    routes = set(stated) - {None}
    return next(iter(routes)) if len(routes) == 1 else None


def recognise_with(resource: JsonObject, resolve: Resolver) -> MedicationConcept | None:
    """`recognise_medication` with a reference resolver (used with an indexed ResourceSet)."""
    source = _medication_source(resource, resolve)
    if source is None:
        return None
    route = _order_route(resource, source.words)
    drug, matched_by, matched_code, also_named = _identify(source, route)
    info = _table().drugs.get(drug) if drug else None
    return MedicationConcept(
        drug=drug,
        classes=info.classes if info else frozenset(),
        components=info.components if info else (),
        route=route or (info.route if info else None),
        matched_by=matched_by,
        text=source.text,
        code=matched_code,
        also_named=also_named,
    )


@lru_cache(maxsize=1024)
def _identify(
    source: _MedicationSource, route: str | None
) -> tuple[str | None, str, str | None, tuple[str, ...]]:
    """The drug these codings and words name on the order's route: (drug, matched by, matched
    code, other drugs named). Cached: order-select repeats the same few medications call after
    call."""
    table = _table()
    hits = _code_hits(source.codings)
    ingredient_hits = _code_hits(source.ingredient_codings)
    named = drugs_named(source.words, route)

    drug: str | None = None
    matched_by = "none"
    matched_code: str | None = None
    for level_hits in (
        [h for h in hits if h[0].level in _PRODUCT_LEVELS],
        [h for h in hits if h[0].level not in _PRODUCT_LEVELS],
        ingredient_hits,
    ):
        if level_hits:
            drug = resolve_drugs((h[0].drug for h in level_hits), route)
            chosen = next((h for h in level_hits if h[0].drug == drug), level_hits[0])
            matched_by, matched_code = chosen[0].level, chosen[1].system_code
            break
    by_name = resolve_drugs(named, route, combine=False)
    refined = drug is not None and by_name is not None and drug in table.drugs[by_name].refines
    if refined or (drug is None and matched_code is None and by_name is not None):
        drug, matched_by = by_name, "name"
    elif drug is None and matched_code is None and named:
        matched_by = "name"  # the text names several drugs: none of them is the order's drug

    info = table.drugs.get(drug) if drug else None
    related = {drug, *(info.components if info else ()), *(info.refines if info else ())}
    return drug, matched_by, matched_code, tuple(sorted(d for d in named if d not in related))


def recognise_medication(
    resource: Mapping[str, Any], *, resources: Sequence[Mapping[str, Any]] = ()
) -> MedicationConcept | None:
    """The drug a MedicationRequest/Administration/Statement (or a Medication) names.

    None when the resource names no medication at all (a sandbox skeleton draft); a concept with
    `drug=None` when it names one the table does not know (its text is kept for the card).
    """
    return recognise_with(resource, ResourceSet(resources).resolve)
