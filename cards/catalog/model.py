"""The regimen catalogue's types: drugs, schedules, traps, regimens and the pathway sections.

Frozen values built by `cards.catalog.loader` from `cards/data/regimens.json`; both rule
families (regimens and safety) read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Basis(StrEnum):
    """What a dose is counted per: body weight, body surface area, or nothing (fixed)."""

    PER_KG = "mg/kg"
    PER_M2 = "mg/m2"
    FIXED = "fixed"


class ReloadKind(StrEnum):
    DAYS_LATE = "days-late"  # trastuzumab: late by more than N days beyond the interval
    DAYS_SINCE_LAST = "days-since-last"  # pertuzumab/Phesgo: N days or more since the last dose


@dataclass(frozen=True)
class AcceptedDose:
    """A dose other than the standard one that the label allows in some circumstance."""

    value: float
    on_treatment_only: bool  # dose reductions only make sense after earlier doses
    settings: frozenset[str]  # empty = any setting
    note: str
    sources: tuple[str, ...]
    verification: str
    # Cancers other than breast this dose is the label dose for ("gastric": T-DXd 6.4 mg/kg);
    # empty = breast cancer. Such a dose counts only for a patient with that cancer on file.
    cancers: frozenset[str] = frozenset()

    def applies_to(self, cancers: frozenset[str] | tuple[str, ...]) -> bool:
        """Whether this dose counts for a patient with these other trastuzumab cancers."""
        return not self.cancers or bool(self.cancers & frozenset(cancers))


@dataclass(frozen=True)
class Schedule:
    id: str
    interval_days: float
    times_per_day: int
    loading: float | None
    maintenance: float
    volume_loading_ml: float | None
    volume_maintenance_ml: float | None
    also_accepted: tuple[AcceptedDose, ...]
    partners: frozenset[str]  # drug ids; the schedule applies when one of them is given too
    note: str
    cycle: str  # in words: "days 1-14 of each 21-day cycle"
    days_on: float | None  # the days of each cycle it is given on (capecitabine: 14)
    settings: frozenset[str]  # "metastatic" / "early"; empty = any setting
    sources: tuple[str, ...]
    verification: str


@dataclass(frozen=True)
class Reload:
    kind: ReloadKind
    threshold: str
    sources: tuple[str, ...]
    verification: str


@dataclass(frozen=True)
class Trap:
    """A known wrong dose and what it really is ("6.4 mg/kg is the gastric cancer dose").

    `critical` traps cross a label line (the T-DXd gastric dose in breast cancer, §3.9 C8; T-DM1
    above its "never exceed" 3.6 mg/kg; a trastuzumab dose drafted for T-DM1 or T-DXd); the
    others are likely mix-ups that under-dose, and stay warnings.
    """

    near: float | None
    above: float | None
    short: str  # for the summary: "6.4 mg/kg is the gastric cancer dose"
    text: str
    critical: bool
    basis: str  # why this indicator
    sources: tuple[str, ...]
    verification: str


@dataclass(frozen=True)
class Drug:
    id: str
    display: str
    short: str
    provides: frozenset[str]
    route: str
    basis: Basis
    check_dose: bool
    dose_component: str | None
    no_re_escalation: bool
    ceiling: float | None
    schedules: tuple[Schedule, ...]
    reload: Reload | None
    traps: tuple[Trap, ...]
    tablet_mg: tuple[float, ...] = ()  # oral tablet strengths, largest first

    def schedule(self, schedule_id: str) -> Schedule:
        for schedule in self.schedules:
            if schedule.id == schedule_id:
                return schedule
        raise KeyError(f"{self.id} has no schedule {schedule_id!r}")


@dataclass(frozen=True)
class SlotOption:
    drug: str
    schedule: str


@dataclass(frozen=True)
class Slot:
    group: str
    display: str
    filled_by: frozenset[str]
    chemotherapy_phase: bool  # needed only while chemotherapy runs (the taxane of THP)
    suggest: tuple[SlotOption, ...]


@dataclass(frozen=True)
class Regimen:
    id: str
    display: str
    short: str
    settings: frozenset[str]
    slots: tuple[Slot, ...]
    sources: tuple[str, ...]
    verification: str

    @property
    def drugs(self) -> frozenset[str]:
        return frozenset().union(*(slot.filled_by for slot in self.slots))


@dataclass(frozen=True)
class LabelOption:
    regimen: str
    text: str
    sources: tuple[str, ...]
    verification: str


@dataclass(frozen=True)
class Maintenance:
    """What continues when the chemotherapy of a first line stops (ASCO rec. 4.0)."""

    moieties: frozenset[str]  # trastuzumab, pertuzumab
    text: str
    sources: tuple[str, ...]
    verification: str


@dataclass(frozen=True)
class FirstLine:
    recommended: str
    recommendation: str
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    may_join: frozenset[str]  # moieties that join an ongoing first line (pertuzumab)
    may_join_sources: tuple[str, ...]
    maintenance: Maintenance
    label_options: tuple[LabelOption, ...]


@dataclass(frozen=True)
class SecondLine:
    preferred: str
    alternative: str
    recommendation: str
    sources: tuple[str, ...]
    brain_metastases_note: str


@dataclass(frozen=True)
class LaterOption:
    regimen: str
    min_prior_metastatic_lines: int
    min_prior_her2_regimens: int  # in any setting, (neo)adjuvant included (margetuximab: 2)
    not_received: frozenset[str]
    hr_positive_only: bool
    label: str


@dataclass(frozen=True)
class LaterLines:
    recommendation: str
    sources: tuple[str, ...]
    brain_metastases_first: str
    options: tuple[LaterOption, ...]


@dataclass(frozen=True)
class HrPositive:
    sources: tuple[str, ...]
    with_endocrine_regimens: tuple[str, ...]  # endocrine + HER2 therapy in selected patients
    options: tuple[str, ...]
    after_chemotherapy: str


@dataclass(frozen=True)
class Her2LowPopulation:
    id: str
    subtypes: frozenset[str]
    hr_positive_only: bool
    requires: str  # "prior-metastatic-chemotherapy" | "prior-metastatic-endocrine"
    text: str


@dataclass(frozen=True)
class Her2Low:
    regimen: str
    sources: tuple[str, ...]
    populations: tuple[Her2LowPopulation, ...]
    adjuvant_chemotherapy_relapse_months: float


@dataclass(frozen=True)
class EarlyStage:
    pertuzumab_regimen: str  # the regimen whose trastuzumab slot pertuzumab needs
    sources: tuple[str, ...]
    duration_text: str  # 52 weeks of (neo)adjuvant trastuzumab in total
    duration_sources: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    version: str
    drugs: Mapping[str, Drug]
    regimens: Mapping[str, Regimen]
    first_line: FirstLine
    second_line: SecondLine
    later_lines: LaterLines
    hr_positive: HrPositive
    her2_low: Her2Low
    body_size_sources: tuple[str, ...]
    early_stage: EarlyStage

    def drug(self, drug_id: str | None) -> Drug | None:
        return self.drugs.get(drug_id) if drug_id else None

    def regimen(self, regimen_id: str) -> Regimen:
        return self.regimens[regimen_id]

    def her2_with_endocrine(self) -> frozenset[str]:
        """HER2 drugs given with endocrine therapy in selected HR+ patients (ASCO rec. 6.0.2:
        trastuzumab or lapatinib): the non-endocrine drugs of those regimens."""
        endocrine = self.slot_groups_filled_by("endocrine", "letrozole", "fulvestrant")
        drugs = frozenset().union(
            *(self.regimens[r].drugs for r in self.hr_positive.with_endocrine_regimens)
        )
        return drugs - endocrine

    def slot_groups_filled_by(self, *groups: str) -> frozenset[str]:
        return frozenset(
            drug
            for regimen in self.regimens.values()
            for slot in regimen.slots
            if slot.group in groups
            for drug in slot.filled_by
        )

    def provides(self, drug_id: str) -> frozenset[str]:
        """The active moieties a drug delivers (Phesgo: pertuzumab and trastuzumab)."""
        drug = self.drugs.get(drug_id)
        return drug.provides if drug else frozenset({drug_id})
