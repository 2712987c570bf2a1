"""C10: weight/height missing, old or changed for weight- and BSA-based drafted drugs."""

from __future__ import annotations

from cards import CardsConfig, Hook
from cards.findings import Indicator
from fhir_mappings import BodyMeasurement, BodySize, Evidence
from tests.unit.cards.regimens.support import (
    DOCETAXEL,
    PERTUZUMAB,
    TRASTUZUMAB,
    ago,
    body,
    exposed,
    her2_mbc,
    history,
    metastatic,
    only,
    order,
    rendered,
    run,
)

RULES = only(["C10"])


def _weights(*pairs: tuple[float, float], height: float = 165) -> BodySize:
    """(kg, days ago) pairs, any order."""
    weights = tuple(
        BodyMeasurement(
            kg,
            "kg",
            ago(days),
            Evidence("Observation", f"w{days}", None, "Body weight", ago(days), f"{kg} kg"),
        )
        for kg, days in sorted(pairs, key=lambda p: p[1])
    )
    heights = (
        BodyMeasurement(
            height,
            "cm",
            ago(400),
            Evidence("Observation", "h", None, "Body height", ago(400), f"{height} cm"),
        ),
    )
    return BodySize(weights=weights, heights=heights, bsa_m2=None, bsa_method=None)


def test_current_weight_gets_no_card():
    assert run(her2_mbc(), order(TRASTUZUMAB, 560), rules=RULES) == []


def test_missing_weight():
    [finding] = run(
        her2_mbc(body=body(None, 165)), order(TRASTUZUMAB, 560), order(DOCETAXEL, 134), rules=RULES
    )
    assert finding.indicator is Indicator.WARNING and finding.safety
    assert (
        finding.summary
        == "No weight on file: docetaxel, trastuzumab dose cannot be computed or checked"
    )
    rendered([finding], Hook.ORDER_SIGN)
    # the renderer drops it only when a critical card withholds both drugs it names (R3)
    assert finding.doses_for == {DOCETAXEL, TRASTUZUMAB}


def test_missing_height_matters_only_for_bsa_drugs():
    no_height = her2_mbc(body=body(70, None))
    assert run(no_height, order(TRASTUZUMAB, 560), rules=RULES) == []
    [finding] = run(no_height, order(DOCETAXEL, 134), rules=RULES)
    assert finding.summary == "No height on file: BSA for docetaxel cannot be computed"


def test_fixed_dose_drugs_do_not_need_a_weight():
    assert run(her2_mbc(body=body(None, None)), order(PERTUZUMAB, 840), rules=RULES) == []


def test_weight_older_than_the_window():
    facts = her2_mbc(body=body(70, 165, days_ago=31))
    [finding] = run(facts, order(TRASTUZUMAB, 560), rules=RULES)
    assert finding.summary == "Weight 70 kg is from 2026-10-21: re-weigh before dosing trastuzumab"
    assert (
        run(her2_mbc(body=body(70, 165, days_ago=30)), order(TRASTUZUMAB, 560), rules=RULES) == []
    )


def test_window_is_configurable():
    facts = her2_mbc(body=body(70, 165, days_ago=31))
    config = CardsConfig(threshold_overrides={"weight_max_age_days": 60})
    assert run(facts, order(TRASTUZUMAB, 560), rules=RULES, config=config) == []


def test_weight_change_of_ten_percent_since_the_last_dose():
    exposure = exposed(TRASTUZUMAB, last_dose_days=21, active=True)
    changed = her2_mbc(body=_weights((70, 25), (63, 2)), therapy=history(exposure))
    [finding] = run(changed, order(TRASTUZUMAB, 378), rules=RULES)
    assert finding.summary.startswith(
        "Weight changed 10 % since the last trastuzumab dose (70 → 63 kg)"
    )
    steady = her2_mbc(body=_weights((70, 25), (64, 2)), therapy=history(exposure))
    assert run(steady, order(TRASTUZUMAB, 384), rules=RULES) == []


def test_not_breast_cancer_gets_no_card():
    facts = her2_mbc(body=body(None), disease=metastatic(breast=False, gastric=True))
    assert run(facts, order(TRASTUZUMAB, 560), rules=RULES) == []
