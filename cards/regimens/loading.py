"""Loading or maintenance dose: decided from the date of the last dose (rule C11).

Trastuzumab IV is re-loaded when a dose is more than a week late (4 mg/kg on the weekly
schedule, 8 mg/kg on the 3-weekly one); pertuzumab and Phesgo when 6 weeks or more have passed
since the last dose. Delays are whole calendar days, never hours of the day. A first dose is
always a loading dose. Doses of every product that delivers the same antibody count (Phesgo
carries trastuzumab and pertuzumab), so a switch from Phesgo to IV trastuzumab is not mistaken
for a first dose. When earlier doses are on file but none is dated, the answer is "unknown",
never "maintenance".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cards.catalog import Catalog, Drug, ReloadKind, Schedule
from cards.knowledge import CardsConfig
from cards.phrasing import format_date
from fhir_mappings import DrugExposure, Evidence, PatientFacts, drug_info


class DueDose(StrEnum):
    LOADING = "loading"  # first dose, or re-load after a delay
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"  # earlier doses on file, none dated


@dataclass(frozen=True)
class DueAssessment:
    due: DueDose
    reload: bool  # loading because of a delay after earlier doses (C11)
    moiety: str
    last_dose: datetime | None
    days_since: float | None
    reason: str  # our words, with dates
    evidence: tuple[Evidence, ...] = ()


def dose_moiety(drug: Drug) -> str:
    """The antibody whose dose history decides loading vs maintenance."""
    if drug.dose_component:
        return drug.dose_component
    return sorted(drug.provides)[0]


def exposures_of(moiety: str, facts: PatientFacts, catalog: Catalog) -> tuple[DrugExposure, ...]:
    return tuple(e for e in facts.therapy.exposures if moiety in catalog.provides(e.drug))


def last_dose_date(exposure: DrugExposure) -> datetime | None:
    """The last administration; else, for a finished order, the date it ended."""
    if exposure.last_dose is not None:
        return exposure.last_dose
    return exposure.end if not exposure.active else None


def calendar_days(later: datetime, earlier: datetime) -> int:
    """Whole calendar days from one date to the other, in the later one's time zone: the
    labels count a delay from the date of the last dose to the date of the planned one, so
    the hour of the day never decides a re-load."""
    if later.tzinfo is not None and earlier.tzinfo is not None:
        earlier = earlier.astimezone(later.tzinfo)
    return (later.date() - earlier.date()).days


def _weeks(days: float) -> str:
    if days < 14:
        return f"{days:.0f} days"
    return f"{days / 7:.0f} weeks"


def _from_last_dose(
    drug: Drug,
    schedule: Schedule,
    moiety: str,
    dated: list[tuple[DrugExposure, datetime]],
    as_of: datetime,
    config: CardsConfig,
) -> DueAssessment:
    """The dose due from the date of the last one and the drug's reload rule."""
    latest, last = max(dated, key=lambda pair: pair[1])
    days = float(calendar_days(as_of, last))
    evidence = latest.evidence[:1]
    source = "" if latest.last_dose else " (end of the last order; no administration on file)"
    reload_rule = drug.reload
    if reload_rule is None:
        return DueAssessment(
            DueDose.MAINTENANCE, False, moiety, last, days, "Earlier doses are on file.", evidence
        )
    limit = config.threshold(reload_rule.threshold)
    given = f" (as {drug_info(latest.drug).short})" if latest.drug != moiety else ""
    when = f"The last {moiety} dose{given} was on {format_date(last)}{source}, {_weeks(days)} ago"
    if reload_rule.kind is ReloadKind.DAYS_LATE:
        late = days - schedule.interval_days
        if late > limit:
            reason = (
                f"{when}: {_weeks(late)} later than due on the {schedule.interval_days:g}-day "
                f"schedule. More than {limit:g} days late means re-loading."
            )
            return DueAssessment(DueDose.LOADING, True, moiety, last, days, reason, evidence)
        reason = f"{when}: not more than {limit:g} days late, so the maintenance dose is due."
        return DueAssessment(DueDose.MAINTENANCE, False, moiety, last, days, reason, evidence)
    if days >= limit:
        reason = f"{when}. {limit / 7:g} weeks or more since the last dose means re-loading."
        return DueAssessment(DueDose.LOADING, True, moiety, last, days, reason, evidence)
    reason = f"{when}: less than {limit / 7:g} weeks, so the maintenance dose is due."
    return DueAssessment(DueDose.MAINTENANCE, False, moiety, last, days, reason, evidence)


def due_dose(
    drug: Drug,
    schedule: Schedule,
    facts: PatientFacts,
    catalog: Catalog,
    config: CardsConfig,
    *,
    history_gap: str | None = None,
) -> DueAssessment:
    """`history_gap` says why the dose history is incomplete; then the answer is unknown."""
    moiety = dose_moiety(drug)
    if schedule.loading is None:
        return DueAssessment(
            DueDose.MAINTENANCE, False, moiety, None, None, f"{drug.short} has no loading dose."
        )
    if history_gap is not None:
        return DueAssessment(
            DueDose.UNKNOWN,
            False,
            moiety,
            None,
            None,
            f"{history_gap} Whether a loading (re-load) or a maintenance dose of {moiety} is due "
            "cannot be told.",
        )
    exposures = exposures_of(moiety, facts, catalog)
    if not exposures:
        return DueAssessment(
            DueDose.LOADING,
            False,
            moiety,
            None,
            None,
            f"No earlier {moiety} dose is on file, so this is a first (loading) dose.",
        )
    dated = [(e, d) for e in exposures if (d := last_dose_date(e)) and d <= facts.as_of]
    evidence = tuple(item for e in exposures for item in e.evidence[:1])
    if not dated:
        return DueAssessment(
            DueDose.UNKNOWN,
            False,
            moiety,
            None,
            None,
            f"Earlier {moiety} is on file but the date of the last dose is not, so it cannot "
            "be told whether a loading (re-load) or a maintenance dose is due.",
            evidence,
        )
    return _from_last_dose(drug, schedule, moiety, dated, facts.as_of, config)
