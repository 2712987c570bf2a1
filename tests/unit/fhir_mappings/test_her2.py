"""HER2 status by ASCO/CAP 2018/2023 (docs/clinical-knowledge.md §4.1-§4.5)."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import (
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2TestKind,
    IhcScore,
    build_patient_facts,
)
from fhir_mappings.her2_ish import IshCutoffs, ish_cutoffs
from fhir_mappings.terminology import load_table
from tests.unit.fhir_mappings.builders import (
    LOINC,
    NOW,
    SNOMED,
    V3,
    answer,
    at,
    condition,
    observation,
    qty,
)

POS, NEG = Her2Call.POSITIVE, Her2Call.NEGATIVE
EQ, UNK = Her2Call.EQUIVOCAL_PENDING_ISH, Her2Call.UNKNOWN
LOW, ULTRALOW = Her2NegativeSubtype.LOW, Her2NegativeSubtype.ULTRALOW
ZERO, UNSPEC = Her2NegativeSubtype.ZERO, Her2NegativeSubtype.UNSPECIFIED

SCORE_ANSWERS = {"0": "LA6111-4", "1+": "LA11841-6", "2+": "LA11842-4", "3+": "LA11843-2"}


def her2(*resources: dict[str, Any]) -> Her2Assessment:
    return build_patient_facts(list(resources), now=NOW).her2


def ihc(
    score: str, when: str = "2026-01-10", code: str = "18474-7", **extra: Any
) -> dict[str, Any]:
    return observation(code, when=when, **answer(SCORE_ANSWERS[score]), **extra)


def ish(
    ratio: float | None, copies: float | None, when: str = "2026-01-10", **extra: Any
) -> list[dict[str, Any]]:
    found = []
    if ratio is not None:
        found.append(
            observation("49683-6", when=when, valueQuantity=qty(ratio, "{ratio}"), **extra)
        )
    if copies is not None:
        found.append(
            observation("74860-8", when=when, valueQuantity=qty(copies, "{#}/{nuclei}"), **extra)
        )
    return found


# --- IHC alone (§4.1) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "call", "subtype"),
    [("3+", POS, None), ("2+", EQ, None), ("1+", NEG, LOW), ("0", NEG, UNSPEC)],
)
@pytest.mark.parametrize("code", ["18474-7", "85319-2"])
def test_ihc_score_as_loinc_answer(
    score: str, call: Her2Call, subtype: Her2NegativeSubtype | None, code: str
) -> None:
    result = her2(ihc(score, code=code))
    assert (result.call, result.negative_subtype) == (call, subtype)
    assert result.results[0].kind is Her2TestKind.IHC
    assert result.results[0].ihc_score == IhcScore(score)
    assert result.as_of == at("2026-01-10")


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("3+", IhcScore.THREE),
        ("Score 2+ (equivocal)", IhcScore.TWO),
        ("1+ (HER2-low)", IhcScore.ONE),
        ("IHC 0", IhcScore.ZERO),
        ("0", IhcScore.ZERO),
    ],
)
def test_ihc_score_as_text(text: str, score: IhcScore) -> None:
    result = her2(observation("18474-7", valueString=text))
    assert result.results[0].ihc_score is score


def test_ihc_score_as_integer() -> None:
    assert her2(observation("18474-7", valueInteger=2)).results[0].ihc_score is IhcScore.TWO


def test_ihc_2_plus_alone_is_equivocal_pending_ish() -> None:
    result = her2(ihc("2+"))
    assert result.call is EQ
    assert "ISH required" in result.reasoning[-1]
    assert result.basis and result.basis[0].value == "2+"


@pytest.mark.parametrize(
    ("text", "staining", "subtype"),
    [
        ("0 with faint incomplete membrane staining in <=10% of cells", True, ULTRALOW),
        ("HER2-ultralow", True, ULTRALOW),
        ("0 (null): no staining observed", False, ZERO),
        ("0", None, UNSPEC),
    ],
)
def test_ihc_zero_membrane_staining_decides_ultralow_or_zero(
    text: str, staining: bool | None, subtype: Her2NegativeSubtype
) -> None:
    result = her2(observation("18474-7", valueString=text))
    assert result.results[0].ihc_score is IhcScore.ZERO
    assert result.results[0].membrane_staining is staining
    assert (result.call, result.negative_subtype) == (NEG, subtype)


def test_ihc_zero_staining_from_the_note() -> None:
    obs = ihc("0", note=[{"text": "faint incomplete membrane staining in 5% of tumour cells"}])
    assert her2(obs).negative_subtype is ULTRALOW


# --- dual-probe ISH groups x concomitant IHC (§4.2, §4.3) ---------------------------------

GROUPS = {1: (2.5, 5.0), 2: (2.2, 3.5), 3: (1.5, 6.5), 4: (1.6, 4.5), 5: (1.2, 2.5)}
EXPECTED: dict[tuple[int, str | None], tuple[Her2Call, Her2NegativeSubtype | None]] = {
    (1, "3+"): (POS, None), (1, "2+"): (POS, None), (1, "1+"): (POS, None), (1, "0"): (POS, None),
    (1, None): (POS, None),
    (2, "3+"): (POS, None), (2, "2+"): (NEG, LOW), (2, "1+"): (NEG, LOW), (2, "0"): (NEG, UNSPEC),
    (2, None): (UNK, None),
    (3, "3+"): (POS, None), (3, "2+"): (POS, None), (3, "1+"): (NEG, LOW), (3, "0"): (NEG, UNSPEC),
    (3, None): (UNK, None),
    (4, "3+"): (POS, None), (4, "2+"): (NEG, LOW), (4, "1+"): (NEG, LOW), (4, "0"): (NEG, UNSPEC),
    (4, None): (UNK, None),
    (5, "3+"): (POS, None), (5, "2+"): (NEG, LOW), (5, "1+"): (NEG, LOW), (5, "0"): (NEG, UNSPEC),
    (5, None): (NEG, UNSPEC),
}  # fmt: skip


@pytest.mark.parametrize(("group", "score"), list(EXPECTED))
def test_each_ish_group_with_each_ihc_score(group: int, score: str | None) -> None:
    ratio, copies = GROUPS[group]
    resources = ish(ratio, copies)
    if score is not None:
        resources.append(ihc(score))
    result = her2(*resources)
    assert (result.call, result.negative_subtype) == EXPECTED[(group, score)]
    ish_result = next(r for r in result.results if r.kind is Her2TestKind.ISH_DUAL_PROBE)
    assert ish_result.ish_group == group
    assert (ish_result.ish_ratio, ish_result.ish_copies_per_cell) == (ratio, copies)
    assert not result.discordant  # the ISH settles its own IHC: not a disagreement


def test_ish_groups_2_to_4_without_ihc_say_concomitant_ihc_is_needed() -> None:
    result = her2(*ish(1.6, 4.5))
    assert result.call is UNK
    assert any("concomitant IHC needed" in line for line in result.reasoning)


@pytest.mark.parametrize(
    ("ratio", "copies", "group"),
    [
        (2.0, 4.0, 1),
        (2.0, 3.99, 2),
        (1.99, 6.0, 3),
        (1.99, 5.99, 4),
        (1.99, 4.0, 4),
        (1.99, 3.99, 5),
    ],
)
def test_group_boundaries(ratio: float, copies: float, group: int) -> None:
    found = her2(*ish(ratio, copies)).results
    assert next(r.ish_group for r in found if r.kind is Her2TestKind.ISH_DUAL_PROBE) == group


def test_ratio_computed_from_her2_and_cep17_counts() -> None:
    resources = [
        observation("74860-8", valueQuantity=qty(5.0, None)),
        observation("74861-6", valueQuantity=qty(2.0, None)),
    ]
    result = her2(*resources)
    assert result.call is POS
    assert result.results[0].ish_ratio == pytest.approx(2.5)
    assert result.results[0].ish_group == 1


def test_ratio_as_fhir_ratio_value() -> None:
    ratio = observation(
        "49683-6", valueRatio={"numerator": {"value": 7.2}, "denominator": {"value": 4.0}}
    )
    copies = observation("74860-8", valueQuantity=qty(7.2, None))
    result = her2(ratio, copies)
    assert result.results[0].ish_ratio == pytest.approx(1.8)
    assert result.results[0].ish_group == 3


def test_ish_panel_components() -> None:
    panel = observation(
        "74885-5",
        component=[
            {
                "code": {"coding": [{"system": LOINC, "code": "49683-6"}]},
                "valueQuantity": {"value": 1.3},
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "74860-8"}]},
                "valueQuantity": {"value": 2.6},
            },
        ],
    )
    result = her2(panel, ihc("2+"))
    assert result.results[0].ish_group == 5 or result.results[1].ish_group == 5
    assert (result.call, result.negative_subtype) == (NEG, LOW)


def test_same_specimen_ihc_beats_a_closer_ihc_from_another_specimen() -> None:
    specimen = {"specimen": {"reference": "Specimen/core-1"}}
    other = {"specimen": {"reference": "Specimen/excision-2"}}
    resources = [
        *ish(1.5, 6.5, when="2026-03-01", **specimen),  # group 3
        ihc("2+", when="2026-01-01", **specimen),
        ihc("1+", when="2026-03-01", **other),
    ]
    result = her2(*resources)
    ish_result = next(r for r in result.results if r.kind is Her2TestKind.ISH_DUAL_PROBE)
    assert ish_result.ihc_score is IhcScore.TWO
    assert ish_result.call is POS


def test_closest_ihc_in_time_when_no_specimen_is_given() -> None:
    resources = [
        *ish(1.5, 6.5, when="2026-03-01"),
        ihc("2+", when="2026-02-20"),
        ihc("1+", when="2025-12-01"),
    ]
    ish_result = next(r for r in her2(*resources).results if r.kind is Her2TestKind.ISH_DUAL_PROBE)
    assert ish_result.ihc_score is IhcScore.TWO


def test_ihc_outside_the_window_is_not_concomitant() -> None:
    resources = [*ish(1.5, 6.5, when="2026-03-01"), ihc("2+", when="2025-06-01")]
    result = her2(*resources)
    ish_result = next(r for r in result.results if r.kind is Her2TestKind.ISH_DUAL_PROBE)
    assert ish_result.call is UNK
    assert result.call is EQ  # the old 2+ was never resolved


# --- single-probe ISH (§4.2) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("copies", "score", "call", "subtype"),
    [
        (6.5, None, POS, None),
        (3.0, None, NEG, UNSPEC),
        (3.0, "2+", NEG, LOW),
        (5.0, "3+", POS, None),
        (5.0, "2+", EQ, None),
        (5.0, "1+", NEG, LOW),
        (5.0, None, UNK, None),
    ],
)
def test_single_probe_ish(
    copies: float, score: str | None, call: Her2Call, subtype: Her2NegativeSubtype | None
) -> None:
    resources = ish(None, copies)
    if score:
        resources.append(ihc(score))
    result = her2(*resources)
    assert (result.call, result.negative_subtype) == (call, subtype)
    single = next(r for r in result.results if r.kind is Her2TestKind.ISH_SINGLE_PROBE)
    assert single.ish_copies_per_cell == copies


# §4.2: the ratio alone fixes no group. IHC 3+ decides on its own; IHC 0/1+ with a ratio < 2.0 is
# negative whichever of groups 3/4/5 it is; anything else needs the average HER2 copy number.
RATIO_ONLY = [
    (2.3, None, UNK, None),
    (1.4, None, UNK, None),
    (2.3, "3+", POS, None),
    (1.4, "3+", POS, None),
    (1.4, "1+", NEG, LOW),
    (1.4, "0", NEG, UNSPEC),
    (1.99, "1+", NEG, LOW),
    (2.0, "1+", UNK, None),  # group 1 (positive) or 2 (negative): IHC 1+ must not decide
    (2.3, "0", UNK, None),
    (1.4, "2+", EQ, None),  # group 3 (positive) or 4/5 (negative): still equivocal
    (2.3, "2+", EQ, None),
]


@pytest.mark.parametrize(("ratio", "score", "call", "subtype"), RATIO_ONLY)
def test_ratio_without_copy_number_fixes_no_group(
    ratio: float, score: str | None, call: Her2Call, subtype: Her2NegativeSubtype | None
) -> None:
    resources = ish(ratio, None)
    if score:
        resources.append(ihc(score))
    result = her2(*resources)
    assert (result.call, result.negative_subtype) == (call, subtype)
    ish_result = next(r for r in result.results if r.kind is Her2TestKind.ISH_DUAL_PROBE)
    assert ish_result.ish_group is None
    assert ish_result.ish_ratio == ratio
    assert ish_result.call is (call if call in (POS, NEG) else UNK)
    if call in (UNK, EQ):
        assert any("average HER2 copy number needed" in line for line in result.reasoning)
    assert not any("read as group" in line for line in result.reasoning)


def test_ratio_only_with_ihc_1_plus_and_ratio_above_2_is_not_called_negative() -> None:
    result = her2(ihc("1+"), *ish(2.6, None))
    assert result.call is UNK
    assert result.negative_subtype is None
    assert result.reasoning[-1].startswith("final call: unknown")


def test_ish_cut_offs_are_data_with_their_source_and_mark() -> None:
    table = load_table("her2_ish")["cutoffs"]
    assert {k: v["value"] for k, v in table.items()} == {
        "dual_probe_ratio": 2.0,
        "dual_probe_copies_low": 4.0,
        "dual_probe_copies_high": 6.0,
        "single_probe_copies_negative_below": 4.0,
        "single_probe_copies_positive_at": 6.0,
    }
    assert all(
        "§4.2 [G3]" in v["source"] and v["verification"] == "verified" for v in table.values()
    )
    assert ish_cutoffs() == IshCutoffs(2.0, 4.0, 6.0, 4.0, 6.0)


def test_ratio_and_copy_number_still_give_the_group() -> None:
    result = her2(ihc("1+"), *ish(2.6, 4.5))
    assert result.call is POS
    assert next(r for r in result.results if r.ish_group is not None).ish_group == 1


# --- interpretation-only results (§4.3, §5.2) ----------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "call", "subtype"),
    [
        ("48676-1", answer("LA6576-8"), POS, None),
        ("48676-1", answer("LA6577-6"), NEG, UNSPEC),
        ("48676-1", answer("LA11885-3"), EQ, None),
        ("48676-1", answer("LA11884-6"), UNK, None),
        ("85319-2", answer("10828004", SNOMED), POS, None),  # Synthea
        ("85319-2", answer("260385009", SNOMED), NEG, UNSPEC),  # Synthea
        ("85319-2", answer("42425007", SNOMED), EQ, None),
        ("48676-1", answer("427685000", SNOMED), POS, None),
        ("48676-1", answer("431396003", SNOMED), NEG, UNSPEC),  # §0.1 #13: NEGATIVE carcinoma
        ("48676-1", answer("1381317004", SNOMED), NEG, LOW),
        ("85318-4", answer("LA6576-8"), POS, None),
        ("85318-4", answer("LA6577-6"), NEG, UNSPEC),
        ("48676-1", {"valueString": "Positive"}, POS, None),
        ("48676-1", {"valueString": "negative, HER2-low"}, NEG, LOW),
        ("48676-1", {"interpretation": [{"coding": [{"system": V3, "code": "POS"}]}]}, POS, None),
        ("48676-1", {"interpretation": [{"coding": [{"system": V3, "code": "NEG"}]}]}, NEG, UNSPEC),
    ],
)
def test_interpretation_only(
    code: str, value: dict[str, Any], call: Her2Call, subtype: Her2NegativeSubtype | None
) -> None:
    result = her2(observation(code, **value))
    assert (result.call, result.negative_subtype) == (call, subtype)
    assert result.results[0].kind is Her2TestKind.INTERPRETATION
    assert result.results[0].ihc_score is None  # no invented score


@pytest.mark.parametrize(
    ("text", "score", "call", "subtype"),
    [
        ("greater than 2.2", None, UNK, None),
        ("less than 1.8", None, UNK, None),
        ("> 2.0", None, UNK, None),
        ("greater than 1.8", None, UNK, None),  # straddles 2.0
        ("greater than 2.2", "3+", POS, None),
        ("less than 1.8", "3+", POS, None),
        ("less than 1.8", "1+", NEG, LOW),
        ("less than 1.8", "0", NEG, UNSPEC),
        ("greater than 2.2", "1+", UNK, None),
        ("greater than 1.8", "1+", UNK, None),
        ("less than 1.8", "2+", EQ, None),
        ("greater than 2.2", "2+", EQ, None),
    ],
)
def test_synthea_ratio_words_are_a_ratio_without_copy_number(
    text: str, score: str | None, call: Her2Call, subtype: Her2NegativeSubtype | None
) -> None:
    """§0.1 #4: Synthea's 2007 words give only a ratio bound; §4.2 then needs the IHC."""
    resources = [observation("85318-4", valueString=text)]
    if score:
        resources.append(ihc(score))
    result = her2(*resources)
    assert (result.call, result.negative_subtype) == (call, subtype)
    words = next(r for r in result.results if r.kind is not Her2TestKind.IHC)
    assert words.evidence[0].value == text
    assert words.ish_group is None
    if call in (UNK, EQ):
        assert any("average HER2 copy number needed" in line for line in result.reasoning)


