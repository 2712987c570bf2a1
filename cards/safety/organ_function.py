"""Organ function before a dose: the labels' liver, blood-count and renal criteria for the drug
being ordered (T-DM1, T-DXd, capecitabine, tucatinib, neratinib, lapatinib).

On order-select and order-sign, for each selected draft of a drug in `safety_labs.json`:
- the most severe label criterion the recent results meet becomes one card (critical for a
  verified or corroborated hold / discontinuation / contraindication, with the draft to remove;
  warning for a starting-dose reduction, an unverified row, or an eGFR standing in for the
  Cockcroft-Gault clearance), showing each value with its date and the ULN used;
- a result the label asks for that is missing or older than the drug's window becomes a warning
  naming it with its last date, and offering the laboratory order (never read as normal);
- no labs at all, because the EHR could not be asked, becomes the usual data-gap warning.
Thresholds, windows, sources and order codes live in `cards/data/safety_labs.json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.detail import check_locally
from cards.drafts import order_drug
from cards.findings import Citation, Finding, Indicator, Suggestion
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, fit_names, interval
from cards.phrasing import format_date as date
from cards.regimens.renal_start import at_or_below_renal_start, renal_example
from cards.regimens.situation import Situation, situation
from cards.safety.drugs import drug_name, drug_names
from cards.safety.gaps import gap_finding
from cards.safety.lab_table import (
    WITHHOLDING,
    Criterion,
    LabDrug,
    criteria_for,
    lab_drugs,
    load_lab_tables,
)
from cards.safety.lab_values import LabView, Measured, Stale, analyte_name
from cards.safety.suggested_orders import remove_drafts_suggestions, test_suggestion
from cards.safety.triggers import order_evidence
from cards.sources import cite
from fhir_mappings import DraftOrder, Evidence

RULE = "organ-function"
TOPIC = "Organ function before a dose"
GAP_KEY = "labs"
_ACTION_WORDS = {
    "discontinue": "discontinued",
    "contraindicated": "avoided",
    "withhold-reduce": "withheld",
    "withhold": "withheld",
    "reduce-start": "started at a reduced dose",
}


def _drafted(hook_input: HookInput) -> list[tuple[LabDrug, list[DraftOrder]]]:
    table = lab_drugs()
    breast = hook_input.facts.disease.breast_cancer
    by_drug: dict[str, list[DraftOrder]] = {}
    for order in hook_input.selected_orders:
        drug = order_drug(order)
        if drug is not None and drug in table and (breast or not table[drug].breast_cancer_only):
            by_drug.setdefault(drug, []).append(order)
    return [(table[d], orders) for d, orders in by_drug.items()]


def organ_function_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    load_lab_tables()  # cached; checked on the start-up warm-up call, not at the first order
    drafted = _drafted(hook_input)
    if not drafted:
        return ()
    gap = hook_input.gap(GAP_KEY)
    if gap is not None:
        drugs = [d.id for d, _ in drafted]
        return (
            gap_finding(
                RULE,
                gap,
                what="Liver, kidney and blood count results",
                advice=lambda short: f"check them before {drug_names(drugs, short=short)}",
                consequence=(
                    f"The label's laboratory criteria could not be checked for {drug_names(drugs)}."
                ),
                citation=cite(drafted[0][0].source, RULE, TOPIC),
                dedup_key=f"{RULE}:gap",
            ),
        )
    found: list[Finding] = []
    for drug, orders in drafted:
        view = LabView(hook_input.facts, config, drug)
        verdict = _criterion_finding(hook_input, config, view, drug, orders)
        if verdict is not None:
            found.append(verdict)
        missing = _missing_finding(hook_input, view, drug, orders)
        if missing is not None:
            found.append(missing)
        hepatic = _hepatic_finding(hook_input, drug, orders)
        if hepatic is not None:
            found.append(hepatic)
    return tuple(found)


def _setting(hook_input: HookInput) -> str:
    return "metastatic" if hook_input.facts.disease.metastatic else "early"


def _met(view: LabView, criterion: Criterion) -> tuple[Measured, ...] | None:
    measured: list[Measured] = []
    for bound in criterion.when:
        value = view.measure(bound.measure)
        if value is None or not bound.holds(value.value):
            return None
        measured.append(value)
    return tuple(measured)


def _criterion_finding(
    hook_input: HookInput,
    config: CardsConfig,
    view: LabView,
    drug: LabDrug,
    orders: Sequence[DraftOrder],
) -> Finding | None:
    setting = _setting(hook_input)
    sit = situation(hook_input, config)
    met = [
        (c, m)
        for c in criteria_for(drug.id, setting)
        if (m := _met(view, c)) is not None and not _already_reduced(sit, c, orders)
    ]
    if not met:
        return None
    lead, measured = met[0]
    substitute = any(m.substitute for m in measured)
    indicator = Indicator.WARNING if substitute else lead.indicator
    withholding = indicator is Indicator.CRITICAL and lead.action in WITHHOLDING
    when = max((m.when for m in measured if m.when is not None), default=None)
    values = " with ".join(m.short for m in measured)
    return Finding(
        rule=RULE,
        indicator=indicator,
        summary=fit_names(
            lambda short: (
                f"{_verb(lead, indicator, drug_name(drug.id, short=short >= 1))}: "
                f"{values} on {date(when)}"
            )
        ),
        reasoning=_with_example(
            _reasons(lead, measured, met[1:], drug, setting, substitute, view.window),
            _example(sit, lead),
        ),
        citations=_citations(lead, drug),
        data_used=tuple(dict.fromkeys(e for m in measured for e in m.evidence))
        + order_evidence(orders),
        suggestions=remove_drafts_suggestions(hook_input, [drug.id]) if withholding else (),
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=f"{RULE}:{drug.id}",
        withholds=frozenset({drug.id}) if withholding else frozenset(),
        extra={"criterion": lead.id},
    )


def _already_reduced(sit: Situation, criterion: Criterion, orders: Sequence[DraftOrder]) -> bool:
    """A renal starting-dose row the drafted dose already follows: no card (the dose check
    expects the same reduced dose)."""
    drug = sit.catalog.drug(criterion.drug)
    if criterion.dose_fraction is None or drug is None:
        return False
    return at_or_below_renal_start(sit, drug, tuple(orders), criterion.dose_fraction)


def _example(sit: Situation, lead: Criterion) -> tuple[str, ...]:
    """The reduced dose for the regimen drafted, in mg/m² and mg."""
    drug = sit.catalog.drug(lead.drug)
    if lead.dose_fraction is None or drug is None:
        return ()
    example = renal_example(sit, drug, lead.dose_fraction)
    return (example,) if example else ()


def _with_example(reasons: tuple[str, ...], example: tuple[str, ...]) -> tuple[str, ...]:
    """The regimen's reduced dose right after the label criterion it applies."""
    return reasons[:1] + example + reasons[1:]


