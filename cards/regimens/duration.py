"""Adjuvant trastuzumab beyond 1 year: a new dose drafted when the course has given it all.

The Herceptin label gives (neo)adjuvant trastuzumab for 52 weeks in total and says extending it
beyond 1 year is not recommended (§1.9 [L1]); H+P run 1 year, up to 18 cycles, including the
neoadjuvant part [L2]. A calendar count fires on correct courses (TCHP x6, six weeks for surgery,
adjuvant H+P: 54 weeks for 17 cycles), so the course is counted in doses given against
`adjuvant_her2_max_cycles` (course_count.py: a weekly dose is a third of a cycle). Only when no
administration is on file is the course timed by its orders: longer than
`adjuvant_trastuzumab_max_weeks` plus `adjuvant_surgery_allowance_weeks`. The card is a warning
that asks, not a stop; it offers to remove the drafted trastuzumab and pertuzumab orders
together, since pertuzumab is not given without trastuzumab [L2].

The course is the run of records with no gap longer than `trastuzumab_course_gap_days`, so
trastuzumab restarted after a long break (a new primary) is not counted from the first course.
After T-DM1 or T-DXd for residual disease (KATHERINE, DESTINY-Breast05), trastuzumab may
complete the year that the conjugate began, which a trastuzumab-only count cannot judge: no card.
"""

from __future__ import annotations

from datetime import timedelta

from cards.drafts import Drafted
from cards.findings import Action, Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.course_count import Count, Course, count, current_course
from cards.regimens.drug_terms import drug_name, names
from cards.regimens.situation import Situation, situation
from cards.sources import cite_all
from cards.suggestions import delete_order
from fhir_mappings import TherapySetting

RULE = "adjuvant-duration"
TOPIC = "Duration of (neo)adjuvant trastuzumab"
TRASTUZUMAB = "trastuzumab"
PERTUZUMAB = "pertuzumab"
CONJUGATES = frozenset({"ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan"})
ROUNDING = 1e-9


def _drafted_trastuzumab(sit: Situation) -> tuple[Drafted, ...]:
    return tuple(d for d in sit.selected if TRASTUZUMAB in sit.catalog.provides(d.drug))


def _to_remove(sit: Situation) -> tuple[Drafted, ...]:
    """The drafted trastuzumab and pertuzumab orders, trastuzumab first: pertuzumab is
    discontinued with trastuzumab [L2], so removing one leaves the other without a reason."""
    her2 = (d for d in sit.drafts if sit.catalog.provides(d.drug) & {TRASTUZUMAB, PERTUZUMAB})
    return tuple(
        sorted(her2, key=lambda d: (TRASTUZUMAB not in sit.catalog.provides(d.drug), d.drug))
    )


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
    if course.doses:
        tally = count(course.given, config.threshold("weekly_dose_gap_max_days"))
        if tally.cycles + ROUNDING < config.threshold("adjuvant_her2_max_cycles"):
            return []
        return [_finding(sit, course, _counted(sit, course, tally))]
    weeks = (facts.as_of - course.start).days / 7
    limit = config.threshold("adjuvant_trastuzumab_max_weeks")
    allowance = config.threshold("adjuvant_surgery_allowance_weeks")
    if weeks <= limit + allowance:
        return []
    return [_finding(sit, course, _timed(sit, course, weeks, limit, allowance))]


def _cycles(tally: Count) -> str:
    return f"{tally.cycles:.1f}".removesuffix(".0")


def _counted(sit: Situation, course: Course, tally: Count) -> tuple[str, str, str, str]:
    """Summary, short summary, what is on file, and the limit: counted in doses given."""
    limit = sit.config.threshold("adjuvant_her2_max_cycles")
    short = _products(sit, course)
    since = format_date(course.start)
    cycles = _cycles(tally)
    weekly = (
        f" ({tally.weekly} weekly, {tally.three_weekly} every 3 weeks: {cycles} three-weekly "
        f"cycles, {tally.weeks} weeks of therapy)"
        if tally.weekly
        else ""
    )
    return (
        f"{short}: {cycles} cycles given since {since}; adjuvant HER2 therapy is 1 year, up to "
        f"{limit:g} cycles in total",
        f"{short}: {cycles} cycles given; adjuvant HER2 therapy is up to {limit:g} cycles",
        f"{course.doses} administrations are on file{weekly}",
        f"(Neo)adjuvant HER2 therapy is given for 1 year, up to {limit:g} three-weekly cycles in "
        "total, counted in doses given: the weeks of surgery between the neoadjuvant and adjuvant "
        "parts, and doses held for toxicity, do not count. ",
    )


def _timed(
    sit: Situation, course: Course, weeks: float, limit: float, allowance: float
) -> tuple[str, str, str, str]:
    """The same, timed by the orders when no administration is on file."""
    short = _products(sit, course)
    since = format_date(course.start)
    return (
        f"{short} since {since} ({weeks:.0f} weeks, no administrations on file): adjuvant HER2 "
        "therapy is 1 year in total",
        f"{short} since {since} ({weeks:.0f} weeks): adjuvant therapy is 1 year in total",
        "no administrations are on file, so the course is timed by its orders",
        f"(Neo)adjuvant trastuzumab is given for {limit:g} weeks in total; with no doses on file "
        f"to count, the card waits {allowance:g} weeks more for surgery between the neoadjuvant "
        "and adjuvant parts and for held doses. ",
    )


def _products(sit: Situation, course: Course) -> str:
    products = names((e.drug for e in course.exposures), sit.catalog)
    return products[:1].upper() + products[1:]


def _finding(sit: Situation, course: Course, text: tuple[str, str, str, str]) -> Finding:
    summary, short_summary, on_file, limit_text = text
    catalog = sit.catalog
    drafts = names((d.drug for d in _drafted_trastuzumab(sit)), catalog)
    since = format_date(course.start)
    reasoning = (
        "HER2-positive early breast cancer (no metastatic disease on file). "
        f"{_products(sit, course)} started {since} and was last given "
        f"{format_date(course.last)}; {on_file}. A further {drafts} dose is drafted.",
        limit_text + catalog.early_stage.duration_text,
        "If the planned course is longer for a reason, or a dose on file was not given in full, "
        "override with the reason.",
    )
    remove = _to_remove(sit)
    actions: list[Action] = [
        action
        for d in remove
        if (
            action := delete_order(
                d.order, f"Remove the drafted {drug_name(d.drug, catalog)} order"
            )
        )
    ]
    label = " + ".join(dict.fromkeys(drug_name(d.drug, catalog) for d in remove))
    plural = "orders" if len(actions) > 1 else "order"
    suggestions = (
        (Suggestion(label=f"Remove the drafted {label} {plural}", actions=tuple(actions)),)
        if actions
        else ()
    )
    evidence = tuple(ev for e in course.exposures for ev in e.evidence[:1])
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=fit(summary, short_summary),
        reasoning=reasoning,
        citations=cite_all(catalog.early_stage.duration_sources, rule=RULE, topic=TOPIC),
        data_used=sit.receptor_evidence() + evidence,
        suggestions=suggestions,
        selection_behavior="at-most-one",
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key="adjuvant-duration",
    )
