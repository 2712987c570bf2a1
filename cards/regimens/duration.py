"""Adjuvant trastuzumab beyond 1 year: a new dose drafted more than 52 weeks into the course.

The Herceptin label gives (neo)adjuvant trastuzumab for 52 weeks in total and says extending it
beyond 1 year is not recommended (§1.9 [L1]; pertuzumab: 1 year, up to 18 cycles [L2]). Records
rarely say "cycle 18 of 18", so the check is by calendar: the current course of trastuzumab
(IV, SC or Phesgo) in the early setting started more than `adjuvant_trastuzumab_max_weeks`
ago and another dose is drafted. Doses held for toxicity lengthen a course without adding
therapy, so the card is a warning that asks, not a stop.

The course is the run of records with no gap longer than `trastuzumab_course_gap_days`, so
trastuzumab restarted after a long break (a new primary) is not counted from the first course.
After T-DM1 or T-DXd for residual disease (KATHERINE, DESTINY-Breast05), trastuzumab may
complete the year that the conjugate began, which a trastuzumab-only count cannot judge: no card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cards.detail import format_date
from cards.findings import Action, Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.regimens.drug_terms import drug_name, names
from cards.regimens.situation import Drafted, Situation, situation
from cards.regimens.slots import fit
from cards.suggestions import delete_order
from fhir_mappings import DrugExposure, TherapySetting

RULE = "adjuvant-duration"
TOPIC = "Duration of (neo)adjuvant trastuzumab"
TRASTUZUMAB = "trastuzumab"
CONJUGATES = frozenset({"ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan"})
ADMINISTRATION = "MedicationAdministration"


@dataclass(frozen=True)
class Course:
    start: datetime
    last: datetime
    doses: int  # administrations on file in the course
    exposures: tuple[DrugExposure, ...]


def _spans(exposure: DrugExposure, now: datetime) -> list[tuple[datetime, datetime]]:
    """When the drug was given: each administration, or else the order's whole period (an
    order without administrations covers its validity period, not only its first day)."""
    given = [
        d.when for d in exposure.doses if d.when and d.evidence.resource_type == ADMINISTRATION
    ]
    if given:
        return [(when, when) for when in given]
    if exposure.start is None:
        return []
    end = exposure.end or exposure.last_dose or (now if exposure.active else exposure.start)
    return [(exposure.start, max(end, exposure.start))]


def current_course(
    exposures: tuple[DrugExposure, ...], now: datetime, gap: timedelta
) -> Course | None:
    """The run of trastuzumab records that reaches to now, walking back while no gap exceeds
    `gap`; None when the last record is itself older than that."""
    spans = sorted((s for e in exposures for s in _spans(e, now)), key=lambda s: s[1], reverse=True)
    if not spans or now - spans[0][1] > gap:
        return None
    start, last = spans[0]
    for span_start, span_end in spans[1:]:
        if start - span_end > gap:
            break
        start = min(start, span_start)
    doses = sum(
        1
        for e in exposures
        for d in e.doses
        if d.when and d.evidence.resource_type == ADMINISTRATION and start <= d.when <= last
    )
    return Course(start, spans[0][1], doses, exposures)


def _drafted_trastuzumab(sit: Situation) -> tuple[Drafted, ...]:
    return tuple(d for d in sit.selected if TRASTUZUMAB in sit.catalog.provides(d.drug))


def duration_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    facts = sit.facts
    if not facts.disease.breast_cancer or facts.disease.metastatic:
        return []
    drafted = _drafted_trastuzumab(sit)
    if not drafted:
        return []
    early = [e for e in facts.therapy.exposures if e.setting is not TherapySetting.METASTATIC]
    if any(e.drug in CONJUGATES for e in early):
        return []
    given = tuple(e for e in early if TRASTUZUMAB in sit.catalog.provides(e.drug))
    gap = timedelta(days=config.threshold("trastuzumab_course_gap_days"))
    course = current_course(given, facts.as_of, gap)
    if course is None:
        return []
    limit = config.threshold("adjuvant_trastuzumab_max_weeks")
    weeks = (facts.as_of - course.start).days / 7
    if weeks <= limit:
        return []
    return [_finding(sit, drafted, course, weeks, limit)]


def _finding(
    sit: Situation, drafted: tuple[Drafted, ...], course: Course, weeks: float, limit: float
) -> Finding:
    catalog = sit.catalog
    products = names((e.drug for e in course.exposures), catalog)
    drafts = names((d.drug for d in drafted), catalog)
    since = format_date(course.start)
    short = products[:1].upper() + products[1:]
    summary = fit(
        f"{short} since {since} ({weeks:.0f} weeks): adjuvant HER2 therapy is given for "
        f"{limit:g} weeks in total, not longer",
        f"Trastuzumab since {since} ({weeks:.0f} weeks): adjuvant therapy is {limit:g} weeks in "
        "total",
    )
    doses = (
        f"{course.doses} doses are on file" if course.doses else "no administrations are on file"
    )
    reasoning = (
        "HER2-positive early breast cancer (no metastatic disease on file). "
        f"{short} started {since}, {weeks:.0f} weeks ago, and was last given "
        f"{format_date(course.last)}; {doses}. A further {drafts} dose is drafted.",
        f"(Neo)adjuvant trastuzumab is given for {limit:g} weeks in total. "
        + catalog.early_stage.duration_text,
        "Doses held for toxicity (a cardiac hold, for example) lengthen the course without "
        "adding therapy: if the planned number of cycles is not yet reached, override with the "
        "reason.",
    )
    actions: list[Action] = [
        action
        for d in drafted
        if (
            action := delete_order(
                d.order, f"Remove the drafted {drug_name(d.drug, catalog)} order"
            )
        )
    ]
    suggestions = (
        (Suggestion(label=f"Remove the drafted {drafts} order", actions=tuple(actions)),)
        if actions
        else ()
    )
    evidence = tuple(ev for e in course.exposures for ev in e.evidence[:1])
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=reasoning,
        citations=catalog.citations(catalog.early_stage.duration_sources, rule=RULE, topic=TOPIC),
        data_used=sit.receptor_evidence() + evidence,
        suggestions=suggestions,
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key="adjuvant-duration",
    )