@pytest.mark.parametrize(("comparator", "score", "call"), [(">", None, UNK), ("<", "0", NEG)])
def test_ratio_comparator_in_a_quantity(comparator: str, score: str | None, call: Her2Call) -> None:
    value = 2.2 if comparator == ">" else 1.8
    obs = observation(
        "85318-4", valueQuantity={"value": value, "comparator": comparator, "unit": "ratio"}
    )
    assert her2(obs, *([ihc(score)] if score else [])).call is call


def test_synthea_shaped_positive_patient_is_positive_from_the_ihc_interpretation() -> None:
    result = her2(
        observation("85319-2", **answer("10828004", SNOMED)),
        observation("85318-4", valueString="greater than 2.2"),
    )
    assert result.call is POS


def test_ish_reported_negative_after_ihc_2_plus_is_her2_low() -> None:
    result = her2(
        ihc("2+", when="2026-01-10"),
        observation("85318-4", when="2026-01-14", **answer("LA6577-6")),
    )
    assert (result.call, result.negative_subtype) == (NEG, LOW)
    assert not result.discordant


def test_ish_reported_positive_after_ihc_1_plus_is_positive_without_discordance() -> None:
    result = her2(ihc("1+"), observation("85318-4", **answer("LA6576-8")))
    assert result.call is POS
    assert not result.discordant