def _verb(lead: Criterion, indicator: Indicator, name: str) -> str:
    if lead.action == "reduce-start":
        return f"Reduce the {name} starting dose"
    if indicator is Indicator.WARNING:
        return f"{capitalized(name)} may need to be {_ACTION_WORDS[lead.action]}"
    if lead.action == "discontinue":
        return f"Discontinue {name}"
    if lead.action == "contraindicated":
        return f"{capitalized(name)} is contraindicated"
    return f"Do not give {name} now"


def _reasons(
    lead: Criterion,
    measured: Sequence[Measured],
    others: Sequence[tuple[Criterion, tuple[Measured, ...]]],
    drug: LabDrug,
    setting: str,
    substitute: bool,
    window: float,
) -> tuple[str, ...]:
    scope = "" if lead.setting == "any" else f" ({setting} breast cancer)"
    paragraphs = [
        f"Label criterion{scope}: {lead.grade}. {lead.instruction}"
        + check_locally(lead.verification),
        "Values used: " + "; ".join(m.detail for m in measured) + ".",
    ]
    if others:
        paragraphs.append(
            "Also met: " + "; ".join(f"{c.grade} ({c.instruction})" for c, _ in others)
        )
    if substitute:
        paragraphs.append(
            "Only an eGFR was at hand, so this is a warning: compute the Cockcroft-Gault "
            "creatinine clearance before deciding."
        )
    paragraphs.append(
        f"{drug.monitoring} Values older than {interval(window)} are not used as current."
    )
    return tuple(paragraphs)


def _citations(lead: Criterion, drug: LabDrug) -> tuple[Citation, ...]:
    return tuple(dict.fromkeys((cite(lead.source, RULE, TOPIC), cite(drug.source, RULE, TOPIC))))


