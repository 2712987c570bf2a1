"""C5: pregnancy and HER2-directed therapy.

Trastuzumab, pertuzumab, Phesgo, Herceptin Hylecta, margetuximab and T-DXd carry boxed
embryo-fetal toxicity warnings, and the labels ask to verify the pregnancy status of
females of reproductive potential before starting. A current pregnancy (recent condition,
positive hCG or status) is critical at every order. A woman of reproductive potential
without a recent negative test or status gets a warning with an hCG test to order before the
first dose of a HER2-directed drug or a restart after a long gap (`cards/safety/line_start.py`),
not at later cycles unless a pregnancy record needs review. Men, and women outside
the reproductive window, get no pregnancy card; a patient whose sex the record does not give as
female or male is asked about like a woman, and the card says the sex is not recorded. Every
card gives the contraception duration after the last dose of each drafted drug, and cites the
ordered drug's own embryo-fetal warning first.

On patient-view the critical card also appears for the HER2 drugs she is on: a recorded
pregnancy during treatment must not wait for the next order. Asking to verify the status
is left to the order hooks, where it is checked before a HER2-directed drug starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cards.detail import check_locally
from cards.findings import Finding, Indicator, Suggestion
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig, override_reasons
from cards.phrasing import capitalized, days_between, fit_names
from cards.phrasing import format_date as date
from cards.safety.drugs import HER2_DIRECTED, SafetyDrug, drug_names, safety_drug
from cards.safety.gaps import gap_finding
from cards.safety.line_start import all_under_way
from cards.safety.suggested_orders import remove_drafts_suggestions, test_suggestion
from cards.safety.triggers import drugs_in_play
from cards.sources import cite
from fhir_mappings import Evidence, PatientFacts, PregnancyState, Sex

RULE = "C5"
TOPIC = "Pregnancy and embryo-fetal toxicity"
WINDOW_KEY = "pregnancy_status_window_days"
MAX_AGE_KEY = "pregnancy_evidence_max_age_days"
_PREGNANCY_CONCEPTS = frozenset(
    {"pregnancy-status", "hcg-qualitative", "hcg-quantitative", "pregnancy"}
)


def contraception_lines(drugs: Sequence[SafetyDrug], sex: Sex) -> tuple[str, ...]:
    lines: list[str] = []
    for drug in drugs:
        c = drug.contraception
        duration = c.male if sex is Sex.MALE else c.female
        if duration is None:
            continue
        mark = check_locally(c.verification)
        lines.append(
            f"- {drug.display}: effective contraception during treatment and for "
            f"{duration} after the last dose{mark}"
        )
    return tuple(lines)


def _sources(drugs: Sequence[SafetyDrug]) -> list[str]:
    """Each drug's embryo-fetal warning (the ordered drug's label first), each drug's
    contraception source, and pertuzumab's label (verify pregnancy status, MotHER)."""
    ids = [
        *(d.embryo_fetal_source for d in drugs),
        *(d.contraception.source for d in drugs),
        "perjeta-label",
    ]
    return list(dict.fromkeys(ids))


def _needs_status(facts: PatientFacts) -> bool:
    """A woman of reproductive potential, or a patient who may be one: a woman whose age is not
    known, or a patient whose sex the record does not give as female or male."""
    demographics = facts.demographics
    if demographics.reproductive_potential is not None:
        return demographics.reproductive_potential
    return demographics.sex is not Sex.MALE


def _unknowns_note(facts: PatientFacts) -> str:
    """What the record does not say about sex and age, in the card's words."""
    demographics = facts.demographics
    age_unknown = demographics.reproductive_potential is None
    if demographics.sex is Sex.FEMALE:
        return " Her age is not on file." if age_unknown else ""
    sex = "The record does not give the patient's sex as female or male"
    if age_unknown:
        return f" {sex}, and the patient's age is not on file."
    return f" {sex}."


