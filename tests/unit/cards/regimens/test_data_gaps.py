"""Data the service could not obtain is said, never read as "nothing on file"."""

from __future__ import annotations

from cards import CardsConfig, Hook, HookInput
from cards.findings import Indicator
from cards.hook_input import DataGap
from cards.rules import rules_of
from tests.unit.cards.regimens.support import (
    DOCETAXEL,
    PERTUZUMAB,
    T_DXD,
    TRASTUZUMAB,
    body,
    early_stage,
    her2_mbc,
    metastatic,
    order,
    rendered,
)

RULES = rules_of("regimens")

TIMEOUT = "the FHIR server timed out"


def _run(facts, *orders, gaps, hook=Hook.ORDER_SELECT):
    hook_input = HookInput(hook, "pat-1", facts, orders, gaps=tuple(gaps))
    found = []
    for rule in RULES:
        if hook in rule.hooks:
            found.extend(rule.run(hook_input, CardsConfig()))
    rendered(found, hook)
    return found


ADMINISTRATIONS = DataGap("medicationAdministrations", "medication administrations", TIMEOUT)


def test_without_the_medication_history_the_line_is_undetermined():
    found = _run(her2_mbc(), order(TRASTUZUMAB, 560), order(DOCETAXEL, 134), gaps=[ADMINISTRATIONS])
    rules = {f.rule for f in found}
    assert "C12-first-line" not in rules
    [line] = [f for f in found if f.rule == "C12-line-undetermined"]
    assert line.indicator is Indicator.WARNING
    assert (
        "Medication administrations could not be obtained (the FHIR server timed out)"
        in line.missing_data
    )


def test_without_the_medication_history_a_maintenance_dose_is_not_called_a_first_dose():
    found = _run(her2_mbc(), order(TRASTUZUMAB, 420), gaps=[ADMINISTRATIONS])
    [dose] = [f for f in found if f.rule in {"C11", "dose-check"}]
    assert dose.rule == "C11"
    assert dose.summary.startswith("Last trastuzumab dose date not on file")
    assert "could not be obtained" in " ".join(dose.reasoning)


def test_patient_view_without_the_medication_history():
    [finding] = _run(her2_mbc(), gaps=[ADMINISTRATIONS], hook=Hook.PATIENT_VIEW)
    assert finding.rule == "C12-line-undetermined"


def test_weight_that_could_not_be_obtained_is_said_so():
    gap = DataGap("bodySize", "weight and height observations", TIMEOUT)
    found = _run(
        her2_mbc(body=body(None, None)),
        order(TRASTUZUMAB, 560),
        order(PERTUZUMAB, 840),
        order(DOCETAXEL, 134),
        gaps=[gap],
    )
    [weight] = [f for f in found if f.rule == "C10"]
    assert weight.summary.startswith("Weight could not be obtained from the EHR")
    assert any(
        "could not be obtained (the FHIR server timed out)" in m for m in weight.missing_data
    )


def test_without_conditions_the_dose_check_says_it_did_not_run():
    gap = DataGap("conditions", "conditions", TIMEOUT)
    facts = her2_mbc(disease=early_stage(breast=False))
    [finding] = _run(facts, order(T_DXD, 448), gaps=[gap])
    assert finding.indicator is Indicator.WARNING and finding.safety
    assert finding.summary.startswith("Diagnoses could not be obtained: T-DXd dose not checked")
    assert _run(facts, order(T_DXD, 448), gaps=[]) == []


def test_a_known_breast_cancer_is_checked_even_with_a_conditions_gap():
    gap = DataGap("conditions", "conditions", TIMEOUT)
    found = _run(
        her2_mbc(disease=metastatic()), order(T_DXD, 448), order(PERTUZUMAB, 840), gaps=[gap]
    )
    assert [f.rule for f in found] == ["dose-check"]
    assert "gastric cancer dose" in found[0].summary
