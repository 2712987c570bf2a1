"""C12 on patient-view: the same regimen advice as order-select, as one summary card.

For a HER2-positive metastatic patient the card names the line of therapy and what the
guideline recommends now, with this patient's doses: THP for a first line, T-DXd for a second
line, the option list from the third line, and how to continue an ongoing line. It carries no
order suggestions (there is no order being written). When the line cannot be decided the
undetermined-line warning is shown instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cards.catalog import Drug, Regimen
from cards.current import state
from cards.findings import Citation, Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.advice import (
    body_gaps,
    first_line_advice,
    hr_missing,
    hr_positive_advice,
    later_line_advice,
    later_options,
    regimen_drugs,
    second_line_advice,
)
from cards.regimens.doses import ComputedDose, Phase, compute_dose, per_basis_text, schedule_text
from cards.regimens.drug_terms import names
from cards.regimens.endocrine import (
    chemotherapy_in_line,
    endocrine_in_line,
    finished_chemotherapy,
)
from cards.regimens.label_caveats import beyond_label_window, caveat_sources, hr_label
from cards.regimens.line_finding import line_lead
from cards.regimens.lines import LineAssessment, LineKind, assess_line
from cards.regimens.maintenance import (
    ILD_ON_FILE,
    PROGRESSION_CAVEAT,
    Lapse,
    held_for_safety,
    her2_names,
    lapse_paragraph,
    lapsed_maintenance,
    line_stopped_since,
)
from cards.regimens.situation import (
    CHEMOTHERAPY,
    ENDOCRINE,
    HER2_DIRECTED,
    TAXANE,
    Situation,
    situation,
)
from cards.sources import cite_all
from cards.suggestions import format_mg
from fhir_mappings import TherapyLine

RULE = "C12-summary"
TOPIC = "Regimen guidance, HER2+ metastatic breast cancer"


def _slot_doses(sit: Situation, regimen: Regimen) -> str | None:
    """ "trastuzumab 560/420 mg, pertuzumab 840/420 mg, docetaxel 134 mg": the first suggested
    drug of each slot, loading/maintenance; None when a dose cannot be computed."""
    parts = []
    for slot in regimen.slots:
        if not slot.suggest:
            continue
        drug = sit.catalog.drugs[slot.suggest[0].drug]
        schedule = drug.schedule(slot.suggest[0].schedule)
        doses = [compute_dose(drug, schedule, Phase.MAINTENANCE, sit.body)]
        if schedule.loading is not None:
            doses.insert(0, compute_dose(drug, schedule, Phase.LOADING, sit.body))
        if any(d.mg is None for d in doses):
            return None
        parts.append(f"{drug.short} {'/'.join(format_mg(d.mg or 0) for d in doses)} mg")
    return ", ".join(parts)


def _per_basis(sit: Situation, regimen: Regimen) -> tuple[Drug, ComputedDose]:
    """The single drug of a one-drug regimen (T-DXd, T-DM1) and its maintenance dose."""
    option = regimen.slots[0].suggest[0]
    drug = sit.catalog.drugs[option.drug]
    return drug, compute_dose(drug, drug.schedule(option.schedule), Phase.MAINTENANCE, sit.body)


def _preferred_given(sit: Situation) -> bool:
    """The preferred second-line drug (T-DXd) was given already: later-line options apply."""
    preferred = sit.catalog.regimen(sit.catalog.second_line.preferred)
    return bool(preferred.drugs & sit.received)


def _first_line_summary(sit: Situation) -> str:
    regimen = sit.catalog.regimen(sit.catalog.first_line.recommended)
    general = f"HER2+ MBC, first line: {regimen.display} is recommended"
    doses = _slot_doses(sit, regimen)
    if doses is None:
        return fit(general, f"HER2+ MBC, first line: {regimen.short} is recommended")
    return fit(
        f"HER2+ MBC, first line: {regimen.short} — {doses} q3w",
        general,
        f"HER2+ MBC, first line: {regimen.short} is recommended",
    )


def _second_line_summary(sit: Situation) -> str:
    second = sit.catalog.second_line
    preferred, dose = _per_basis(sit, sit.catalog.regimen(second.preferred))
    alternative, alternative_dose = _per_basis(sit, sit.catalog.regimen(second.alternative))
    basis = per_basis_text(dose.per_basis, preferred.basis)
    how_often = schedule_text(dose.schedule)
    if dose.mg is None:
        return fit(f"HER2+ MBC, second line: {preferred.short} {basis} {how_often} is preferred")
    mg = format_mg(dose.mg)
    window = beyond_label_window(sit)
    if window is not None:  # ≤12 months (ASCO) but beyond the US label's 6 months: say both
        after, label = window
        return fit(
            f"HER2+ MBC, relapse {after} after adjuvant therapy: ASCO prefers {preferred.short} "
            f"{mg} mg ({basis}) q3w; {label}",
            f"HER2+ MBC, relapse {after} after adjuvant therapy: ASCO prefers "
            f"{preferred.short}; {label}",
        )
    alternative_mg = (
        f" {format_mg(alternative_dose.mg)} mg" if alternative_dose.mg is not None else ""
    )
    return fit(
        f"HER2+ MBC, second line: {preferred.short} {mg} mg ({basis}) q3w preferred; "
        f"{alternative.short}{alternative_mg} if unavailable",
        f"HER2+ MBC, second line: {preferred.short} {mg} mg ({basis}) {how_often} is preferred",
    )


def _later_summary(sit: Situation, line: LineAssessment) -> str:
    brain = sit.facts.disease.brain_metastases
    extra = " (brain metastases: tucatinib-based first)" if brain else ""
    return fit(
        f"HER2+ MBC, {line.name}: HER2-targeted options, none preferred{extra}",
        f"HER2+ MBC, {line.name}: HER2-targeted options, none preferred",
    )


def _lapsed(sit: Situation, lapse: Lapse) -> tuple[str, tuple[str, ...]]:
    """The line's HER2 therapy stopped with its chemotherapy: "resume", not "continue"."""
    her2 = her2_names(sit, lapse)
    when = format_date(lapse.last_dose)
    reason = held_for_safety(sit)
    if reason is not None:
        summary = fit(
            f"HER2+ MBC: {her2} last given {when}; {reason}",
            f"HER2+ MBC: HER2 therapy last given {when}; {reason}",
            f"HER2+ MBC: HER2 therapy last given {when}",
        )
        paragraphs = [
            lapse_paragraph(sit, lapse),
            f"HER2 therapy may have been stopped on purpose: {reason}. ASCO 2022 judges HER2 "
            "therapy case by case with heart failure or a significantly reduced LVEF.",
        ]
    else:
        summary = fit(
            f"HER2+ MBC: {her2} stopped with the chemotherapy ({when}); resume unless the "
            "disease progressed",
            f"HER2+ MBC: HER2 therapy stopped with the chemotherapy ({when}); resume it",
        )
        paragraphs = [lapse_paragraph(sit, lapse), PROGRESSION_CAVEAT]
    if not endocrine_in_line(sit, lapse.last_dose):
        paragraphs.extend(hr_positive_advice(sit, after_chemotherapy=True))
    paragraphs.append("**At progression:**")
    return summary, tuple(paragraphs)


