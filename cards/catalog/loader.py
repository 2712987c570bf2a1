"""The regimen table (`cards/data/regimens.json`) as typed, cross-checked objects.

The JSON Schema checks the shape of the file; this module checks what a schema cannot: that
every regimen slot names a known group, every suggested drug and schedule exists, every source
key resolves in `cards/data/sources.json` and every reload rule names a configurable
threshold. A broken reference stops the service at start-up instead of producing a card with
a hole in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, cast

from cards.catalog.model import (
    AcceptedDose,
    Basis,
    Catalog,
    Drug,
    EarlyStage,
    FirstLine,
    Her2Low,
    Her2LowPopulation,
    HrPositive,
    LabelOption,
    LaterLines,
    LaterOption,
    Maintenance,
    Regimen,
    Reload,
    ReloadKind,
    Schedule,
    SecondLine,
    Slot,
    SlotOption,
    Trap,
)
from cards.drug_table import known_drug
from cards.knowledge import KnowledgeError, default_thresholds, load_table
from cards.sources import source_ids


def _sources(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(k) for k in keys)


def _schedule(raw: Mapping[str, Any]) -> Schedule:
    volume = raw.get("volume_ml", {})
    return Schedule(
        id=raw["id"],
        interval_days=float(raw["interval_days"]),
        times_per_day=int(raw.get("times_per_day", 1)),
        loading=float(raw["loading"]) if "loading" in raw else None,
        maintenance=float(raw["maintenance"]),
        volume_loading_ml=float(volume["loading"]) if "loading" in volume else None,
        volume_maintenance_ml=float(volume["maintenance"]) if "maintenance" in volume else None,
        also_accepted=tuple(
            AcceptedDose(
                value=float(a["value"]),
                on_treatment_only=a["when"] == "on-treatment",
                settings=frozenset(a.get("settings", ())),
                cancers=frozenset(a.get("cancers", ())),
                note=a["note"],
                sources=_sources(a["source"]),
                verification=a["verification"],
            )
            for a in raw.get("also_accepted", ())
        ),
        partners=frozenset(raw.get("partners", ())),
        note=raw.get("note", ""),
        cycle=raw.get("cycle", ""),
        days_on=float(raw["days_on"]) if "days_on" in raw else None,
        settings=frozenset(raw.get("settings", ())),
        sources=_sources(raw["source"]),
        verification=raw["verification"],
    )


def _drug(drug_id: str, raw: Mapping[str, Any]) -> Drug:
    reload_raw = raw.get("reload")
    names = known_drug(drug_id, "regimens.json")
    return Drug(
        id=drug_id,
        display=names.display,
        short=names.short,
        provides=frozenset(raw["provides"]),
        route=raw["route"],
        basis=Basis(raw["basis"]),
        check_dose=bool(raw["check_dose"]),
        dose_component=raw.get("dose_component"),
        no_re_escalation=bool(raw.get("no_re_escalation", False)),
        ceiling=float(raw["ceiling"]) if "ceiling" in raw else None,
        schedules=tuple(_schedule(s) for s in raw["schedules"]),
        tablet_mg=tuple(sorted((float(t) for t in raw.get("tablet_mg", ())), reverse=True)),
        reload=Reload(
            kind=ReloadKind(reload_raw["kind"]),
            threshold=reload_raw["threshold"],
            sources=_sources(reload_raw["source"]),
            verification=reload_raw["verification"],
        )
        if reload_raw
        else None,
        traps=tuple(
            Trap(
                near=t.get("near"),
                above=t.get("above"),
                short=t["short"],
                text=t["text"],
                critical=t["indicator"] == "critical",
                basis=t["basis"],
                sources=_sources(t["source"]),
                verification=t["verification"],
            )
            for t in raw.get("traps", ())
        ),
    )


def _regimen(
    regimen_id: str, raw: Mapping[str, Any], groups: Mapping[str, Mapping[str, Any]]
) -> Regimen:
    slots = []
    for slot in raw["slots"]:
        group = groups.get(slot["group"])
        if group is None:
            raise KnowledgeError(f"regimen {regimen_id!r}: unknown slot group {slot['group']!r}")
        slots.append(
            Slot(
                group=slot["group"],
                display=group["display"],
                filled_by=frozenset(group["filled_by"]),
                chemotherapy_phase=bool(slot.get("chemotherapy_phase", False)),
                suggest=tuple(SlotOption(o["drug"], o["schedule"]) for o in slot["suggest"]),
            )
        )
    return Regimen(
        id=regimen_id,
        display=raw["display"],
        short=raw["short"],
        settings=frozenset(raw["settings"]),
        slots=tuple(slots),
        sources=_sources(raw["source"]),
        verification=raw["verification"],
    )


def _unknown_sources(where: str, keys: Iterable[str]) -> list[str]:
    return [f"{where}: unknown source {key!r}" for key in keys if key not in source_ids()]


def _drug_problems(catalog: Catalog) -> list[str]:
    """Each drug's schedules, traps and reload rule: known sources and thresholds."""
    problems: list[str] = []
    thresholds = default_thresholds()
    for drug in catalog.drugs.values():
        for schedule in drug.schedules:
            problems += _unknown_sources(f"drug {drug.id}/{schedule.id}", schedule.sources)
            for accepted in schedule.also_accepted:
                problems += _unknown_sources(
                    f"drug {drug.id}/{schedule.id} {accepted.value:g}", accepted.sources
                )
        for trap in drug.traps:
            problems += _unknown_sources(f"drug {drug.id} trap {trap.short!r}", trap.sources)
        if drug.reload:
            problems += _unknown_sources(f"drug {drug.id} reload", drug.reload.sources)
            if drug.reload.threshold not in thresholds:
                problems.append(f"drug {drug.id}: unknown threshold {drug.reload.threshold!r}")
            if not any(s.loading for s in drug.schedules):
                problems.append(f"drug {drug.id}: a reload rule needs a loading dose")
    return problems


