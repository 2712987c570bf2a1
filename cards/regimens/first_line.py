"""C12, first line: trastuzumab + pertuzumab + a taxane for HER2-positive metastatic disease.

Fires on order-select when a new first line is being drafted (no HER2-directed therapy for
metastatic disease yet, and no recurrence within 12 months of adjuvant trastuzumab). It says
which part of THP is missing and suggests it with this patient's dose; it says when the draft
is another regimen; and it completes T-DXd with pertuzumab, the label-approved first-line
alternative (DESTINY-Breast09; the label options of the regimen table). A complete THP draft
gets no card: nothing to add.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from cards.catalog import Regimen, Slot
from cards.findings import Finding, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig
from cards.phrasing import fit
from cards.regimens.advice import BodyGaps, body_gaps, first_line_advice, hr_missing
from cards.regimens.doses import ComputedDose
from cards.regimens.drug_terms import names
from cards.regimens.label_caveats import hr_label
from cards.regimens.line_finding import line_finding
from cards.regimens.lines import LineAssessment, LineKind, assess_line
from cards.regimens.loading import DueDose
from cards.regimens.orders import PlannedDose, add_suggestion, plan_option, single_recommended
from cards.regimens.situation import (
    CHEMOTHERAPY,
    ENDOCRINE,
    HER2_DIRECTED,
    SYSTEMIC,
    TAXANE,
    Situation,
    situation,
)
from cards.regimens.slots import and_list, missing_slots, present_names

RULE = "C12-first-line"
TOPIC = "First-line regimen, HER2+ metastatic breast cancer"


def _slot_phrase(plans: Sequence[PlannedDose], slot: Slot) -> str:
    """ "pertuzumab 840 mg loading dose" or "a taxane (docetaxel 134 mg or ...)"."""
    doses = [p.dose for p in plans if p.dose.mg is not None]
    if len(plans) == 1:
        return plans[0].dose.phrase if doses else plans[0].dose.drug.short
    if not doses:
        return slot.display
    return f"{slot.display} ({' or '.join(_short(d) for d in doses)})"


def _short(dose: ComputedDose) -> str:
    weekly = "weekly " if dose.schedule.interval_days == 7 else ""
    return f"{weekly}{dose.drug.short} {dose.amount.split(' (')[0]}"


def _suggestions(plans: dict[Slot, list[PlannedDose]], sit: Situation) -> tuple[Suggestion, ...]:
    computable = [[p.dose for p in options if p.dose.mg is not None] for options in plans.values()]
    computable = [options for options in computable if options]
    combos = list(itertools.product(*computable)) if computable else []
    return single_recommended([add_suggestion(sit, combo) for combo in combos])


def _due_paragraphs(plans: dict[Slot, list[PlannedDose]]) -> tuple[str, ...]:
    """Why a suggested antibody dose is loading or maintenance, when history decided it."""
    reasons = []
    for options in plans.values():
        for plan in options:
            if plan.due.last_dose is not None or plan.due.due is DueDose.UNKNOWN:
                reasons.append(plan.due.reason)
    return tuple(dict.fromkeys(reasons))


def _finding(
    sit: Situation,
    line: LineAssessment,
    *,
    summary: str,
    reasoning: Sequence[str],
    gaps: BodyGaps,
    suggestions: tuple[Suggestion, ...] = (),
    extra_sources: Sequence[str] = (),
) -> Finding:
    first = sit.catalog.first_line
    label_sources = (s for o in first.label_options for s in o.sources)
    return line_finding(
        sit,
        line,
        rule=RULE,
        topic=TOPIC,
        sources=(*extra_sources, *first.sources, *label_sources),
        summary=summary,
        reasoning=reasoning,
        advice=first_line_advice(sit),
        gaps=gaps,
        missing_data=hr_missing(sit),
        suggestions=suggestions,
    )


def _missing_parts(
    sit: Situation,
    line: LineAssessment,
    regimen: Regimen,
    label: str,
    *,
    always_label: bool = False,
) -> Finding | None:
    """Slots of `regimen` the drafts lack, suggested with computed doses."""
    present = sit.present_ids()
    missing = missing_slots(regimen, present)
    if not missing:
        return None
    plans = {slot: [plan_option(sit, o) for o in slot.suggest] for slot in missing}
    gaps = body_gaps(sit, [p.dose.drug for options in plans.values() for p in options])
    have = present_names(regimen, present, sit.catalog)
    phrases = [_slot_phrase(plans[slot], slot) for slot in missing]
    bare = [slot.display for slot in missing]
    tail = f"; {gaps.short}" if gaps.short else ""
    endocrine = sit.hr_positive is True and bool(sit.drafted_ids(ENDOCRINE))
    chemotherapy = any(s.chemotherapy_phase and s.filled_by & present for s in regimen.slots)
    her2_therapy = any(not s.chemotherapy_phase and s.filled_by & present for s in regimen.slots)
    if endocrine and her2_therapy and not chemotherapy:
        summary = fit(
            f"{hr_label(sit)} HER2+ MBC: endocrine + {have} is for selected patients; THP is "
            f"preferred first line{tail}",
            f"{hr_label(sit)} HER2+ MBC: endocrine + HER2 therapy is for selected patients; "
            f"THP preferred{tail}",
        )
    elif endocrine and not have:
        summary = fit(
            f"{hr_label(sit)} HER2+ MBC: endocrine therapy alone is for special cases; "
            f"first-line THP is preferred{tail}"
        )
    elif not have:
        summary = fit(f"First-line HER2+ MBC: {regimen.display} is recommended{tail}")
    else:
        suffix = f" ({label})" if len(missing) > 1 or tail or always_label else ""
        summary = fit(
            f"Add {and_list(phrases)} to {have}{suffix}{tail}",
            f"Add {and_list(bare)} to {have} ({label}){tail}",
            f"{label}: add {and_list(bare)}{tail}",
        )
    drafted_text = f"The draft orders and current therapy have {have}; " if have else ""
    reasoning = (
        f"{drafted_text}{regimen.display} also needs {and_list(bare)}.",
        *_due_paragraphs(plans),
    )
    return _finding(
        sit,
        line,
        summary=summary,
        reasoning=reasoning,
        gaps=gaps,
        suggestions=_suggestions(plans, sit),
        extra_sources=regimen.sources,
    )


def _other_regimen(sit: Situation, line: LineAssessment, drugs: frozenset[str]) -> Finding:
    """A first line drafted with something other than THP: say what the guideline recommends."""
    catalog = sit.catalog
    thp = catalog.regimen(catalog.first_line.recommended)
    gaps = body_gaps(sit, [catalog.drugs[o.drug] for s in thp.slots for o in s.suggest])
    drafted = names(drugs, catalog)
    endocrine = sit.hr_positive is True and bool(sit.drafted_ids(ENDOCRINE))
    if endocrine and drugs <= catalog.her2_with_endocrine():
        summary = fit(
            f"{hr_label(sit)} HER2+ MBC: endocrine therapy + {drafted} is for selected "
            "patients; THP is preferred first line",
            f"{hr_label(sit)} HER2+ MBC: endocrine + HER2 therapy is for selected patients; "
            "THP preferred",
        )
    else:
        summary = fit(
            f"First-line HER2+ MBC: THP (trastuzumab + pertuzumab + taxane) is recommended, "
            f"not {drafted}",
            f"First-line HER2+ MBC: THP is recommended, not {drafted}",
            "First-line HER2+ MBC: THP is recommended rather than the drafted regimen",
        )
    reasoning = (f"The draft orders include {drafted}, which is not part of first-line THP.",)
    return _finding(sit, line, summary=summary, reasoning=reasoning, gaps=gaps)


def _label_option(sit: Situation, drafted_beyond_thp: frozenset[str]) -> Regimen | None:
    """The label-approved first-line alternative the drafts start (T-DXd of T-DXd +
    pertuzumab, DESTINY-Breast09), from the regimen table's label options."""
    for option in sit.catalog.first_line.label_options:
        regimen = sit.catalog.regimen(option.regimen)
        if drafted_beyond_thp & regimen.drugs:
            return regimen
    return None


def first_line_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc or not sit.selected_with(SYSTEMIC):
        return []
    line = assess_line(sit)
    if line.kind is not LineKind.FIRST or line.continuing:
        return []
    catalog = sit.catalog
    her2 = sit.drafted_ids(HER2_DIRECTED)
    thp = catalog.regimen(catalog.first_line.recommended)
    label_option = _label_option(sit, her2 - thp.drugs)
    if label_option is not None:
        finding = _missing_parts(
            sit,
            line,
            label_option,
            f"label-approved first-line {label_option.short}",
            always_label=True,
        )
        return [finding] if finding else []
    others = (her2 | sit.drafted_ids(CHEMOTHERAPY, TAXANE)) - thp.drugs
    if others:
        return [_other_regimen(sit, line, others)]
    finding = _missing_parts(sit, line, thp, f"first-line {thp.short}")
    return [finding] if finding else []