def _stopped(
    sit: Situation, line: LineAssessment, ongoing: TherapyLine, last: datetime
) -> tuple[str, tuple[str, ...]]:
    """The line's HER2 drugs are no longer given (no chemotherapy stop to blame): say so, and
    do not call it ongoing."""
    current = names(ongoing.drugs, sit.catalog)
    when = format_date(last)
    exposures = [e for e in map(sit.facts.therapy.of_drug, sorted(ongoing.drugs)) if e]
    states = [(e, state(e, sit.facts.as_of, sit.config)) for e in exposures]
    ended = list(dict.fromkeys(_plural(e.record_end.reason) for e in exposures if e.record_end))
    clause = " and ".join(ended) if ended else "no open order"
    summary = fit(
        f"HER2+ MBC: {line.name} {current} last given {when}; {clause}",
        f"HER2+ MBC: {line.name} HER2 therapy last given {when}; {clause}",
        f"HER2+ MBC: {line.name} HER2 therapy last given {when}",
    )
    why = "; ".join(f"{names([e.drug], sit.catalog)}: {s.why}" for e, s in states)
    paragraphs = [
        f"The HER2 therapy of the {line.name} ({current}) was last given {when} and is not "
        f"current ({why}). If it was paused, HER2-targeted therapy continues until progression "
        "or unacceptable toxicity (ASCO 2022 rec. 4.0). " + PROGRESSION_CAVEAT,
        "**At progression:**",
    ]
    return summary, tuple(paragraphs)