def _missing_finding(
    hook_input: HookInput, view: LabView, drug: LabDrug, orders: Sequence[DraftOrder]
) -> Finding | None:
    stale: list[Stale] = []
    suggestions: list[Suggestion] = []
    for panel in drug.panels:
        lacking = [s for a in panel.analytes if (s := view.stale(a)) is not None]
        lacking = [s for s in lacking if s.analyte not in {x.analyte for x in stale}]
        if lacking:
            stale.extend(lacking)
            suggestions.append(
                test_suggestion(
                    hook_input.patient_id,
                    panel.order,
                    label=panel.order_label,
                    reason=f"{capitalized(panel.words)} before {drug_name(drug.id)}",
                    recommended=not suggestions,  # one recommended suggestion per card
                )
            )
    if not stale:
        return None
    names = _names([s.analyte for s in stale])
    window = interval(view.window)
    last = [s.last for s in stale if s.last is not None and s.last.when is not None]
    newest = max((r.when for r in last if r.when is not None), default=None)
    evidence: tuple[Evidence, ...] = tuple(r.evidence for r in last) + order_evidence(orders)
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=fit_names(lambda short: _missing_summary(names, drug.id, window, newest, short)),
        reasoning=(
            f"Before {drug_name(drug.id)}: "
            + "; ".join(f"{analyte_name(s.analyte)} {s.why}" for s in stale)
            + ". Missing or old results are not taken as normal.",
            f"{drug.monitoring} This service takes a result older than {window} as not recent.",
        ),
        citations=(cite(drug.source, RULE, TOPIC),),
        data_used=evidence,
        missing_data=tuple(f"{capitalized(analyte_name(s.analyte))}: {s.why}" for s in stale),
        suggestions=tuple(suggestions),
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=f"{RULE}-data:{drug.id}",
        extra={"state": "missing" if not last else "not-recent"},
    )


def _names(analytes: Sequence[str]) -> str:
    names = [analyte_name(a) for a in dict.fromkeys(analytes)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _missing_summary(names: str, drug: str, window: str, newest: object, short: int) -> str:
    name = drug_name(drug, short=short >= 1)
    if newest is None:
        return f"No {names} on file before {name}: check before this dose"
    text = f"No {names} within {window} before {name}: check before this dose"
    return text if short < 2 else f"Liver, kidney or blood tests not recent before {name}"


def _hepatic_finding(
    hook_input: HookInput, drug: LabDrug, orders: Sequence[DraftOrder]
) -> Finding | None:
    """The label's severe (Child-Pugh C) hepatic impairment dose: on a recorded class C; and
    when liver disease is on file without a class, the assessment to make (never a guess)."""
    if drug.hepatic is None:
        return None
    labs = hook_input.facts.labs
    grade = labs.child_pugh
    if grade is not None and grade.child_class != "C":
        return None  # Child-Pugh A or B: the label does not change the dose
    if grade is None and not labs.liver_disease:
        return None
    name = drug_name(drug.id)
    dose = drug.hepatic.dose
    if grade is not None:
        summary = fit_names(
            lambda short: (
                f"Severe hepatic impairment (Child-Pugh C, {date(grade.when)}): "
                f"label dose of {drug_name(drug.id, short=short >= 1)} is {dose}"
                if short < 2
                else f"Child-Pugh C on {date(grade.when)}: {drug_name(drug.id, short=True)} "
                f"label dose is {dose}"
            )
        )
        said = f"Child-Pugh class C is recorded on {date(grade.when)}."
        evidence: tuple[Evidence, ...] = (grade.evidence,)
        missing: tuple[str, ...] = ()
    else:
        summary = fit_names(
            lambda short: (
                f"Liver disease on file, no Child-Pugh class: assess it before "
                f"{drug_name(drug.id, short=short >= 1)} (dose differs in class C)"
            )
        )
        said = (
            "Liver disease is on file but no Child-Pugh class: the service does not guess it "
            "(ascites and encephalopathy are not in the record). Assess it before this order."
        )
        evidence = labs.liver_disease[:3]
        missing = ("Child-Pugh class: not recorded",)
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=summary,
        reasoning=(
            said,
            f"The {name} label reduces the dose in severe (Child-Pugh C) hepatic impairment to "
            f"{dose}; no change for Child-Pugh A or B." + check_locally(drug.hepatic.verification),
        ),
        citations=(cite(drug.hepatic.source, RULE, TOPIC),),
        data_used=evidence + order_evidence(orders),
        missing_data=missing,
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=f"{RULE}-hepatic:{drug.id}",
        extra={"state": "child-pugh-c" if grade is not None else "class-missing"},
    )
