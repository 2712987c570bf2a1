"""The guideline advice for each line, in words, with this patient's doses.

Order-select cards and the patient-view summary build their detail from these paragraphs, so
both say the same thing. Every number comes from the regimen table; every dose is computed
from the patient's own weight or BSA, with the inputs and their dates named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cards.catalog import Basis, Drug, LaterOption, Regimen
from cards.phrasing import format_date
from cards.regimens.data_gaps import BODY_SIZE_KEY, described
from cards.regimens.doses import regimen_dose_text
from cards.regimens.label_caveats import receptor_caveats, relapse_window
from cards.regimens.lines import LineAssessment
from cards.regimens.situation import HER2_DIRECTED, Situation
from fhir_mappings import TherapySetting


def regimen_drugs(sit: Situation, regimen: Regimen) -> tuple[Drug, ...]:
    """The drugs a regimen suggests (and so needs doses for)."""
    return tuple(
        sit.catalog.drugs[option.drug] for slot in regimen.slots for option in slot.suggest
    )


def regimen_doses(
    sit: Situation, regimen: Regimen, *, undosed_slots: bool = True
) -> tuple[str, ...]:
    """One line per slot: "trastuzumab 560 mg (8 mg/kg) loading, then 420 mg (6 mg/kg) every 3
    weeks", or the slot's name when the table gives no dose for it (unless `undosed_slots`
    is False)."""
    lines = []
    for slot in regimen.slots:
        if not slot.suggest and not undosed_slots:
            continue
        texts = [
            regimen_dose_text(
                sit.catalog.drugs[o.drug], sit.catalog.drugs[o.drug].schedule(o.schedule), sit.body
            )
            for o in slot.suggest
        ]
        lines.append(" or ".join(texts) if texts else slot.display)
    return tuple(lines)


def bullet_list(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def body_basis(sit: Situation, drugs: Iterable[Drug]) -> str:
    """ "Doses computed from weight 70 kg (2026-11-18) and BSA 1.79 m² (Mosteller ...)"."""
    bases = {d.basis for d in drugs}
    used = [sit.body.describe(b) for b in (Basis.PER_KG, Basis.PER_M2) if b in bases]
    used = [u for u in used if u]
    if not used:
        return ""
    return "Doses use the actual body weight: " + " and ".join(used) + "."


@dataclass(frozen=True)
class BodyGaps:
    missing: tuple[str, ...]  # for `Finding.missing_data`
    blocks_dose: bool  # a dose cannot be computed at all
    short: str  # for a summary: "no weight on file"


def body_gaps(sit: Situation, drugs: Iterable[Drug]) -> BodyGaps:
    """What is missing or too old to compute these drugs' doses (C10 wording)."""
    bases = {d.basis for d in drugs}
    body = sit.body
    missing: list[str] = []
    short = ""
    blocks = False
    needs_weight = Basis.PER_KG in bases or (Basis.PER_M2 in bases and body.bsa is None)
    gap = sit.hook_input.gap(BODY_SIZE_KEY)
    if gap is not None and (Basis.PER_KG in bases or Basis.PER_M2 in bases):
        missing.extend(described((gap,)))
        short = "weight could not be obtained"
    if needs_weight and body.weight is None:
        missing.append("No weight on file: weight-based (mg/kg) and BSA-based doses need one")
        short, blocks = short or "no weight on file", True
    if Basis.PER_M2 in bases and body.bsa is None and body.weight is not None:
        missing.append("No height on file: the BSA for mg/m² doses cannot be computed")
        short, blocks = short or "no height on file", True
    weight = body.weight
    if weight is not None and (Basis.PER_KG in bases or Basis.PER_M2 in bases):
        limit = sit.config.threshold("weight_max_age_days")
        if weight.when is None:
            missing.append(f"The latest weight ({weight.value:g} kg) is undated")
            short = short or "weight undated"
        else:
            age = (sit.facts.as_of - weight.when).days
            if age > limit:
                missing.append(
                    f"The latest weight ({weight.value:g} kg) is from {format_date(weight.when)}, "
                    f"{age} days ago (limit {limit:g} days): re-weigh before dosing"
                )
                short = short or f"weight {age} days old"
    return BodyGaps(tuple(missing), blocks, short)


def first_line_advice(sit: Situation) -> tuple[str, ...]:
    catalog = sit.catalog
    first = catalog.first_line
    regimen = catalog.regimen(first.recommended)
    paragraphs = [
        f"{first.recommendation}. For this patient:\n\n" + bullet_list(regimen_doses(sit, regimen)),
    ]
    basis = body_basis(sit, regimen_drugs(sit, regimen))
    if basis:
        paragraphs.append(basis)
    paragraphs.append(" ".join(first.notes))
    paragraphs.extend(option.text for option in first.label_options)
    paragraphs.extend(hr_positive_advice(sit, after_chemotherapy=False))
    return tuple(paragraphs)


