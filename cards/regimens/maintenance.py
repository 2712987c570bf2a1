"""C12, HER2 maintenance: trastuzumab + pertuzumab continue when the chemotherapy stops.

ASCO 2022 rec. 4.0: chemotherapy runs about 4-6 months, then HER2-targeted therapy continues
until progression or unacceptable toxicity. The first source document names stopping HER2
therapy together with the chemotherapy as a common error, and in HR+ disease endocrine therapy
is added to HER2 therapy, not put in its place (rec. 7.0). So when the current line's HER2
antibodies and its chemotherapy have both stopped and the drafts carry on with something else
(letrozole alone, capecitabine alone), order-select gets a warning with the HER2 doses due now
(after a pause, usually a re-load); patient-view says "resume", never "continue" as if ongoing.

"Stopped" means not current (`cards.current`, the mapping's one definition): the orders were
stopped or completed, or no order is open and the last dose is further back than the drug's
longest label interval plus the trastuzumab re-load grace (`trastuzumab_reload_late_days`),
past which a dose is no longer late but the schedule broken. "With the chemotherapy" means the
last HER2 dose falls within one cycle of the chemotherapy's end (the interval plus
`maintenance_stopped_with_chemotherapy_grace_days`): H+P that ran on for months after the
chemotherapy and then stopped, stopped for another reason (progression, toxicity, a planned
break) that the record does not give, so neither card tells the pitfall's story then.
Progression is not in the record the service reads, so the card says the advice holds unless
the disease progressed. No card when the stop may have been for safety: heart failure,
ILD/pneumonitis or pregnancy on file, or a latest LVEF below `maintenance_lvef_floor_percent`
(the label and ASCO leave that case to the clinician).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cards.current import cycle_days, state
from cards.findings import Finding, Indicator
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit, format_date
from cards.regimens.advice import body_gaps, hr_positive_advice
from cards.regimens.drug_terms import names
from cards.regimens.endocrine import finished_chemotherapy
from cards.regimens.label_caveats import caveat_sources, hr_label
from cards.regimens.line_finding import line_lead
from cards.regimens.lines import LineAssessment, assess_line
from cards.regimens.loading import last_dose_date
from cards.regimens.orders import add_suggestion, plan_dose, single_recommended
from cards.regimens.situation import (
    CDK46,
    CHEMOTHERAPY,
    ENDOCRINE,
    HER2_DIRECTED,
    TAXANE,
    Situation,
    situation,
)
from cards.regimens.slots import present_names
from cards.safety.ild_status import current_ild
from cards.sources import cite_all
from fhir_mappings import DrugExposure, PregnancyState

RULE = "C12-her2-maintenance"
TOPIC = "HER2 therapy when chemotherapy stops, HER2+ metastatic breast cancer"
TRIGGERS = frozenset({CHEMOTHERAPY, TAXANE, ENDOCRINE, CDK46})
FULL_DAY = 86400.0


@dataclass(frozen=True)
class Lapse:
    """The current line's HER2 antibodies have stopped, and so has its chemotherapy."""

    her2: tuple[DrugExposure, ...]
    chemotherapy: tuple[DrugExposure, ...]
    last_dose: datetime  # the last HER2 dose of the line
    chemotherapy_ended: datetime | None


def _stopped_since(sit: Situation, exposure: DrugExposure) -> datetime | None:
    """The last dose, when the drug is no longer current (`cards.current`: its orders were
    closed, or no order is open and the last dose is further back than the interval plus the
    re-load grace) rather than being a little late."""
    if state(exposure, sit.facts.as_of, sit.config).current:
        return None
    return last_dose_date(exposure)


def line_stopped_since(sit: Situation, line: LineAssessment) -> datetime | None:
    """The last dose of the ongoing line when every HER2 drug of it has stopped; else None."""
    ongoing = line.ongoing
    if ongoing is None or not ongoing.drugs:
        return None
    exposures = [sit.facts.therapy.of_drug(d) for d in ongoing.drugs]
    stopped = [_stopped_since(sit, e) if e is not None else None for e in exposures]
    if any(d is None for d in stopped):
        return None
    return max(d for d in stopped if d is not None)