def test_lab_interpretation_with_same_day_ihc_gives_the_subtype() -> None:
    result = her2(ihc("1+"), observation("48676-1", **answer("LA6577-6")))
    assert (result.call, result.negative_subtype) == (NEG, LOW)


# --- several results, serum, diagnoses ------------------------------------------------------


def test_any_positive_counts_and_discordance_is_reported() -> None:
    result = her2(ihc("3+", when="2020-05-01"), ihc("0", when="2025-05-01"))
    assert result.call is POS
    assert result.discordant
    assert result.as_of == at("2020-05-01")
    assert [r.when for r in result.results] == [at("2025-05-01"), at("2020-05-01")]
    assert any("discordant" in line for line in result.reasoning)


def test_newest_negative_result_decides_the_subtype() -> None:
    result = her2(
        ihc("1+", when="2019-05-01"),
        observation("18474-7", when="2025-05-01", valueString="0, no staining"),
    )
    assert (result.call, result.negative_subtype) == (NEG, ZERO)
    assert result.discordant  # HER2-low then HER2-0


def test_newer_equivocal_beats_older_negative() -> None:
    result = her2(ihc("1+", when="2019-05-01"), ihc("2+", when="2025-05-01"))
    assert result.call is EQ


def test_undated_results_come_last() -> None:
    undated = observation("18474-7", when=None, **answer("LA11843-2"))
    result = her2(undated, ihc("1+", when="2024-01-01"))
    assert result.results[-1].when is None
    assert result.call is POS
    assert result.as_of is None  # the deciding positive is undated, never "recent"


