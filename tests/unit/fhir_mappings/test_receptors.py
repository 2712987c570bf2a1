"""ER/PR by ASCO/CAP 2020 (§4.4) and HR-positive = ER+ or PR+."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import HormoneReceptors, ReceptorCall, build_patient_facts
from tests.unit.fhir_mappings.builders import LOINC, NOW, SNOMED, answer, at, observation, qty

POS, LOW, NEG, UNK = (
    ReceptorCall.POSITIVE,
    ReceptorCall.LOW_POSITIVE,
    ReceptorCall.NEGATIVE,
    ReceptorCall.UNKNOWN,
)


def receptors(*resources: dict[str, Any]) -> HormoneReceptors:
    return build_patient_facts(list(resources), now=NOW).hormone_receptors


@pytest.mark.parametrize(
    ("percent", "call"),
    [(0.0, NEG), (0.9, NEG), (1.0, LOW), (5.0, LOW), (10.0, LOW), (10.1, POS), (85.0, POS)],
)
@pytest.mark.parametrize(
    ("code", "receptor"),
    [("85329-1", "er"), ("14228-1", "er"), ("85325-9", "pr"), ("14230-7", "pr")],
)
def test_percent_thresholds(percent: float, call: ReceptorCall, code: str, receptor: str) -> None:
    status = getattr(receptors(observation(code, valueQuantity=qty(percent, "%"))), receptor)
    assert (status.call, status.percent) == (call, percent)
    assert status.evidence[0].value == f"{percent:g} %"


@pytest.mark.parametrize(
    ("value", "call"),
    [
        (answer("LA6576-8"), POS),
        (answer("LA6577-6"), NEG),
        (answer("10828004", SNOMED), POS),
        (answer("260385009", SNOMED), NEG),
        ({"valueString": "Low positive (5%)"}, LOW),
        ({"valueString": "positive"}, POS),
    ],
)
@pytest.mark.parametrize("code", ["16112-5", "85337-4", "40556-3"])
def test_er_interpretation(value: dict[str, Any], call: ReceptorCall, code: str) -> None:
    assert receptors(observation(code, **value)).er.call is call


@pytest.mark.parametrize("code", ["16113-3", "85339-0", "40557-1"])
def test_pr_interpretation(code: str) -> None:
    assert receptors(observation(code, **answer("LA6576-8"))).pr.call is POS


def test_newest_result_wins() -> None:
    result = receptors(
        observation("85337-4", when="2019-01-01", **answer("LA6576-8")),
        observation("85329-1", when="2025-01-01", valueQuantity=qty(0.0, "%")),
    )
    assert result.er.call is NEG
    assert result.er.when == at("2025-01-01")


@pytest.mark.parametrize(
    ("er", "pr", "hr"),
    [(POS, NEG, True), (NEG, LOW, True), (NEG, NEG, False), (UNK, NEG, None), (UNK, UNK, None)],
)
def test_hr_positive_is_er_or_pr_positive(
    er: ReceptorCall, pr: ReceptorCall, hr: bool | None
) -> None:
    answers = {POS: "LA6576-8", NEG: "LA6577-6"}
    resources = []
    if er in answers:
        resources.append(observation("85337-4", **answer(answers[er])))
    if pr in answers:
        resources.append(observation("85339-0", **answer(answers[pr])))
    if pr is LOW:
        resources.append(observation("85325-9", valueQuantity=qty(4.0, "%")))
    assert receptors(*resources).hr_positive is hr


def test_combined_receptor_negative_is_used_only_when_neither_is_known() -> None:
    combined = observation("10480-2", **answer("260385009", SNOMED))
    alone = receptors(combined)
    assert (alone.er.call, alone.pr.call, alone.hr_positive) == (NEG, NEG, False)
    with_er = receptors(combined, observation("85337-4", **answer("LA6576-8")))
    assert (with_er.er.call, with_er.pr.call) == (POS, UNK)
    assert receptors(observation("10480-2", **answer("10828004", SNOMED))).hr_positive is None


def test_synthea_loinc_417181009_bug_does_not_crash() -> None:
    # §0.1 #6: a SNOMED-style id under the LOINC system in real Synthea output.
    bug = observation("417181009", system=LOINC, **answer("260385009", SNOMED))
    facts = build_patient_facts([bug], now=NOW)
    assert facts.hormone_receptors.er.call is UNK
    assert facts.data_quality == ()


def test_percent_in_an_unknown_unit_is_skipped_with_a_note() -> None:
    facts = build_patient_facts([observation("85329-1", valueQuantity=qty(3.0, "mg"))], now=NOW)
    assert facts.hormone_receptors.er.call is UNK
    assert any("85329-1" in n.message for n in facts.data_quality)