def _regimen_problems(catalog: Catalog) -> list[str]:
    """Each regimen's sources, and the drugs and schedules its slots suggest."""
    problems: list[str] = []
    for regimen in catalog.regimens.values():
        problems += _unknown_sources(f"regimen {regimen.id}", regimen.sources)
        for slot in regimen.slots:
            for suggested in slot.suggest:
                known = catalog.drugs.get(suggested.drug)
                if known is None:
                    problems.append(f"regimen {regimen.id}: unknown drug {suggested.drug!r}")
                elif suggested.schedule not in {s.id for s in known.schedules}:
                    problems.append(
                        f"regimen {regimen.id}: {suggested.drug} has no schedule "
                        f"{suggested.schedule!r}"
                    )
    return problems


def _pathway_problems(catalog: Catalog) -> list[str]:
    """The regimens the pathway sections name, and the sections' sources."""
    problems: list[str] = []
    regimen_refs = [
        catalog.first_line.recommended,
        catalog.second_line.preferred,
        catalog.second_line.alternative,
        catalog.later_lines.brain_metastases_first,
        catalog.her2_low.regimen,
        catalog.early_stage.pertuzumab_regimen,
        *(o.regimen for o in catalog.first_line.label_options),
        *(o.regimen for o in catalog.later_lines.options),
        *catalog.hr_positive.with_endocrine_regimens,
    ]
    problems.extend(
        f"lines: unknown regimen {ref!r}" for ref in regimen_refs if ref not in catalog.regimens
    )
    early = catalog.regimens.get(catalog.early_stage.pertuzumab_regimen)
    if early and not any(s.group == "trastuzumab" and s.suggest for s in early.slots):
        problems.append("early stage: the pertuzumab regimen needs a trastuzumab slot to suggest")
    sections = (
        ("first line", catalog.first_line.sources),
        ("first line maintenance", catalog.first_line.maintenance.sources),
        ("first line may join", catalog.first_line.may_join_sources),
        ("second line", catalog.second_line.sources),
        ("later lines", catalog.later_lines.sources),
        ("hr positive", catalog.hr_positive.sources),
        ("her2 low", catalog.her2_low.sources),
        ("body size", catalog.body_size_sources),
        ("early stage", catalog.early_stage.sources),
        ("early stage duration", catalog.early_stage.duration_sources),
        *(("first line label option", o.sources) for o in catalog.first_line.label_options),
    )
    for where, keys in sections:
        problems += _unknown_sources(where, keys)
    return problems


