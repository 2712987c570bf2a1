"""Units EHRs really send (review 2, finding 4): a body weight in ounces (`[oz_av]`, a unit of
FHIR's BodyWeightUnits value set) and a blood count in cells/mm³ are values on file, not
missing ones. Unread, the weight gave "No weight on file" (C10) at every weight-based order and
the counts "No neutrophils and platelets on file" before every T-DXd dose."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    card_of,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    order_sign,
)
from tests.scenarios.safety.lab_builders import NEUTROPHILS, PLATELETS, lab, liver


def _weighed_in_ounces() -> list:
    return [
        *her2_positive_mbc(metastatic_days=120, kg=None, cm=None),
        fb.observation("29463-7", when=ago(3), value=fb.quantity(2469.2, "[oz_av]")),
        fb.observation("8302-2", when=ago(3), value=fb.quantity(64.96, "[in_i]")),
        *cycles("trastuzumab", 84, 63, 42, 21, dose=420),
        *cycles("pertuzumab", 84, 63, 42, 21, dose=420),
        *cycles("docetaxel", 84, 63, 42, 21, dose=134),
    ]


def test_a_weight_in_ounces_is_a_weight():
    drafts = (draft("trastuzumab", 420), draft("pertuzumab", 420), draft("docetaxel", 134))
    assert order_sign(_weighed_in_ounces(), *drafts) == []
    assert order_select(_weighed_in_ounces(), *drafts) == []


def test_a_dose_is_checked_against_the_weight_in_ounces():
    cards = order_sign(_weighed_in_ounces(), draft("trastuzumab", 600), draft("pertuzumab", 420))
    assert "70 kg" in card_of(cards, "dose-check")["detail"]


def _on_tdxd_with_counts(unit: str, neutrophils: float, platelets: float) -> list:
    return [
        *her2_positive_mbc(metastatic_days=400),
        *liver(days=2),
        lab(NEUTROPHILS, neutrophils, unit, days=2),
        lab(PLATELETS, platelets, unit, days=2),
        *cycles("fam-trastuzumab-deruxtecan", 42, 21, dose=378),
    ]


def test_counts_in_cells_per_mm3_are_counts():
    resources = _on_tdxd_with_counts("cells/mm3", 2100, 180000)
    assert order_sign(resources, draft("fam-trastuzumab-deruxtecan", 378)) == []


def test_a_low_count_in_cells_per_mm3_is_read_as_low():
    resources = _on_tdxd_with_counts("cells/mm3", 800, 180000)
    cards = order_sign(resources, draft("fam-trastuzumab-deruxtecan", 378))
    card = card_of(cards, "organ-function")
    assert card["indicator"] == "critical"
    assert "neutrophils 0.8" in card["summary"]