def _pregnancy_record_to_review(facts: PatientFacts) -> bool:
    """A pregnancy record that is not a clean negative: an outdated pregnancy, or one set
    aside (dated after the request). Shown at every order, not only at a start."""
    if facts.pregnancy.state is PregnancyState.PREGNANT:
        return True
    return any(_PREGNANCY_CONCEPTS & r.concepts for r in facts.set_aside)


def _pregnant(
    hook_input: HookInput, shown: Sequence[Evidence], drugs: Sequence[SafetyDrug]
) -> Finding:
    facts = hook_input.facts
    status = facts.pregnancy
    ids = [d.id for d in drugs]
    names = drug_names(ids)
    when = date(status.last_checked)
    lines = contraception_lines(drugs, Sex.FEMALE)
    reasoning = [
        f"A current pregnancy is on file (most recent record {when}). "
        f"{capitalized(names)} can cause embryo-fetal harm when given during pregnancy "
        "(boxed embryo-fetal toxicity warning).",
        "Confirm the pregnancy status before any dose. If HER2 therapy is given during "
        "pregnancy, or a pregnancy occurs within the contraception window, report the "
        "exposure (MotHER pregnancy registry for pertuzumab and trastuzumab).",
    ]
    if lines:
        reasoning.append("Contraception after the last dose:\n\n" + "\n".join(lines))

    def summary(short: int) -> str:
        names = drug_names(ids, short=short)
        if hook_input.hook is Hook.PATIENT_VIEW:
            return f"Pregnancy on file ({when}) while on {names}: embryo-fetal harm (boxed warning)"
        return f"Pregnancy on file ({when}): {names} can cause embryo-fetal harm (boxed warning)"

    return Finding(
        rule=RULE,
        indicator=Indicator.CRITICAL,
        summary=fit_names(summary),
        reasoning=tuple(reasoning),
        citations=tuple(cite(s, RULE, TOPIC) for s in _sources(drugs)),
        data_used=(*status.evidence, *shown),
        suggestions=remove_drafts_suggestions(hook_input, ids),
        selection_behavior="any",
        override_reasons=override_reasons("contraindication"),
        safety=True,
        dedup_key=RULE,
        withholds=frozenset(ids),  # boxed embryo-fetal toxicity: no dose advice next to it
        extra={"state": "pregnant"},
    )


def _hcg_suggestions(patient_id: str, names: str) -> tuple[Suggestion, ...]:
    reason = f"Verify pregnancy status before {names}"
    return (
        test_suggestion(patient_id, "hcg_serum", label="Order a serum hCG test", reason=reason),
        test_suggestion(
            patient_id,
            "hcg_urine",
            label="Order a urine hCG test",
            reason=reason,
            recommended=False,
        ),
    )


def _verify(
    hook_input: HookInput,
    shown: Sequence[Evidence],
    drugs: Sequence[SafetyDrug],
    config: CardsConfig,
    outdated_pregnancy: bool,
) -> Finding:
    facts = hook_input.facts
    status = facts.pregnancy
    ids = [d.id for d in drugs]
    names = drug_names(ids)
    window = config.threshold(WINDOW_KEY)
    if status.last_checked is None:
        missing = "No pregnancy test or pregnancy status on file"
        if status.evidence:
            missing = "Pregnancy status on file is undated"
        state = "no pregnancy status on file"
    else:
        age = days_between(status.last_checked, facts.as_of)
        kind = "pregnancy record" if outdated_pregnancy else "pregnancy status"
        missing = f"Last {kind} on {date(status.last_checked)}, {age} days ago"
        state = f"last status {date(status.last_checked)}, {age} days ago"
    age_note = _unknowns_note(facts)
    lines = contraception_lines(drugs, Sex.FEMALE)
    reasoning = [
        f"{capitalized(names)} can cause embryo-fetal harm. The labels ask to verify "
        "the pregnancy status of females of reproductive potential before starting; this "
        f"service asks, before the first dose, for a negative test or status within "
        f"{round(window)} days.{age_note}",
    ]
    if outdated_pregnancy:
        reasoning.append(
            "A pregnancy is on file, but it is undated or too old to describe a current "
            "pregnancy; it is shown for review."
        )
    if lines:
        reasoning.append("Contraception after the last dose:\n\n" + "\n".join(lines))
    return Finding(
        rule=RULE,
        indicator=Indicator.WARNING,
        summary=fit_names(
            lambda short: f"Verify pregnancy status before {drug_names(ids, short=short)}: {state}"
        ),
        reasoning=tuple(reasoning),
        citations=tuple(cite(s, RULE, TOPIC) for s in _sources(drugs)),
        data_used=(*status.evidence, *shown),
        missing_data=(missing,),
        suggestions=_hcg_suggestions(hook_input.patient_id, names),
        selection_behavior="at-most-one",
        override_reasons=override_reasons("monitoring"),
        safety=True,
        dedup_key=RULE,
        extra={"state": "verify"},
    )