def second_line_advice(sit: Situation) -> tuple[str, ...]:
    catalog = sit.catalog
    second = catalog.second_line
    preferred = catalog.regimen(second.preferred)
    alternative = catalog.regimen(second.alternative)
    paragraphs = [
        f"{second.recommendation}. For this patient: "
        + "; ".join(regimen_doses(sit, preferred))
        + " (preferred); "
        + "; ".join(regimen_doses(sit, alternative))
        + " when T-DXd is unavailable.",
    ]
    basis = body_basis(sit, regimen_drugs(sit, preferred))
    if basis:
        paragraphs.append(basis)
    if sit.facts.disease.brain_metastases:
        paragraphs.append(second.brain_metastases_note)
    paragraphs.extend(relapse_window(sit))
    return tuple(paragraphs)


def later_options(sit: Situation, line: LineAssessment) -> tuple[LaterOption, ...]:
    """The later-line options that apply: HR+ only when HR+, "if not received" filtered,
    the tucatinib regimen first when brain metastases are present."""
    later = sit.catalog.later_lines
    received = sit.received
    options = [
        o
        for o in later.options
        if (not o.hr_positive_only or sit.hr_positive is True) and not (o.not_received & received)
    ]
    if sit.facts.disease.brain_metastases:
        options.sort(key=lambda o: o.regimen != later.brain_metastases_first)
    return tuple(options)


def early_her2_regimens(sit: Situation) -> int:
    """(Neo)adjuvant anti-HER2 regimens on file, for labels that count them (margetuximab).

    Records do not name regimens, so this counts what was given: trastuzumab and pertuzumab
    in any form as one regimen, each other HER2 drug (T-DM1 for residual disease, extended
    adjuvant neratinib) as one more. Adjuvant trastuzumab-based therapy the mapping dated
    counts even when the drug was given again later for metastatic disease.
    """
    maintenance = sit.catalog.first_line.maintenance.moieties
    kinds: set[str] = set()
    for exposure in sit.facts.therapy.exposures:
        if HER2_DIRECTED not in exposure.classes or exposure.setting is not TherapySetting.EARLY:
            continue
        moieties = sit.catalog.provides(exposure.drug)
        kinds.add("trastuzumab-pertuzumab" if moieties & maintenance else exposure.drug)
    if sit.facts.disease.adjuvant_trastuzumab_end is not None and not kinds:
        kinds.add("trastuzumab-based")
    return len(kinds)


def prior_regimens(sit: Situation, line: LineAssessment) -> int:
    return line.prior_metastatic_lines + early_her2_regimens(sit)


def label_condition_unmet(option: LaterOption, line: LineAssessment, sit: Situation) -> bool:
    """The label population of a later-line option needs more prior anti-HER2 therapy: lines
    for metastatic disease, and (margetuximab) regimens in any setting."""
    return (
        line.prior_metastatic_lines < option.min_prior_metastatic_lines
        or prior_regimens(sit, line) < option.min_prior_her2_regimens
    )


def prior_therapy_text(sit: Situation, line: LineAssessment) -> str:
    """ "2 prior anti-HER2 regimen(s) on file (1 for metastatic disease)"."""
    return (
        f"{prior_regimens(sit, line)} prior anti-HER2 regimen(s) on file "
        f"({line.prior_metastatic_lines} for metastatic disease)"
    )


def later_line_advice(sit: Situation, line: LineAssessment) -> tuple[str, ...]:
    catalog = sit.catalog
    later = catalog.later_lines
    items = []
    for option in later_options(sit, line):
        regimen = catalog.regimen(option.regimen)
        doses = "; ".join(regimen_doses(sit, regimen, undosed_slots=False))
        text = f"**{regimen.display}**" + (f": {doses}" if doses else "")
        if option.label:
            text += f" ({option.label}"
            if label_condition_unmet(option, line, sit):
                text += f"; {prior_therapy_text(sit, line)}"
            text += ")"
        items.append(text)
    intro = f"{later.recommendation}."
    if sit.facts.disease.brain_metastases:
        intro += (
            " Brain metastases are on file: tucatinib + trastuzumab + capecitabine may be "
            "offered (ASCO brain-metastases guideline rec. 7.1). The service lists it first, "
            "as the option with intracranial efficacy data (HER2CLIMB); the order is the "
            "service's policy, not the guideline's."
        )
    paragraphs = [intro + "\n\n" + bullet_list(items)]
    if any(o.hr_positive_only for o in later_options(sit, line)):
        paragraphs.extend(receptor_caveats(sit))  # options listed for HR+ disease only
    drugs = [
        d for o in later_options(sit, line) for d in regimen_drugs(sit, catalog.regimen(o.regimen))
    ]
    basis = body_basis(sit, drugs)
    if basis:
        paragraphs.append(basis)
    return tuple(paragraphs)


def hr_positive_advice(sit: Situation, *, after_chemotherapy: bool) -> tuple[str, ...]:
    hr = sit.catalog.hr_positive
    if sit.hr_positive is not True:
        return ()
    caveats = receptor_caveats(sit)
    if after_chemotherapy:
        return (*caveats, hr.after_chemotherapy)
    return (
        *caveats,
        "Hormone-receptor-positive disease:\n\n" + bullet_list(hr.options),
        hr.after_chemotherapy,
    )


def hr_missing(sit: Situation) -> tuple[str, ...]:
    if sit.hr_positive is None:
        return ("ER/PgR status: endocrine-therapy options cannot be assessed",)
    return ()
