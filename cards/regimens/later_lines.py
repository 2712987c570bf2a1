"""C12, third line and beyond: the option list, no preferred regimen (ASCO 2022 rec. 3.0/3.1).

Applies from the third line, and in the second line once T-DXd has been given. The drafted
HER2-directed drugs are matched against the options that apply to this patient (HR+ options
only when HR+, "if not received" options only when not received). A card appears only when
there is something to say: a drafted regimen with a missing partner (tucatinib without
capecitabine), a drafted regimen outside its label population, a drug that has already been
given and is not a listed option again, or brain metastases while a regimen other than
tucatinib + trastuzumab + capecitabine is drafted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from cards.catalog import Drug, LaterOption, Regimen, Slot
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig
from cards.phrasing import fit
from cards.regimens.advice import (
    BodyGaps,
    body_gaps,
    label_condition_unmet,
    later_line_advice,
    later_options,
    prior_therapy_text,
)
from cards.regimens.drug_terms import names
from cards.regimens.line_finding import line_finding
from cards.regimens.lines import LineAssessment, LineKind, assess_line
from cards.regimens.orders import (
    add_suggestion,
    plan_option,
    replace_suggestion,
    single_recommended,
)
from cards.regimens.situation import (
    CHEMOTHERAPY,
    HER2_DIRECTED,
    HER2_TKI,
    TAXANE,
    TRASTUZUMAB_BASED,
    Situation,
    situation,
)
from cards.regimens.slots import and_list, covers, missing_slots, present_names

RULE = "C12-later-lines"
TOPIC = "Later-line options, HER2+ metastatic breast cancer"
T_DXD = "fam-trastuzumab-deruxtecan"
TUCATINIB = "tucatinib"


@dataclass(frozen=True)
class _Match:
    option: LaterOption
    regimen: Regimen
    missing: tuple[Slot, ...]


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
    return line_finding(
        sit,
        line,
        rule=RULE,
        topic=TOPIC,
        sources=(*sit.catalog.later_lines.sources, *extra_sources),
        summary=summary,
        reasoning=reasoning,
        advice=later_line_advice(sit, line),
        gaps=gaps,
        suggestions=suggestions,
    )


def _complete(sit: Situation, line: LineAssessment, best: Sequence[_Match]) -> Finding:
    """Drafted drugs whose regimen lacks a partner: suggest the partner with its dose."""
    present = sit.present_ids()
    suggestions: list[Suggestion | None] = []
    drugs: list[Drug] = []
    for match in best:
        plans = [plan_option(sit, slot.suggest[0]) for slot in match.missing if slot.suggest]
        drugs.extend(p.dose.drug for p in plans)
        if len(plans) == len(match.missing):
            suggestions.append(add_suggestion(sit, [p.dose for p in plans]))
    gaps = body_gaps(sit, drugs)
    tail = f"; {gaps.short}" if gaps.short and gaps.blocks_dose else ""
    if len(best) == 1:
        match = best[0]
        have = present_names(match.regimen, present, sit.catalog)
        phrases = [
            plan_option(sit, slot.suggest[0]).dose.phrase if slot.suggest else slot.display
            for slot in match.missing
        ]
        bare = [slot.display for slot in match.missing]
        summary = fit(
            f"Add {and_list(phrases)} to {have} ({match.regimen.short}){tail}",
            f"Add {and_list(bare)} to {have} ({match.regimen.short}){tail}",
            f"{match.regimen.short}: add {and_list(bare)}{tail}",
        )
    else:
        drafted = names(sit.drafted_ids(HER2_DIRECTED), sit.catalog)
        partners = [and_list(slot.display for slot in m.missing) for m in best]
        summary = fit(
            f"{drafted} in the {line.name} is given with {' or '.join(partners)}{tail}",
            f"{drafted} needs a partner in the {line.name}: see the listed options{tail}",
        )
    regimens = " or ".join(m.regimen.display for m in best)
    reasoning = (f"The drafted drugs belong to {regimens}, which is not complete.",)
    return _finding(
        sit,
        line,
        summary=summary,
        reasoning=reasoning,
        gaps=gaps,
        suggestions=single_recommended(suggestions),
        extra_sources=[s for m in best for s in m.regimen.sources],
    )


def _label_condition(sit: Situation, line: LineAssessment, match: _Match) -> Finding:
    count = line.prior_metastatic_lines
    short = match.regimen.short[:1].upper() + match.regimen.short[1:]
    summary = fit(
        f"{short}: {match.option.label}; {count} prior line(s) on file",
        f"{short}: label population needs more prior anti-HER2 therapy than is on file",
    )
    reasoning = (
        f"{match.regimen.display} is drafted. Its {match.option.label}; "
        f"{prior_therapy_text(sit, line)}.",
    )
    return _finding(
        sit,
        line,
        summary=summary,
        reasoning=reasoning,
        gaps=BodyGaps((), False, ""),
        extra_sources=match.regimen.sources,
    )


def _brain_metastases(sit: Situation, line: LineAssessment, drafted: Regimen) -> Finding | None:
    catalog = sit.catalog
    first = catalog.later_lines.brain_metastases_first
    option = next((o for o in later_options(sit, line) if o.regimen == first), None)
    if option is None or label_condition_unmet(option, line, sit) or TUCATINIB in sit.received:
        return None
    regimen = catalog.regimen(first)
    plans = [plan_option(sit, slot.suggest[0]) for slot in regimen.slots if slot.suggest]
    gaps = body_gaps(sit, [p.dose.drug for p in plans])
    replaced = tuple(d for d in sit.drafts if d.classes & {HER2_DIRECTED, CHEMOTHERAPY, TAXANE})
    suggestion = replace_suggestion(sit, replaced, [p.dose for p in plans])
    summary = fit(
        f"Brain metastases: {regimen.short} is the option with intracranial efficacy data",
        "Brain metastases: consider tucatinib + trastuzumab + capecitabine",
    )
    reasoning = (
        f"Brain metastases are on file and the drafted regimen is {drafted.display}. ASCO "
        "recommends that tucatinib + "
        "trastuzumab + capecitabine may be offered to patients with brain metastases without "
        "symptomatic mass effect (brain-metastases guideline rec. 7.1); no later-line regimen "
        "is preferred otherwise.",
    )
    return _finding(
        sit,
        line,
        summary=summary,
        reasoning=reasoning,
        gaps=gaps,
        suggestions=single_recommended([suggestion]),
        extra_sources=regimen.sources,
    )


def _two_antibodies(sit: Situation, line: LineAssessment) -> Finding | None:
    """Two anti-HER2 antibodies drafted together that no option combines (margetuximab with
    trastuzumab): say that, and what the first one is given with. Pairs of trastuzumab-based
    products are the substitution and duplicate-therapy rules' cards (critical), not ours."""
    classes = {d.drug: d.classes for d in sit.drafts if HER2_DIRECTED in d.classes}
    antibodies = sorted(drug for drug, c in classes.items() if HER2_TKI not in c)
    if len(antibodies) < 2 or all(TRASTUZUMAB_BASED in classes[d] for d in antibodies):
        return None
    options = [sit.catalog.regimen(o.regimen) for o in later_options(sit, line)]
    for drug in sorted(antibodies, key=lambda d: TRASTUZUMAB_BASED in classes[d]):
        regimen = next((r for r in options if drug in r.drugs), None)
        others = [d for d in antibodies if d != drug and regimen and d not in regimen.drugs]
        if regimen is None or not others:
            continue
        partners = [s.display for s in regimen.slots if drug not in s.filled_by]
        name, other = names([drug], sit.catalog), names(others, sit.catalog)
        short_with = and_list(p.split(" (")[0] for p in partners) if partners else "alone"
        full_with = and_list(partners) if partners else "alone"
        title = name[:1].upper() + name[1:]
        summary = fit(
            f"{title} + {other} are two anti-HER2 antibodies: {name} is given with "
            f"{short_with}, not {other}",
            f"{title} + {other}: two anti-HER2 antibodies together",
        )
        reasoning = (
            f"The draft orders combine {name} with {other}, two antibodies against HER2. The "
            f"listed option is {regimen.display}: {name} is given with {full_with}, not with "
            "another anti-HER2 antibody.",
        )
        finding = _finding(
            sit,
            line,
            summary=summary,
            reasoning=reasoning,
            gaps=BodyGaps((), False, ""),
            extra_sources=regimen.sources,
        )
        return replace(finding, indicator=Indicator.WARNING)
    return None