def pregnancy_findings(hook_input: HookInput, config: CardsConfig) -> Iterable[Finding]:
    ids, shown = drugs_in_play(hook_input, config, HER2_DIRECTED)
    drugs = tuple(d for d in map(safety_drug, ids) if d is not None)
    if not drugs:
        return ()
    facts = hook_input.facts
    sex = facts.demographics.sex
    if sex is Sex.MALE:
        return ()
    if hook_input.hook is Hook.PATIENT_VIEW:
        return _current_pregnancy(hook_input, shown, drugs, config)
    patient_gap = hook_input.gap("patient")
    if sex is not Sex.FEMALE and patient_gap is not None:
        return (
            gap_finding(
                RULE,
                patient_gap,
                what="Patient demographics",
                advice=lambda short: (
                    f"verify pregnancy status before {drug_names(ids, short=short)} if of "
                    "reproductive potential"
                ),
                consequence="Sex and age, and so the need for a pregnancy test, are unknown.",
                citation=cite(drugs[0].embryo_fetal_source, RULE, TOPIC),
                dedup_key=RULE,
            ),
        )
    pregnant = _current_pregnancy(hook_input, shown, drugs, config)
    if pregnant:
        return pregnant
    if not _needs_status(facts):
        return ()
    if all_under_way(facts, config, ids) and not _pregnancy_record_to_review(facts):
        return ()  # the labels ask to verify before starting; later cycles are not a start
    gap = hook_input.gap("pregnancy")
    if gap is not None:
        return (
            gap_finding(
                RULE,
                gap,
                what="Pregnancy status",
                advice=lambda short: (
                    f"verify pregnancy status before {drug_names(ids, short=short)}"
                ),
                consequence="A pregnancy or a recent negative hCG could not be checked.",
                citation=cite(drugs[0].embryo_fetal_source, RULE, TOPIC),
                dedup_key=RULE,
            ),
        )
    status = facts.pregnancy
    window = config.threshold(WINDOW_KEY)
    if (
        status.state is PregnancyState.NOT_PREGNANT
        and status.last_checked is not None
        and days_between(status.last_checked, facts.as_of) <= window
    ):
        return ()
    outdated = status.state is PregnancyState.PREGNANT
    return (_verify(hook_input, shown, drugs, config, outdated),)


def _current_pregnancy(
    hook_input: HookInput,
    shown: Sequence[Evidence],
    drugs: Sequence[SafetyDrug],
    config: CardsConfig,
) -> tuple[Finding, ...]:
    """The critical card when a woman has a pregnancy on file recent enough to be current."""
    facts = hook_input.facts
    status = facts.pregnancy
    recent = status.last_checked is not None and days_between(
        status.last_checked, facts.as_of
    ) <= config.threshold(MAX_AGE_KEY)
    if facts.demographics.sex is Sex.FEMALE and status.state is PregnancyState.PREGNANT and recent:
        return (_pregnant(hook_input, shown, drugs),)
    return ()
