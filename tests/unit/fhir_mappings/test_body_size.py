"""Weight, height and BSA (§2.3): every unit conversion, Mosteller, recorded BSA, dates."""

from __future__ import annotations

from math import sqrt
from typing import Any

import pytest

from fhir_mappings import BodySize, BsaMethod, build_patient_facts
from fhir_mappings.body_size import mosteller_bsa
from tests.unit.fhir_mappings.builders import NOW, at, observation, qty


def body(*resources: dict[str, Any]) -> BodySize:
    return build_patient_facts(list(resources), now=NOW).body


@pytest.mark.parametrize(
    ("quantity", "kg"),
    [
        (qty(70, "kg"), 70.0),
        (qty(154.324, "[lb_av]", "lb"), 70.0),
        (qty(70000, "g"), 70.0),
        ({"value": 154.324, "unit": "lbs"}, 70.0),
        ({"value": 70, "unit": "kg"}, 70.0),
    ],
)
def test_weight_in_kg(quantity: dict[str, Any], kg: float) -> None:
    weight = body(observation("29463-7", valueQuantity=quantity)).weight
    assert weight is not None
    assert (weight.value, weight.unit) == (pytest.approx(kg, abs=1e-3), "kg")


@pytest.mark.parametrize(
    ("quantity", "cm"),
    [
        (qty(165, "cm"), 165.0),
        (qty(65, "[in_i]", "in"), 165.1),
        (qty(1.65, "m"), 165.0),
        ({"value": 65, "unit": "in"}, 165.1),
    ],
)
def test_height_in_cm(quantity: dict[str, Any], cm: float) -> None:
    height = body(observation("8302-2", valueQuantity=quantity)).height
    assert height is not None
    assert (height.value, height.unit) == (pytest.approx(cm), "cm")


def test_converted_values_show_what_was_written() -> None:
    weight = body(observation("29463-7", valueQuantity=qty(150, "[lb_av]", "lb"))).weight
    assert weight is not None
    assert weight.evidence.value == "68 kg (150 lb)"


def test_mosteller_formula() -> None:
    assert mosteller_bsa(70, 170) == pytest.approx(sqrt(170 * 70 / 3600))
    assert mosteller_bsa(70, 170) == pytest.approx(1.8181, abs=1e-4)


def test_bsa_from_latest_weight_and_height() -> None:
    result = body(
        observation("29463-7", when="2025-01-01", valueQuantity=qty(80, "kg")),
        observation("29463-7", when="2026-05-01", valueQuantity=qty(70, "kg")),
        observation("8302-2", when="2020-01-01", valueQuantity=qty(170, "cm")),
    )
    assert [w.value for w in result.weights] == [70.0, 80.0]
    assert result.weight is not None and result.weight.when == at("2026-05-01")
    assert result.bsa_method is BsaMethod.MOSTELLER
    assert result.bsa_m2 == pytest.approx(mosteller_bsa(70, 170))
    assert [e.value for e in result.bsa_evidence] == ["70 kg", "170 cm"]


def test_recorded_bsa_is_used_when_not_older_than_the_weight() -> None:
    result = body(
        observation("29463-7", when="2026-05-01", valueQuantity=qty(70, "kg")),
        observation("8302-2", when="2026-05-01", valueQuantity=qty(170, "cm")),
        observation("8277-6", when="2026-05-01", valueQuantity=qty(1.85, "m2")),
    )
    assert (result.bsa_m2, result.bsa_method) == (1.85, BsaMethod.RECORDED)


def test_recorded_bsa_older_than_the_weight_is_not_used() -> None:
    result = body(
        observation("29463-7", when="2026-05-01", valueQuantity=qty(70, "kg")),
        observation("8302-2", when="2026-05-01", valueQuantity=qty(170, "cm")),
        observation("3140-1", when="2025-01-01", valueQuantity=qty(1.95, "m2")),
    )
    assert result.bsa_method is BsaMethod.MOSTELLER


def test_recorded_bsa_alone() -> None:
    result = body(observation("8277-6", valueQuantity=qty(1.7, "m2")))
    assert (result.bsa_m2, result.bsa_method) == (1.7, BsaMethod.RECORDED)


def test_no_height_no_bsa() -> None:
    result = body(observation("29463-7", valueQuantity=qty(70, "kg")))
    assert (result.bsa_m2, result.bsa_method, result.height) == (None, None, None)


@pytest.mark.parametrize(
    ("code", "quantity"),
    [
        ("29463-7", qty(70, "stone")),
        ("29463-7", qty(7000, "kg")),
        ("8302-2", qty(17, "cm")),
        ("29463-7", {"value": "heavy"}),
    ],
)
def test_implausible_or_unknown_values_are_skipped_with_a_note(
    code: str, quantity: dict[str, Any]
) -> None:
    facts = build_patient_facts([observation(code, valueQuantity=quantity)], now=NOW)
    assert facts.body.weights == () and facts.body.heights == ()
    assert facts.data_quality


def test_undated_weight_is_kept_last_and_undated() -> None:
    result = body(
        observation("29463-7", when=None, valueQuantity=qty(90, "kg")),
        observation("29463-7", when="2026-01-01", valueQuantity=qty(70, "kg")),
    )
    assert [(w.value, w.when) for w in result.weights] == [(70.0, at("2026-01-01")), (90.0, None)]