def _ended(exposure: DrugExposure) -> datetime | None:
    dates = [d for d in (exposure.last_dose, exposure.end) if d is not None]
    return max(dates) if dates else None


def _in_regimen_order(sit: Situation, drugs: frozenset[str]) -> list[str]:
    """Trastuzumab before pertuzumab, as THP lists them (and as clinicians say it)."""
    thp = sit.catalog.regimen(sit.catalog.first_line.recommended)
    slots = [slot.filled_by for slot in thp.slots]
    return sorted(drugs, key=lambda d: (next((i for i, s in enumerate(slots) if d in s), 99), d))


def lapsed_maintenance(sit: Situation, line: LineAssessment) -> Lapse | None:
    """The lapse of the ongoing line's HER2 maintenance, if both it and the chemo stopped."""
    ongoing = line.ongoing
    if ongoing is None or not ongoing.drugs:
        return None
    moieties = sit.catalog.first_line.maintenance.moieties
    if any(not sit.catalog.provides(d) & moieties for d in ongoing.drugs):
        return None  # a line with T-DXd, T-DM1 or a TKI: not trastuzumab + pertuzumab maintenance
    exposures = [sit.facts.therapy.of_drug(d) for d in _in_regimen_order(sit, ongoing.drugs)]
    her2 = tuple(e for e in exposures if e is not None)
    if len(her2) != len(exposures):
        return None
    stopped = [_stopped_since(sit, e) for e in her2]
    if any(d is None for d in stopped):
        return None
    if sit.active_ids(CHEMOTHERAPY, TAXANE):
        return None
    chemotherapy = finished_chemotherapy(sit, ongoing.start)
    if not chemotherapy:
        return None  # the pitfall is stopping HER2 therapy *with* the chemotherapy
    ended = max((d for d in (_ended(e) for e in chemotherapy) if d is not None), default=None)
    last = max(d for d in stopped if d is not None)
    if ended is None or not _within_a_cycle(sit, her2, last, ended):
        return None  # ran on after the chemotherapy (or its end is unknown): not stopped with it
    return Lapse(her2, chemotherapy, last, ended)


def _within_a_cycle(
    sit: Situation, her2: tuple[DrugExposure, ...], last: datetime, ended: datetime
) -> bool:
    """The last HER2 dose is no more than one cycle after the chemotherapy ended: the cycle
    given with the last chemotherapy, or one more, and then nothing."""
    interval = max(cycle_days(e.drug) for e in her2)  # 21 days for a drug the table lacks
    grace = sit.config.threshold("maintenance_stopped_with_chemotherapy_grace_days")
    return (last - ended).total_seconds() / FULL_DAY <= interval + grace


ILD_ON_FILE = "active ILD/pneumonitis is on file"


def held_for_safety(sit: Situation) -> str | None:
    """Why HER2 therapy may have been stopped on purpose, in words; None when nothing says so.
    The gravest first: a pregnancy (embryo-fetal toxicity, boxed), then the heart and lungs."""
    facts = sit.facts
    if facts.pregnancy.state is PregnancyState.PREGNANT:
        return "a pregnancy is on file"
    if facts.conditions.heart_failure:
        return "heart failure is on file"
    if current_ild(facts.conditions.interstitial_lung_disease):
        return ILD_ON_FILE  # a resolved history is not a reason to have stopped
    latest = facts.lvef.latest
    floor = sit.config.threshold("maintenance_lvef_floor_percent")
    if latest is not None and latest.percent < floor:
        return f"the latest LVEF is {latest.percent:g} % ({format_date(latest.when)})"
    return None


def her2_names(sit: Situation, lapse: Lapse) -> str:
    """ "trastuzumab + pertuzumab", in the order of the first-line regimen."""
    thp = sit.catalog.regimen(sit.catalog.first_line.recommended)
    drugs = frozenset(e.drug for e in lapse.her2)
    return present_names(thp, drugs, sit.catalog) or names(drugs, sit.catalog)