def _plural(reason: str) -> str:
    """ "order stopped" -> "orders stopped": what the summary says."""
    words = reason.split(" (")[0]
    return words.replace("order ", "orders ", 1).replace("statement ", "statements ", 1)


def _partners(sit: Situation) -> frozenset[str]:
    """The chemotherapy and endocrine drugs current in the record for metastatic disease
    (docetaxel, capecitabine, letrozole): part of the regimen, though the line is counted by
    its HER2-directed drugs."""
    partners = sit.active_ids(CHEMOTHERAPY, TAXANE, ENDOCRINE)
    return partners - sit.active_ids(HER2_DIRECTED)


def _regimen_note(sit: Situation, ongoing: TherapyLine) -> tuple[str, ...]:
    partners = _partners(sit)
    if not partners:
        return ()
    return (
        f"Current regimen: {names(ongoing.drugs | partners, sit.catalog)} "
        f"({names(partners, sit.catalog)} active in the record; the line is counted by its "
        "HER2-directed drugs).",
    )


def _ongoing(
    sit: Situation, line: LineAssessment, ongoing: TherapyLine
) -> tuple[str, tuple[str, ...]]:
    current = names(ongoing.drugs | _partners(sit), sit.catalog)
    since = format_date(ongoing.start)
    reason = held_for_safety(sit)
    if reason is not None:
        # pregnancy, heart failure, ILD or a low LVEF: "continue" would contradict the safety
        # cards, which say what the label requires
        # ILD has no patient-view card (C8 checks each T-DXd order): no pointer to one
        pointer = (
            "review it before the next dose" if reason == ILD_ON_FILE else "see the safety cards"
        )
        decided = "the label" if reason == ILD_ON_FILE else "the safety cards and the label"
        summary = fit(
            f"HER2+ MBC on {line.name} {current} since {since}; {reason}: {pointer}",
            f"HER2+ MBC on {line.name} therapy since {since}; {reason}",
        )
        paragraphs = [
            f"HER2-targeted therapy normally continues until progression or unacceptable "
            f"toxicity (ASCO 2022 rec. 4.0), but {reason}: whether to continue is decided "
            f"with {decided}, case by case.",
            "**At progression:**",
        ]
        return summary, tuple(paragraphs)
    paragraphs = [
        "Continue HER2-targeted therapy until progression or unacceptable toxicity; when "
        "chemotherapy stops, HER2 therapy continues (ASCO 2022 rec. 4.0).",
    ]
    endocrine_planned = (
        sit.hr_positive is True
        and not endocrine_in_line(sit, ongoing.start)
        and chemotherapy_in_line(sit, ongoing.start)
    )
    if endocrine_planned:
        # HR+ on chemotherapy + HER2 therapy (THP): endocrine therapy is the plan for when the
        # chemotherapy ends (ASCO rec. 7.0), named in the summary as well as the detail
        ended = bool(finished_chemotherapy(sit, ongoing.start))
        summary = _hr_ongoing_summary(sit, line, current, since, ended=ended)
        paragraphs.extend(hr_positive_advice(sit, after_chemotherapy=True))
    else:
        summary = fit(
            f"HER2+ MBC on {line.name} {current} since {since}: continue HER2 therapy until "
            "progression",
            f"HER2+ MBC on {line.name} therapy since {since}: continue until progression",
        )
    paragraphs.append("**At progression:**")
    return summary, tuple(paragraphs)


