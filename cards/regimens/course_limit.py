"""course-limit: a further adjuvant T-DM1 dose drafted when the course has given them all.

The Kadcyla label gives adjuvant T-DM1 (KATHERINE: residual invasive disease after
neoadjuvant therapy) every 3 weeks "for a total of 14 cycles" [L4] [T7]. As with adjuvant
trastuzumab (`duration`), the limit is counted in cycles given, not in calendar weeks: each
day with an administration of the drug in the current course is one cycle, so doses held for
toxicity add nothing. A course is the run of records with no gap longer than
`trastuzumab_course_gap_days`. With no administration on file the cycles cannot be counted
and the rule stays silent rather than guess. The limits live in `course_rules.json`.
"""

from __future__ import annotations

from datetime import timedelta

from cards.drafts import Drafted
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.course_count import Course, current_course
from cards.regimens.course_table import CourseLimit, course_table
from cards.regimens.drug_terms import drug_name
from cards.regimens.situation import Situation, situation
from cards.sources import cite_all
from cards.suggestions import delete_order
from fhir_mappings import TherapySetting

RULE = "course-limit"
TOPIC = "Course limit of adjuvant therapy"


def course_limit_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    facts = sit.facts
    if not facts.disease.breast_cancer or facts.disease.metastatic:
        return []
    gap = timedelta(days=config.threshold("trastuzumab_course_gap_days"))
    findings = []
    for limit in course_table().course_limits:
        drafted = tuple(d for d in sit.selected if d.drug == limit.drug)
        exposure = facts.therapy.of_drug(limit.drug)
        if not drafted or exposure is None or exposure.setting is TherapySetting.METASTATIC:
            continue
        course = current_course((exposure,), facts.as_of, gap)
        if course is None or course.doses < limit.max_cycles:
            continue
        findings.append(_finding(sit, limit, course, drafted))
    return findings


def _finding(
    sit: Situation, limit: CourseLimit, course: Course, drafted: tuple[Drafted, ...]
) -> Finding:
    name = drug_name(limit.drug, sit.catalog)
    since = format_date(course.start)
    summary = fit(
        f"Adjuvant {name}: {course.doses} cycles given since {since}; the label course is "
        f"{limit.max_cycles} cycles in total",
        f"Adjuvant {name}: {course.doses} cycles given; the course is {limit.max_cycles} cycles",
    )
    actions = tuple(
        a
        for d in drafted
        if (a := delete_order(d.order, f"Remove the drafted {name} order")) is not None
    )
    suggestions = (
        (Suggestion(label=f"Remove the drafted {name} order", actions=actions),) if actions else ()
    )
    records = course.exposures[0].evidence
    given = [ev for ev in records if ev.resource_type == "MedicationAdministration"]
    evidence = tuple(dict.fromkeys([*given[:1], *given[-1:]]))
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=(
            "HER2-positive early breast cancer (no metastatic disease on file). "
            f"{name} started {since} and was last given {format_date(course.last)}: "
            f"{course.doses} administrations are on file. A further {name} dose is drafted.",
            f"{limit.statement} {limit.counting} The course counted is the run of {name} "
            f"records no more than {sit.config.threshold('trastuzumab_course_gap_days'):g} days "
            "apart.",
            "If a dose on file was not given in full, or the plan differs for a reason, override "
            "with the reason.",
        ),
        citations=cite_all(limit.sources, rule=RULE, topic=TOPIC),
        data_used=sit.receptor_evidence() + evidence,
        suggestions=suggestions,
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{RULE}:{limit.id}",
    )