def lapse_paragraph(sit: Situation, lapse: Lapse) -> str:
    chemo = names((e.drug for e in lapse.chemotherapy), sit.catalog)
    her2 = her2_names(sit, lapse)
    verb = "were" if len(lapse.her2) > 1 else "was"
    return (
        f"{her2[:1].upper()}{her2[1:]} {verb} last given {format_date(lapse.last_dose)} and no "
        f"order is active; the chemotherapy of this line ({chemo}) ended "
        f"{format_date(lapse.chemotherapy_ended)}. {sit.catalog.first_line.maintenance.text}"
    )


PROGRESSION_CAVEAT = (
    "Progression is not read from the record: if the disease progressed, the next line's "
    "recommendations apply instead; if HER2 therapy was stopped for toxicity, say so when "
    "overriding."
)


def _summary(sit: Situation, lapse: Lapse) -> str:
    her2 = her2_names(sit, lapse)
    when = format_date(lapse.last_dose)
    if sit.hr_positive is True and sit.drafted_ids(ENDOCRINE):
        return fit(
            f"Continue {her2} with the endocrine therapy: stopped with the chemotherapy on {when}",
            f"Continue {her2} with the endocrine therapy (stopped {when})",
        )
    if sit.hr_positive is True:
        hr = hr_label(sit)
        return fit(
            f"{hr}: continue {her2}, stopped with the chemotherapy on {when}; endocrine therapy "
            "may be added",
            f"{hr}: continue {her2} (stopped {when}); endocrine therapy may be added",
        )
    return fit(
        f"Continue {her2} when chemotherapy stops: stopped with it on {when}",
        f"Continue {her2} when chemotherapy stops (stopped {when})",
    )


def maintenance_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.her2_positive_mbc or not sit.selected_with(TRIGGERS):
        return []
    if sit.drafted_ids(HER2_DIRECTED):
        return []  # HER2 therapy drafted: continued, or a new line (the line rules' cards)
    line = assess_line(sit)
    if not line.continuing:
        return []
    lapse = lapsed_maintenance(sit, line)
    if lapse is None or held_for_safety(sit) is not None:
        return []
    catalog = sit.catalog
    plans = []
    for exposure in lapse.her2:
        drug = catalog.drug(exposure.drug)
        if drug is not None and drug.schedules:
            plans.append(plan_dose(sit, drug, drug.schedules[0]))
    gaps = body_gaps(sit, [p.dose.drug for p in plans])
    drafted = names(sit.drafted_ids(*TRIGGERS), catalog)
    reasoning = [
        line_lead(line),
        lapse_paragraph(sit, lapse) + f" The draft orders ({drafted}) do not continue it.",
        *hr_positive_advice(sit, after_chemotherapy=True),
        *dict.fromkeys(p.due.reason for p in plans if p.due.last_dose is not None),
        PROGRESSION_CAVEAT,
    ]
    sources = (
        *catalog.first_line.maintenance.sources,
        *catalog.hr_positive.sources,
        *caveat_sources(reasoning),
    )
    suggestion = add_suggestion(sit, [p.dose for p in plans]) if plans else None
    return [
        Finding(
            rule=RULE,
            indicator=Indicator.WARNING,
            summary=_summary(sit, lapse),
            reasoning=tuple(reasoning),
            citations=cite_all(sources, rule=RULE, topic=TOPIC),
            data_used=sit.receptor_evidence()
            + line.evidence
            + tuple(ev for e in (*lapse.her2, *lapse.chemotherapy) for ev in e.evidence[:1])
            + sit.body.evidence_for_all(),
            missing_data=gaps.missing,
            suggestions=single_recommended([suggestion]),
            selection_behavior="at-most-one",
            override_reasons=override_reasons("regimen"),
            safety=False,
            dedup_key="regimen-maintenance",
        )
    ]