@pytest.mark.parametrize("code", ["32996-1", "42914-2", "51981-9"])
def test_serum_her2_is_never_tissue_status(code: str) -> None:
    result = her2(observation(code, valueQuantity=qty(120.0, "ng/mL")))
    assert result.call is UNK
    assert result.results == ()
    assert any("serum HER2" in line for line in result.reasoning)


def test_withdrawn_results_are_ignored() -> None:
    result = her2(ihc("3+", status="entered-in-error"), ihc("1+", status="cancelled"))
    assert result.call is UNK
    assert result.results == ()


def test_preliminary_results_count() -> None:
    assert her2(ihc("3+", status="preliminary")).call is POS


def test_diagnosis_code_is_used_only_without_any_test() -> None:
    positive_dx = condition("427685000")
    assert her2(positive_dx).call is POS
    assert her2(condition("431396003")).call is NEG  # §0.1 #13
    assert her2(positive_dx, ihc("1+")).call is NEG


def test_unreadable_value_is_skipped_with_a_note_and_no_identifier() -> None:
    obs = observation("48676-1", valueString="see scanned report")
    facts = build_patient_facts([obs], now=NOW)
    assert facts.her2.call is UNK
    messages = [n.message for n in facts.data_quality]
    assert any("48676-1" in m for m in messages)
    assert all(obs["id"] not in m for m in messages)


def test_synthea_shaped_negative_patient() -> None:
    result = her2(
        observation("85319-2", **answer("260385009", SNOMED)),
        observation("85318-4", valueString="less than 1.8"),
    )
    assert (result.call, result.negative_subtype, result.discordant) == (NEG, UNSPEC, False)
    assert len(result.results) == 2
