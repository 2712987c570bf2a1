"""The label LVEF tables (`cards/data/lvef_tables.json`) and how a reading is judged on them.

Each HER2 antibody has its own table: trastuzumab and margetuximab judge the fall from
baseline (>=16 points, or below the institution's lower limit of normal with >=10 points);
pertuzumab/Phesgo and T-DM1 have different tables for metastatic and early disease; T-DXd
combines absolute and relative limits. The numbers stay in the data file so a clinical
informaticist can check them against the label without reading Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Literal, cast

from cards.knowledge import CardsConfig, KnowledgeError, default_thresholds, load_table
from cards.sources import source_ids

LLN_THRESHOLD = "lvef_lln_percent"


class DiseaseContext(StrEnum):
    METASTATIC = "metastatic"
    EARLY = "early"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Conditions:
    """A conjunction of limits on the current LVEF and on the fall from baseline (points)."""

    lvef_below: float | None = None
    lvef_at_least: float | None = None
    lvef_at_most: float | None = None
    lvef_above: float | None = None
    below_lln: bool = False
    drop_at_least: float | None = None
    drop_above: float | None = None
    drop_below: float | None = None
    drop_at_most: float | None = None

    @property
    def needs_drop(self) -> bool:
        return any(
            v is not None
            for v in (self.drop_at_least, self.drop_above, self.drop_below, self.drop_at_most)
        )

    @property
    def has_lvef_limit(self) -> bool:
        return self.below_lln or any(
            v is not None
            for v in (self.lvef_below, self.lvef_at_least, self.lvef_at_most, self.lvef_above)
        )

    def lvef_holds(self, lvef: float, lln: float) -> bool:
        return (
            (self.lvef_below is None or lvef < self.lvef_below)
            and (self.lvef_at_least is None or lvef >= self.lvef_at_least)
            and (self.lvef_at_most is None or lvef <= self.lvef_at_most)
            and (self.lvef_above is None or lvef > self.lvef_above)
            and (not self.below_lln or lvef < lln)
        )

    def drop_holds(self, drop: float) -> bool:
        return (
            (self.drop_at_least is None or drop >= self.drop_at_least)
            and (self.drop_above is None or drop > self.drop_above)
            and (self.drop_below is None or drop < self.drop_below)
            and (self.drop_at_most is None or drop <= self.drop_at_most)
        )


@dataclass(frozen=True)
class Confirmation:
    min_days_apart: int
    instruction: str
    verification: str


@dataclass(frozen=True)
class Criterion:
    id: str
    when: Conditions
    action: Literal["withhold", "repeat"]
    criterion: str  # the label row in words
    instruction: str
    repeat_days: int  # the next LVEF is due this many days after the reading that met the row
    confirmed: Confirmation | None


@dataclass(frozen=True)
class AfterAnthracycline:
    """The pre-treatment LVEF once an anthracycline has been given, measured after it."""

    percent: float
    verification: str
    text: str


@dataclass(frozen=True)
class StartMinimum:
    percent: float | None
    threshold: str | None
    after_anthracycline: AfterAnthracycline | None
    verification: str
    text: str

    def value(self, config: CardsConfig, *, after_anthracycline: bool) -> float:
        if after_anthracycline and self.after_anthracycline is not None:
            return self.after_anthracycline.percent
        if self.threshold is not None:
            return config.threshold(self.threshold)
        assert self.percent is not None  # the schema requires one of the two
        return self.percent


@dataclass(frozen=True)
class SettingTable:
    table: str  # table id: "trastuzumab", "pertuzumab", "t-dm1", ...
    setting: str  # "any" | "metastatic" | "early"
    source: str
    verification: str
    start_minimum: StartMinimum
    criteria: tuple[Criterion, ...]

    @property
    def setting_words(self) -> str:
        return {
            "any": "",
            "metastatic": "metastatic breast cancer",
            "early": "early breast cancer",
        }[self.setting]


@dataclass(frozen=True)
class Companion:
    """A drug withheld or stopped together with this table's drug (pertuzumab goes with
    trastuzumab, and the pertuzumab table withholds trastuzumab too)."""

    table: str  # the companion drug's LVEF table id
    text: str
    source: str
    verification: str


@dataclass(frozen=True)
class LvefTable:
    id: str
    source: str
    settings: Mapping[str, SettingTable]
    companions: tuple[Companion, ...] = ()

    def for_context(self, context: DiseaseContext) -> tuple[SettingTable, ...]:
        """The table(s) that apply; both when the setting is unknown and the label differs."""
        if "any" in self.settings:
            return (self.settings["any"],)
        if context is DiseaseContext.UNKNOWN:
            return tuple(self.settings[s] for s in ("metastatic", "early") if s in self.settings)
        return (self.settings[context.value],)


def _criterion(raw: Mapping[str, Any]) -> Criterion:
    confirmed = raw.get("confirmed")
    return Criterion(
        id=str(raw["id"]),
        when=Conditions(**raw["when"]),
        action=raw["action"],
        criterion=str(raw["criterion"]),
        instruction=str(raw["instruction"]),
        repeat_days=int(raw["repeat_days"]),
        confirmed=Confirmation(
            min_days_apart=int(confirmed["min_days_apart"]),
            instruction=str(confirmed["instruction"]),
            verification=str(confirmed["verification"]),
        )
        if confirmed
        else None,
    )


def _setting(table_id: str, source: str, name: str, raw: Mapping[str, Any]) -> SettingTable:
    start = raw["start_minimum"]
    if "threshold" in start and start["threshold"] not in default_thresholds():
        raise KnowledgeError(f"lvef_tables.json: {table_id} names unknown threshold")
    return SettingTable(
        table=table_id,
        setting=name,
        source=source,
        verification=str(raw["verification"]),
        start_minimum=StartMinimum(
            percent=start.get("percent"),
            threshold=start.get("threshold"),
            after_anthracycline=AfterAnthracycline(
                percent=float(after["percent"]),
                verification=str(after["verification"]),
                text=str(after["text"]),
            )
            if (after := start.get("after_anthracycline"))
            else None,
            verification=str(start["verification"]),
            text=str(start["text"]),
        ),
        criteria=tuple(_criterion(c) for c in raw["criteria"]),
    )


@cache
def lvef_tables() -> Mapping[str, LvefTable]:
    raw_tables = cast(Mapping[str, Any], load_table("lvef_tables"))["tables"]
    tables: dict[str, LvefTable] = {}
    for table_id, raw in raw_tables.items():
        companions = tuple(
            Companion(str(c["table"]), str(c["text"]), str(c["source"]), str(c["verification"]))
            for c in raw.get("companions", ())
        )
        if any(s not in source_ids() for s in [raw["source"], *(c.source for c in companions)]):
            raise KnowledgeError(f"lvef_tables.json: {table_id} names unknown source")
        tables[table_id] = LvefTable(
            id=table_id,
            source=str(raw["source"]),
            settings={
                name: _setting(table_id, str(raw["source"]), name, setting)
                for name, setting in raw["settings"].items()
            },
            companions=companions,
        )
    unknown = [c.table for t in tables.values() for c in t.companions if c.table not in tables]
    if unknown:
        raise KnowledgeError(f"lvef_tables.json: companions name unknown tables {unknown}")
    return tables


def lvef_table(table_id: str) -> LvefTable:
    try:
        return lvef_tables()[table_id]
    except KeyError as exc:
        raise KnowledgeError(f"lvef_tables.json has no table {table_id!r}") from exc


class Outcome(StrEnum):
    WITHHOLD = "withhold"
    REPEAT = "repeat"  # continue, repeat LVEF soon (information)
    UNDETERMINED = "undetermined"  # a withhold row may apply but the fall is unknown
    NONE = "none"


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    criterion: Criterion | None = None


def judge(table: SettingTable, lvef: float, drop: float | None, lln: float) -> Judgement:
    """The first label row that `lvef` (with its fall from baseline, if known) meets.

    Without a baseline, rows that depend on the fall cannot be decided; that is reported as
    UNDETERMINED only when the reading itself is abnormal for the row (its LVEF limits hold,
    or the reading is below the LLN), not for every reading of a patient with no baseline.
    """
    undetermined: Criterion | None = None
    for criterion in table.criteria:
        if criterion.action != "withhold" or not criterion.when.lvef_holds(lvef, lln):
            continue
        if not criterion.when.needs_drop:
            return Judgement(Outcome.WITHHOLD, criterion)
        if drop is None:
            if undetermined is None and (criterion.when.has_lvef_limit or lvef < lln):
                undetermined = criterion
            continue
        if criterion.when.drop_holds(drop):
            return Judgement(Outcome.WITHHOLD, criterion)
    if undetermined is not None:
        return Judgement(Outcome.UNDETERMINED, undetermined)
    if drop is not None:
        for criterion in table.criteria:
            if (
                criterion.action == "repeat"
                and criterion.when.lvef_holds(lvef, lln)
                and criterion.when.drop_holds(drop)
            ):
                return Judgement(Outcome.REPEAT, criterion)
    return Judgement(Outcome.NONE)