def _hr_ongoing_summary(
    sit: Situation, line: LineAssessment, current: str, since: str, *, ended: bool
) -> str:
    hr = hr_label(sit)
    when = "now that chemotherapy has ended" if ended else "when chemotherapy ends"
    return fit(
        f"{hr} HER2+ MBC on {line.name} {current} since {since}: continue HER2 therapy; "
        f"endocrine therapy may be added {when}",
        f"{hr} HER2+ MBC on {line.name} therapy since {since}: continue HER2 therapy; "
        f"endocrine therapy may be added {when}",
        f"{hr} HER2+ MBC on {line.name} therapy: continue HER2 therapy; endocrine therapy may "
        f"be added {when}",
    )


def _next_line(
    sit: Situation, line: LineAssessment, next_kind: LineKind
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Drug, ...]]:
    """The advice for the line to come, its sources, and the drugs it would need doses for."""
    catalog = sit.catalog
    if next_kind is LineKind.FIRST:
        advice, sources = first_line_advice(sit), catalog.first_line.sources
        drugs = regimen_drugs(sit, catalog.regimen(catalog.first_line.recommended))
    elif next_kind is LineKind.SECOND:
        advice, sources = second_line_advice(sit), catalog.second_line.sources
        drugs = regimen_drugs(sit, catalog.regimen(catalog.second_line.preferred))
    else:
        advice, sources = later_line_advice(sit, line), catalog.later_lines.sources
        drugs = tuple(
            drug
            for option in later_options(sit, line)
            for drug in regimen_drugs(sit, catalog.regimen(option.regimen))
        )
    return advice, sources, drugs


def summary_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc:
        return []
    line = assess_line(sit)
    if line.kind is LineKind.UNDETERMINED:
        return []  # C12-line-undetermined says what is missing
    next_kind = line.kind
    prefix: tuple[str, ...] = ()
    lapse = lapsed_maintenance(sit, line) if line.continuing else None
    if lapse is not None:
        summary, prefix = _lapsed(sit, lapse)
        next_kind = LineKind.SECOND if line.kind is LineKind.FIRST else LineKind.LATER
    elif line.ongoing is not None and line.continuing:
        stopped = line_stopped_since(sit, line)
        if stopped is not None:
            summary, prefix = _stopped(sit, line, line.ongoing, stopped)
        else:
            summary, prefix = _ongoing(sit, line, line.ongoing)
            prefix = (*_regimen_note(sit, line.ongoing), *prefix)
        next_kind = LineKind.SECOND if line.kind is LineKind.FIRST else LineKind.LATER
    elif line.kind is LineKind.FIRST:
        summary = _first_line_summary(sit)
    elif line.kind is LineKind.SECOND and not _preferred_given(sit):
        summary = _second_line_summary(sit)
    else:
        summary = _later_summary(sit, line)
    if next_kind is LineKind.SECOND and _preferred_given(sit):
        next_kind = LineKind.LATER
    advice, sources, drugs = _next_line(sit, line, next_kind)
    gaps = body_gaps(sit, drugs)
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING
            if gaps.missing or (lapse is not None and held_for_safety(sit) is None)
            else Indicator.INFO,
            summary=summary,
            reasoning=(
                line_lead(line),
                *prefix,
                *advice,
            ),
            citations=_citations(sit, sources, (*prefix, *advice), lapsed=lapse is not None),
            data_used=sit.receptor_evidence() + line.evidence + sit.body.evidence_for_all(),
            missing_data=gaps.missing
            + (hr_missing(sit) if next_kind is LineKind.FIRST else ())
            + line.missing,
            override_reasons=override_reasons("regimen"),
            safety=False,
            dedup_key="regimen-summary",
        )
    ]


def _citations(
    sit: Situation, sources: Sequence[str], paragraphs: Sequence[str], *, lapsed: bool
) -> tuple[Citation, ...]:
    """The line's sources, the maintenance rule's when HER2 therapy lapsed, and the sources
    of any caveat the paragraphs state (ER-low, the label's relapse window)."""
    catalog = sit.catalog
    return cite_all(
        (
            *(catalog.first_line.maintenance.sources if lapsed else ()),
            *sources,
            *caveat_sources(paragraphs),
        ),
        rule=RULE,
        topic=TOPIC,
    )
