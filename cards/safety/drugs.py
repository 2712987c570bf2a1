"""What the safety rules know about each HER2-directed drug (`cards/data/safety_drugs.json`).

Names on cards come from the drug table (`fhir_mappings/data/medications.json`, by drug id),
not from the order's text: request text never reaches a summary. Safety summaries name several
drugs, so a safety drug's display is at most 40 characters and its short name at most 16
(checked on load). The table also says which trastuzumab product family a drug belongs to, because
trastuzumab, T-DM1 and T-DXd are different drugs that must not be substituted for one
another, while Phesgo and Herceptin Hylecta are trastuzumab.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.drug_table import known_drug
from cards.knowledge import KnowledgeError, default_thresholds, load_table
from cards.sources import source_ids

TRASTUZUMAB = "trastuzumab"
TRASTUZUMAB_SC = "trastuzumab-sc"
PERTUZUMAB = "pertuzumab"
PHESGO = "pertuzumab-trastuzumab-sc"
T_DM1 = "ado-trastuzumab-emtansine"
T_DXD = "fam-trastuzumab-deruxtecan"
MARGETUXIMAB = "margetuximab"

HER2_DIRECTED = "her2-directed"
HER2_ANTIBODY_CARDIAC = "her2-antibody-cardiac"
TRASTUZUMAB_CLASS = "trastuzumab-class"
TRASTUZUMAB_CONTAINING = "trastuzumab-containing"
ANTHRACYCLINE = "anthracycline"


@dataclass(frozen=True)
class Duration:
    value: int
    unit: str  # "week" | "month"

    def __str__(self) -> str:
        return f"{self.value} {self.unit}{'' if self.value == 1 else 's'}"


@dataclass(frozen=True)
class Contraception:
    female: Duration | None
    male: Duration | None
    source: str
    verification: str


@dataclass(frozen=True)
class SafetyDrug:
    id: str
    display: str
    short: str  # for summaries that would not fit with `display`
    substitution_family: str | None  # "trastuzumab" | "t-dm1" | "t-dxd"
    lvef_table: str | None
    lvef_interval: str | None  # threshold key, days
    lvef_start_window: str | None  # threshold key, days, before the first dose
    label_source: str
    dosing_source: str  # the page stating the product's content and dose
    embryo_fetal_source: str  # the label stating its embryo-fetal toxicity warning
    contraception: Contraception


@dataclass(frozen=True)
class SubstitutionFamily:
    """trastuzumab, T-DM1 or T-DXd: what cards call the family, and the label page that
    says not to substitute it for or with the others."""

    id: str
    words: str
    source: str


def _duration(raw: Mapping[str, Any] | None) -> Duration | None:
    return Duration(int(raw["value"]), str(raw["unit"])) if raw else None


def _check_references(drugs: Mapping[str, SafetyDrug]) -> None:
    """A drug naming a threshold or source that does not exist is a broken table."""
    thresholds = default_thresholds()
    known = source_ids()
    for drug in drugs.values():
        for key in (drug.lvef_interval, drug.lvef_start_window):
            if key is not None and key not in thresholds:
                raise KnowledgeError(f"safety_drugs.json: {drug.id} names unknown threshold {key}")
        named = (
            drug.label_source,
            drug.dosing_source,
            drug.embryo_fetal_source,
            drug.contraception.source,
        )
        for source in named:
            if source not in known:
                raise KnowledgeError(f"safety_drugs.json: {drug.id} names unknown source {source}")


@cache
def substitution_families() -> Mapping[str, SubstitutionFamily]:
    table = cast(Mapping[str, Any], load_table("safety_drugs"))
    families = {
        family_id: SubstitutionFamily(family_id, str(raw["words"]), str(raw["source"]))
        for family_id, raw in table["substitution_families"].items()
    }
    unknown = [f.source for f in families.values() if f.source not in source_ids()]
    if unknown:
        raise KnowledgeError(f"safety_drugs.json: substitution family names unknown {unknown}")
    return families


@cache
def safety_drugs() -> Mapping[str, SafetyDrug]:
    table = cast(Mapping[str, Any], load_table("safety_drugs"))
    drugs: dict[str, SafetyDrug] = {}
    for drug_id, entry in table["drugs"].items():
        contraception = entry["contraception"]
        names = known_drug(drug_id, "safety_drugs.json")
        drugs[drug_id] = SafetyDrug(
            id=drug_id,
            display=names.display,
            short=names.short,
            substitution_family=entry["substitution_family"],
            lvef_table=entry["lvef_table"],
            lvef_interval=entry["lvef_interval"],
            lvef_start_window=entry["lvef_start_window"],
            label_source=str(entry["label_source"]),
            dosing_source=str(entry["dosing_source"]),
            embryo_fetal_source=str(entry["embryo_fetal_source"]),
            contraception=Contraception(
                female=_duration(contraception["female"]),
                male=_duration(contraception["male"]),
                source=str(contraception["source"]),
                verification=str(contraception["verification"]),
            ),
        )
    _check_references(drugs)
    _check_name_lengths(drugs)
    return drugs


NAME_LIMITS = (40, 16)  # display, short: what a safety summary naming a few drugs leaves room for


def _check_name_lengths(drugs: Mapping[str, SafetyDrug]) -> None:
    long = [
        d.id
        for d in drugs.values()
        if len(d.display) > NAME_LIMITS[0] or len(d.short) > NAME_LIMITS[1]
    ]
    if long:
        raise KnowledgeError(f"medications.json: names too long for safety summaries: {long}")


def safety_drug(drug_id: str | None) -> SafetyDrug | None:
    return safety_drugs().get(drug_id) if drug_id else None


def drug_name(drug_id: str, *, short: bool = False) -> str:
    """The name a card uses for a drug id; ids outside the table read as themselves."""
    known = safety_drug(drug_id)
    if known is None:
        return drug_id.replace("-", " ")
    return known.short if short else known.display


def drug_names(drug_ids: Iterable[str], *, short: int = 0) -> str:
    """'trastuzumab', 'trastuzumab and pertuzumab', 'a, b and c' (each id once).

    `short` is the brevity a summary needs to fit: 0 full names, 1 short names ('T-DXd'),
    2 the first name and a count of the others (the card's detail lists them all)."""
    names = list(dict.fromkeys(drug_name(d, short=short >= 1) for d in drug_ids))
    if short >= 2 and len(names) > 2:
        names = [names[0], f"{len(names) - 1} other drugs"]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
