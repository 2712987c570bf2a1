"""starting-dose and supportive-care: what a label asks of a drug's first order.

starting-dose: tucatinib is 300 mg twice daily; 100 mg twice daily is the dose when a strong
CYP2C8 inhibitor cannot be avoided [L6]. Dose-check accepts both, since either can be right,
so this rule decides between them from the record: the reduced dose drafted as a first order
with no strong CYP2C8 inhibitor drafted or active is a warning naming the label dose; the full
dose drafted while one is drafted or active is a warning naming the reduced dose. 250, 200 and
150 mg are reductions on treatment and are dose-check's to judge.

supportive-care: neratinib causes severe diarrhoea, and its label gives loperamide from the
first dose through day 56, or a 2-week dose escalation instead [L7] [L7c]. A first neratinib
order at the full dose with no antidiarrhoeal drafted or active gets a warning with a
loperamide order to add; an order at an escalation dose gets none.

"Active" is the mapping's reading of the record (an open order or statement); the drug table
says which drugs are strong CYP2C8 inhibitors and which are antidiarrhoeals, the course-rules
table the doses and the wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cards.current import current_in_class
from cards.drafts import Drafted
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import fit
from cards.regimens.course_table import InteractionDose, Prophylaxis, course_table
from cards.regimens.drug_terms import drug_name, names, rxnorm_code
from cards.regimens.situation import Situation, situation
from cards.sources import cite_all
from cards.suggestions import create, delete_order, medication_request
from fhir_mappings import DraftOrder, Evidence

STARTING_DOSE = "starting-dose"
SUPPORTIVE_CARE = "supportive-care"
DOSE_TOPIC = "Starting dose and interacting drugs"
CARE_TOPIC = "Supportive care the label requires"


def _mg(order: DraftOrder) -> float | None:
    dose = order.dose
    if dose is None:
        return None
    if dose.mg is not None:
        return dose.mg
    return dose.value if dose.unit == "mg" else None


def _drafted_evidence(sit: Situation, drafted: Drafted, mg: float) -> Evidence:
    """The draft as the card shows it (the mapping's record of it, or the order's own terms)."""
    if drafted.order.evidence is not None:
        return drafted.order.evidence
    name = drug_name(drafted.drug, sit.catalog)
    reference = drafted.order.reference.partition("/")[2] or None
    return Evidence("MedicationRequest", reference, None, f"{name} (draft)", None, f"{mg:g} mg")


def _on_file(sit: Situation, drug_class: str) -> tuple[tuple[str, ...], tuple[Evidence, ...]]:
    """Drugs of `drug_class` drafted or current (`cards.current`), and the records that say so."""
    drafted = [d for d in sit.drafts if drug_class in d.classes]
    active = current_in_class(sit.facts, drug_class, config=sit.config)
    drugs = tuple(dict.fromkeys([*(d.drug for d in drafted), *(e.drug for e in active)]))
    evidence = [d.order.evidence for d in drafted if d.order.evidence is not None]
    evidence.extend(ev for e in active for ev in e.evidence[:1])
    return drugs, tuple(evidence)


def _first_order(sit: Situation, drug: str) -> bool:
    """No course of `drug` under way: never on file, or its last record (no order open) is
    older than the course gap, as when extended adjuvant neratinib was given years before."""
    exposure = sit.facts.therapy.of_drug(drug)
    if exposure is None:
        return True
    if exposure.active:
        return False
    dates = [d for d in (exposure.last_dose, exposure.end, exposure.start) if d is not None]
    if not dates:
        return False  # on file, undated: cannot tell it is over
    gap = timedelta(days=sit.config.threshold("trastuzumab_course_gap_days"))
    return sit.facts.as_of - max(dates) > gap


def starting_dose_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.breast_cancer:
        return []
    findings = []
    for rule in course_table().interaction_doses:
        for drafted in (d for d in sit.selected if d.drug == rule.drug):
            finding = _interaction_finding(sit, rule, drafted)
            if finding is not None:
                findings.append(finding)
                break
    return findings


@dataclass(frozen=True)
class _Mismatch:
    summary: str
    found: str  # what the record shows, in a sentence
    label_mg: float  # the dose the label gives for this record


def _mismatch(
    sit: Situation, rule: InteractionDose, mg: float, inhibitors: tuple[str, ...]
) -> _Mismatch | None:
    """The drafted dose against the record: the full dose with an inhibitor on file, or the
    reduced dose as a first order without one; None when the dose fits the record."""
    name = drug_name(rule.drug, sit.catalog).capitalize()
    times = _times(rule.times_per_day)
    if inhibitors and rule.matches(mg, rule.label_mg):
        listed = names(inhibitors, sit.catalog, joiner=", ")
        return _Mismatch(
            fit(
                f"{name} {mg:g} mg with {listed} on file: the label dose with a strong CYP2C8 "
                f"inhibitor is {rule.with_inhibitor_mg:g} mg {times}",
                f"{name} {mg:g} mg with a strong CYP2C8 inhibitor on file: label dose "
                f"{rule.with_inhibitor_mg:g} mg {times}",
            ),
            f"{listed.capitalize()}, a strong CYP2C8 inhibitor, is drafted or active.",
            rule.with_inhibitor_mg,
        )
    if inhibitors or not rule.matches(mg, rule.with_inhibitor_mg):
        return None
    if not _first_order(sit, rule.drug):
        return None
    return _Mismatch(
        fit(
            f"{name} {mg:g} mg {times} is the dose with a strong CYP2C8 inhibitor; none is on "
            f"file: the label dose is {rule.label_mg:g} mg {times}",
            f"{name} {mg:g} mg: no strong CYP2C8 inhibitor on file; label dose "
            f"{rule.label_mg:g} mg {times}",
        ),
        f"No strong CYP2C8 inhibitor is drafted or active, and no course of "
        f"{name.lower()} is under way: this is a first order.",
        rule.label_mg,
    )


def _times(per_day: int) -> str:
    return "twice daily" if per_day == 2 else f"{per_day} times a day"


def _change_dose(
    sit: Situation, rule: InteractionDose, drafted: Drafted, target: float
) -> tuple[Suggestion, ...]:
    """Replace the draft with the label's dose for this record (not recommended over the
    draft: the record may be incomplete). Coded with the drug's product only when the dose is
    a whole number of its tablets; otherwise by name."""
    name = drug_name(rule.drug, sit.catalog)
    instruction = f"{name} {target:g} mg orally {_times(rule.times_per_day)}"
    fits_product = rule.product_mg is not None and target % rule.product_mg == 0
    resource = medication_request(
        patient_id=sit.hook_input.patient_id,
        rxnorm_code=rxnorm_code(rule.drug) if fits_product else None,
        drug_display=name,
        dose_mg=target,
        interval_days=1,
        frequency=rule.times_per_day,
        route="oral",
        instruction=instruction,
    )
    actions = [create(resource, f"Order {instruction}")]
    removal = delete_order(drafted.order, f"Remove the drafted {name} order")
    if removal is not None:
        actions.insert(0, removal)
    label = f"Change {name} to {target:g} mg {_times(rule.times_per_day)}"
    return (Suggestion(label=label, actions=tuple(actions)),)


def _interaction_finding(sit: Situation, rule: InteractionDose, drafted: Drafted) -> Finding | None:
    mg = _mg(drafted.order)
    if mg is None:
        return None
    inhibitors, inhibitor_evidence = _on_file(sit, rule.inhibitor_class)
    mismatch = _mismatch(sit, rule, mg, inhibitors)
    if mismatch is None:
        return None
    name = drug_name(rule.drug, sit.catalog).capitalize()
    return Finding(
        rule=STARTING_DOSE,
        indicator=Indicator.WARNING,
        summary=mismatch.summary,
        reasoning=(
            f"{name} {mg:g} mg {_times(rule.times_per_day)} is drafted. {mismatch.found}",
            rule.statement,
            "If the interacting drug was stopped or started outside this record, or the dose "
            "is intended, override with the reason.",
        ),
        citations=cite_all(rule.sources, rule=STARTING_DOSE, topic=DOSE_TOPIC),
        data_used=(
            *sit.receptor_evidence(),
            _drafted_evidence(sit, drafted, mg),
            *inhibitor_evidence,
        ),
        suggestions=_change_dose(sit, rule, drafted, mismatch.label_mg),
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{STARTING_DOSE}:{rule.id}",
        doses_for=frozenset({rule.drug}),
    )


def supportive_care_findings(hook_input: HookInput, config: CardsConfig) -> list[Finding]:
    sit = situation(hook_input, config)
    if not sit.breast_cancer:
        return []
    findings = []
    for rule in course_table().prophylaxis:
        drafted = next((d for d in sit.selected if d.drug == rule.drug), None)
        if drafted is None or not _first_order(sit, rule.drug):
            continue
        mg = _mg(drafted.order)
        if mg is None or mg < rule.full_dose_mg:
            continue  # an escalation dose, or a dose we cannot read: not this rule's to judge
        if _on_file(sit, rule.prophylaxis_class)[0]:
            continue
        findings.append(_prophylaxis_finding(sit, rule, drafted, mg))
    return findings


def _prophylaxis_finding(sit: Situation, rule: Prophylaxis, drafted: Drafted, mg: float) -> Finding:
    name = drug_name(rule.drug, sit.catalog)
    order = rule.suggest
    remedy = drug_name(order.drug, sit.catalog)
    resource = medication_request(
        patient_id=sit.hook_input.patient_id,
        rxnorm_code=rxnorm_code(order.drug),
        drug_display=remedy,
        dose_mg=order.dose_mg,
        interval_days=1,
        frequency=order.times_per_day,
        route="oral",
        instruction=order.instruction,
        course_days=order.course_days,
    )
    return Finding(
        rule=SUPPORTIVE_CARE,
        indicator=Indicator.WARNING,
        summary=fit(
            f"{name.capitalize()} {mg:g} mg from the first dose needs {remedy} prophylaxis; none "
            "is drafted or active",
            f"{name.capitalize()} {mg:g} mg: add {remedy} prophylaxis from the first dose",
        ),
        reasoning=(
            f"A first {name} order at the full dose ({mg:g} mg) is drafted: no course of {name} "
            f"is under way, and no antidiarrhoeal ({remedy}) is drafted or active.",
            rule.statement,
            f"Either add {remedy} from the first dose, or start with the escalation "
            f"({rule.escalation_text()}).",
        ),
        citations=cite_all(rule.sources, rule=SUPPORTIVE_CARE, topic=CARE_TOPIC),
        data_used=(*sit.receptor_evidence(), _drafted_evidence(sit, drafted, mg)),
        suggestions=(
            Suggestion(
                label=f"Add {remedy} {order.dose_mg:g} mg prophylaxis",
                actions=(create(resource, f"Add {order.instruction}"),),
                is_recommended=True,
            ),
        ),
        override_reasons=override_reasons("regimen"),
        safety=True,
        dedup_key=f"{SUPPORTIVE_CARE}:{rule.id}",
    )
