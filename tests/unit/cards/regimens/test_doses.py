"""Computed doses and drafted doses in the same units (Mosteller BSA, actual body weight)."""

from __future__ import annotations

import pytest

from cards.catalog import catalog
from cards.regimens.body_size import dosing_body, mosteller_m2, weight_on_or_before
from cards.regimens.doses import (
    Phase,
    compute_dose,
    drafted_amount,
    drafted_text,
    regimen_dose_text,
    tablet_combination,
)
from fhir_mappings import BodyMeasurement, BodySize, BsaMethod, Dose, Evidence
from tests.unit.cards.regimens.support import ago, body


def _dose(drug_id: str, schedule: str, phase: Phase, weight: float = 70, height: float = 165):
    drug = catalog().drugs[drug_id]
    return compute_dose(drug, drug.schedule(schedule), phase, dosing_body(body(weight, height)))


def test_mosteller_bsa_of_165_cm_and_70_kg_is_1_79():
    assert round(mosteller_m2(165, 70), 2) == 1.79
    assert dosing_body(body(70, 165)).bsa.m2 == 1.79


@pytest.mark.parametrize(
    ("drug", "schedule", "phase", "mg"),
    [
        ("trastuzumab", "q3w", Phase.LOADING, 560),
        ("trastuzumab", "q3w", Phase.MAINTENANCE, 420),
        ("trastuzumab", "weekly", Phase.LOADING, 280),
        ("trastuzumab", "weekly", Phase.MAINTENANCE, 140),
        ("pertuzumab", "q3w", Phase.LOADING, 840),
        ("pertuzumab", "q3w", Phase.MAINTENANCE, 420),
        ("fam-trastuzumab-deruxtecan", "q3w", Phase.MAINTENANCE, 378),
        ("ado-trastuzumab-emtansine", "q3w", Phase.MAINTENANCE, 252),
        ("docetaxel", "q3w", Phase.MAINTENANCE, 134.25),
        ("paclitaxel", "weekly", Phase.MAINTENANCE, 143.2),
        ("margetuximab", "q3w", Phase.MAINTENANCE, 1050),
    ],
)
def test_doses_for_70_kg_and_165_cm(drug, schedule, phase, mg):
    assert _dose(drug, schedule, phase).mg == pytest.approx(mg)


def test_loading_phase_of_a_drug_without_loading_dose_is_the_only_dose():
    dose = _dose("fam-trastuzumab-deruxtecan", "q3w", Phase.LOADING)
    assert dose.per_basis == 5.4
    assert not dose.is_loading


def test_dose_text_names_amount_and_basis():
    dose = _dose("trastuzumab", "q3w", Phase.LOADING)
    assert dose.phrase == "trastuzumab 560 mg (8 mg/kg) loading dose"
    assert dose.calculation == "8 mg/kg × 70 kg = 560 mg"
    assert _dose("docetaxel", "q3w", Phase.MAINTENANCE).amount == "134 mg (75 mg/m²)"


def test_no_weight_means_no_mg():
    drug = catalog().drugs["trastuzumab"]
    no_weight = dosing_body(body(None, 165))
    dose = compute_dose(drug, drug.schedule("q3w"), Phase.LOADING, no_weight)
    assert dose.mg is None
    assert dose.amount == "8 mg/kg"


def test_schedule_text():
    drug = catalog().drugs["trastuzumab"]
    text = regimen_dose_text(drug, drug.schedule("q3w"), dosing_body(body(70, 165)))
    assert text == "trastuzumab 560 mg (8 mg/kg) loading, then 420 mg (6 mg/kg) every 3 weeks"


@pytest.mark.parametrize(
    ("drug", "dose", "per_basis"),
    [
        ("trastuzumab", Dose(560, "mg"), 8.0),
        ("trastuzumab", Dose(6, "mg/kg"), 6.0),
        ("trastuzumab", Dose(0.42, "g"), 6.0),
        ("docetaxel", Dose(75, "mg/m2"), 75.0),
        ("docetaxel", Dose(75, "mg/m²"), 75.0),
        ("docetaxel", Dose(134.25, "mg"), 75.0),
        ("pertuzumab", Dose(840, "mg"), 840.0),
        # mg/m2 written for a mg/kg drug: 100 mg/m2 x 1.79 m2 = 179 mg = 2.557 mg/kg
        ("fam-trastuzumab-deruxtecan", Dose(100, "mg/m2"), 179 / 70),
    ],
)
def test_drafted_dose_in_the_drugs_basis(drug, dose, per_basis):
    amount = drafted_amount(dose, catalog().drugs[drug], dosing_body(body(70, 165)))
    assert amount.per_basis == pytest.approx(per_basis)


def test_drafted_mg_dose_needs_a_weight():
    amount = drafted_amount(
        Dose(560, "mg"), catalog().drugs["trastuzumab"], dosing_body(body(None))
    )
    assert amount.per_basis is None


def test_unknown_unit_is_not_read_and_not_echoed():
    amount = drafted_amount(
        Dose(5, "<b>vials</b>"), catalog().drugs["pertuzumab"], dosing_body(body())
    )
    assert amount.per_basis is None
    assert amount.written == "5 (unit not read)"


def test_volume_is_kept_for_subcutaneous_products():
    amount = drafted_amount(
        Dose(15, "mL"), catalog().drugs["pertuzumab-trastuzumab-sc"], dosing_body(body())
    )
    assert amount.volume_ml == 15
    assert amount.written == "15 mL"


def test_drafted_text_shows_the_basis_too():
    drug = catalog().drugs["fam-trastuzumab-deruxtecan"]
    amount = drafted_amount(Dose(448, "mg"), drug, dosing_body(body(70)))
    assert drafted_text(amount, drug) == "448 mg (6.4 mg/kg)"


def test_recorded_bsa_is_used_only_without_weight_and_height():
    evidence = Evidence("Observation", "bsa", None, "BSA", ago(2), "1.9 m2")
    size = BodySize(
        weights=(), heights=(), bsa_m2=1.9, bsa_method=BsaMethod.RECORDED, bsa_evidence=(evidence,)
    )
    bsa = dosing_body(size).bsa
    assert bsa is not None and bsa.m2 == 1.9 and bsa.how == "as recorded"


def test_weight_on_or_before_a_dose():
    size = body(70, 165, days_ago=10)
    assert weight_on_or_before(size, ago(5)) is size.weight
    assert weight_on_or_before(size, ago(20)) is None


def test_a_zero_weight_is_missing_not_a_zero_dose():
    size = body(70, 165)
    zero = BodySize(
        weights=(BodyMeasurement(0.0, "kg", ago(1), size.weights[0].evidence),),
        heights=size.heights,
        bsa_m2=None,
        bsa_method=None,
    )
    dosing = dosing_body(zero)
    assert dosing.weight is None and dosing.bsa is None


@pytest.mark.parametrize(
    ("mg", "strengths", "expected"),
    [
        (1343, (500.0, 150.0), ((2, 500.0), (2, 150.0))),  # 1300 mg, not 9 x 150 mg
        (1790, (500.0, 150.0), ((3, 500.0), (2, 150.0))),  # 1800 mg, as the Xeloda table
        (1000, (500.0, 150.0), ((2, 500.0), (0, 150.0))),
        (1250, (250.0,), ((5, 250.0),)),
        (300, (150.0, 50.0), ((2, 150.0), (0, 50.0))),
        (560, (), ()),  # infused: no tablets, the dose stays exact
    ],
)
def test_oral_doses_round_to_the_tablets(mg, strengths, expected):
    assert tablet_combination(mg, strengths) == expected