def _not_an_option(sit: Situation, line: LineAssessment, drafted: frozenset[str]) -> Finding:
    catalog = sit.catalog
    two = _two_antibodies(sit, line)
    if two is not None:
        return two
    again = drafted & sit.received
    shown = names(drafted, catalog)
    if again:
        summary = fit(
            f"{names(again, catalog)} already given: not among the {line.adjective} options for "
            "HER2+ MBC",
            f"{names(again, catalog)} already given: see the {line.adjective} options",
        )
    else:
        summary = fit(
            f"{shown} is not among the {line.adjective} options for HER2+ MBC",
            f"The drafted regimen is not among the {line.adjective} options for HER2+ MBC",
        )
    reasoning = (
        f"The drafted HER2-directed drugs ({shown}) do not form one of the listed options"
        + (f"; {names(again, catalog)} is already on file." if again else "."),
    )
    return _finding(sit, line, summary=summary, reasoning=reasoning, gaps=BodyGaps((), False, ""))


def later_line_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc or not sit.selected_with(frozenset({HER2_DIRECTED})):
        return []
    line = assess_line(sit)
    after_tdxd = line.kind is LineKind.SECOND and T_DXD in sit.received
    if not (line.kind is LineKind.LATER or after_tdxd) or line.continuing:
        return []
    her2 = sit.drafted_ids(HER2_DIRECTED)
    present = sit.present_ids()
    matches = [
        _Match(option, regimen, missing_slots(regimen, present))
        for option in later_options(sit, line)
        for regimen in [sit.catalog.regimen(option.regimen)]
        if covers(regimen, her2)
    ]
    if not matches:
        return [_not_an_option(sit, line, her2)]
    complete = [m for m in matches if not m.missing]
    if complete:
        match = complete[0]
        if label_condition_unmet(match.option, line, sit):
            return [_label_condition(sit, line, match)]
        brain_first = sit.catalog.later_lines.brain_metastases_first
        if sit.facts.disease.brain_metastases and match.regimen.id != brain_first:
            finding = _brain_metastases(sit, line, match.regimen)
            return [finding] if finding else []
        return []
    fewest = min(len(m.missing) for m in matches)
    return [_complete(sit, line, [m for m in matches if len(m.missing) == fewest])]