def _check_references(catalog: Catalog) -> None:
    """Every name used in the table must point at something the table defines."""
    problems = [*_drug_problems(catalog), *_regimen_problems(catalog), *_pathway_problems(catalog)]
    if problems:
        raise KnowledgeError("cards/data/regimens.json: " + "; ".join(problems))


def _first_line(first: Mapping[str, Any]) -> FirstLine:
    return FirstLine(
        recommended=first["recommended"],
        recommendation=first["recommendation"],
        sources=_sources(first["source"]),
        notes=tuple(first["notes"]),
        may_join=frozenset(first["may_join"]["moieties"]),
        may_join_sources=_sources(first["may_join"]["source"]),
        maintenance=Maintenance(
            moieties=frozenset(first["maintenance"]["moieties"]),
            text=first["maintenance"]["text"],
            sources=_sources(first["maintenance"]["source"]),
            verification=first["maintenance"]["verification"],
        ),
        label_options=tuple(
            LabelOption(o["regimen"], o["text"], _sources(o["source"]), o["verification"])
            for o in first["label_options"]
        ),
    )


def _second_line(second: Mapping[str, Any]) -> SecondLine:
    return SecondLine(
        preferred=second["preferred"],
        alternative=second["alternative"],
        recommendation=second["recommendation"],
        sources=_sources(second["source"]),
        brain_metastases_note=second["brain_metastases_note"],
    )


def _later_lines(later: Mapping[str, Any]) -> LaterLines:
    return LaterLines(
        recommendation=later["recommendation"],
        sources=_sources(later["source"]),
        brain_metastases_first=later["brain_metastases_first"],
        options=tuple(
            LaterOption(
                regimen=o["regimen"],
                min_prior_metastatic_lines=int(o.get("min_prior_metastatic_lines", 0)),
                min_prior_her2_regimens=int(o.get("min_prior_her2_regimens", 0)),
                not_received=frozenset(o.get("not_received", ())),
                hr_positive_only=bool(o.get("hr_positive_only", False)),
                label=o.get("label", ""),
            )
            for o in later["options"]
        ),
    )


def _hr_positive(hr: Mapping[str, Any]) -> HrPositive:
    return HrPositive(
        sources=_sources(hr["source"]),
        with_endocrine_regimens=tuple(hr["with_endocrine_regimens"]),
        options=tuple(hr["options"]),
        after_chemotherapy=hr["after_chemotherapy"],
    )


def _her2_low(low: Mapping[str, Any]) -> Her2Low:
    return Her2Low(
        regimen=low["regimen"],
        sources=_sources(low["source"]),
        populations=tuple(
            Her2LowPopulation(
                id=p["id"],
                subtypes=frozenset(p["subtypes"]),
                hr_positive_only=bool(p.get("hr_positive_only", False)),
                requires=p["requires"],
                text=p["text"],
            )
            for p in low["populations"]
        ),
        adjuvant_chemotherapy_relapse_months=float(low["adjuvant_chemotherapy_relapse_months"]),
    )


def _early_stage(early: Mapping[str, Any]) -> EarlyStage:
    return EarlyStage(
        pertuzumab_regimen=early["pertuzumab_regimen"],
        sources=_sources(early["source"]),
        duration_text=early["duration"]["text"],
        duration_sources=_sources(early["duration"]["source"]),
    )


def build_catalog(raw: Mapping[str, Any]) -> Catalog:
    """Typed catalog from the already schema-validated table; raises on broken references."""
    groups = cast(Mapping[str, Mapping[str, Any]], raw["slot_groups"])
    lines = raw["lines"]
    catalog = Catalog(
        version=raw["version"],
        drugs={k: _drug(k, v) for k, v in raw["drugs"].items()},
        regimens={k: _regimen(k, v, groups) for k, v in raw["regimens"].items()},
        first_line=_first_line(lines["first"]),
        second_line=_second_line(lines["second"]),
        later_lines=_later_lines(lines["later"]),
        hr_positive=_hr_positive(lines["hr_positive"]),
        her2_low=_her2_low(raw["her2_low"]),
        body_size_sources=_sources(raw["body_size"]["source"]),
        early_stage=_early_stage(raw["early_stage"]),
    )
    _check_references(catalog)
    return catalog


@cache
def catalog() -> Catalog:
    """The regimen catalog, loaded and checked once per process."""
    return build_catalog(cast(Mapping[str, Any], load_table("regimens")))
