"""A critical card that says "do not give this drug now" declares the drug (`withholds`), so
that the renderer drops advice on how to dose or re-load it: "Withhold trastuzumab" next to
"Re-load trastuzumab 8 mg/kg" contradicts itself. Warnings and information cards withhold
nothing. The same FHIR JSON is run through the renderer (the card) and the rules (what it
declares)."""

from __future__ import annotations

from tests.scenarios.safety.builders import (
    by_rule,
    early_breast_cancer,
    echo,
    hcg,
    her2_positive,
    interstitial_lung_disease,
    metastatic,
    ordering,
    pregnancy,
    safety_cards,
    safety_findings,
    size,
    taking,
    withheld,
    woman,
)

TDXD = "fam-trastuzumab-deruxtecan"
THP_CYCLE = [ordering("trastuzumab"), ordering("pertuzumab")]


def doxorubicin_active() -> list:
    return taking("doxorubicin", since=30, dose=60, unit="mg/m2")


def on_thp(baseline: float, latest: float) -> list:
    return [
        woman(60),
        her2_positive(500),
        metastatic(210),
        echo(baseline, days=205),
        taking("trastuzumab", since=200),
        taking("pertuzumab", since=200),
        echo(latest, days=5),
        size(),
    ]


def early_trastuzumab_alone(latest: float) -> list:
    """Adjuvant trastuzumab after TCH, LVEF 62 % before; the last dose was 5 weeks ago."""
    return [
        woman(55),
        her2_positive(300),
        early_breast_cancer(300),
        echo(62, days=210),
        taking("trastuzumab", since=203, last_given=35),
        echo(latest, days=3),
        hcg(positive=False, days=3),
        size(),
    ]


def test_lvef_withhold_declares_trastuzumab_and_its_pertuzumab_companion():
    patient = on_thp(70, 54)
    [card] = by_rule(safety_cards("order-select", patient, orders=THP_CYCLE), "C2")
    assert card["indicator"] == "critical"
    assert withheld(safety_findings("order-select", patient, orders=THP_CYCLE)) == {
        "C2": frozenset({"trastuzumab", "pertuzumab"})
    }


def test_lvef_withhold_of_trastuzumab_alone_after_a_late_dose():
    patient = early_trastuzumab_alone(45)
    orders = [ordering("trastuzumab", dose=560)]
    [card] = by_rule(safety_cards("order-select", patient, orders=orders), "C2")
    assert card["indicator"] == "critical"
    assert withheld(safety_findings("order-select", patient, orders=orders)) == {
        "C2": frozenset({"trastuzumab"})
    }


def test_an_lvef_that_only_needs_repeating_withholds_nothing():
    # 70 -> 58: a 12-point fall above the LLN; the label continues and repeats the LVEF.
    patient = on_thp(70, 58)
    findings = safety_findings("order-select", patient, orders=THP_CYCLE)
    assert all(f.indicator != "critical" for f in findings if f.rule == "C2")
    assert withheld(findings) == {}


def test_ild_on_file_withholds_tdxd_and_the_monitoring_advice_withholds_nothing():
    base = [
        woman(59),
        her2_positive(),
        metastatic(600),
        taking("trastuzumab", since=560, ended=100),
        echo(64, days=40),
        hcg(positive=False, days=3),
    ]
    orders = [ordering(TDXD)]
    assert withheld(
        safety_findings("order-select", [*base, interstitial_lung_disease()], orders=orders)
    ) == {"C8": frozenset({TDXD})}
    assert withheld(safety_findings("order-select", base, orders=orders)) == {}


def test_pregnancy_withholds_the_her2_drugs_and_a_negative_test_withholds_nothing():
    base = [woman(34), her2_positive(), metastatic(60), echo(62, days=14)]
    pregnant = safety_findings("order-select", [*base, pregnancy(days=20)], orders=THP_CYCLE)
    assert withheld(pregnant) == {"C5": frozenset({"trastuzumab", "pertuzumab"})}
    tested = safety_findings("order-select", [*base, hcg(positive=False, days=5)], orders=THP_CYCLE)
    assert withheld(tested) == {}


def test_trastuzumab_drafted_while_doxorubicin_is_active_withholds_the_trastuzumab():
    patient = [woman(52), her2_positive(), early_breast_cancer(120), echo(65, days=20), size()]
    orders = [ordering("trastuzumab")]
    findings = safety_findings("order-select", [*patient, doxorubicin_active()], orders=orders)
    assert withheld(findings) == {"C3": frozenset({"trastuzumab"})}
    assert withheld(safety_findings("order-select", patient, orders=orders)) == {}


def test_doxorubicin_drafted_while_trastuzumab_is_active_withholds_the_doxorubicin():
    patient = [
        woman(52),
        her2_positive(),
        early_breast_cancer(120),
        echo(65, days=20),
        size(),
        taking("trastuzumab", since=60),
    ]
    orders = [ordering("doxorubicin", dose=60, unit="mg/m2")]
    assert withheld(safety_findings("order-select", patient, orders=orders)) == {
        "C3": frozenset({"doxorubicin"})
    }


def test_a_substitution_withholds_the_drafts_it_offers_to_remove():
    """T-DXd drafted with trastuzumab: no dose advice for either stands beside 'do not
    substitute'. Switching at the next cycle with the old orders closed withholds nothing."""
    patient = [woman(57), her2_positive(), metastatic(400), echo(63, days=15), size()]
    together = [ordering(TDXD), ordering("trastuzumab")]
    assert withheld(safety_findings("order-select", patient, orders=together)) == {
        "C9": frozenset({TDXD, "trastuzumab"})
    }
    stopped = taking("trastuzumab", since=300, ended=21, status="stopped")
    switch = safety_findings("order-select", [*patient, stopped], orders=[ordering(TDXD)])
    assert withheld(switch) == {}


def test_a_double_antibody_withholds_the_drafted_products():
    patient = [woman(57), her2_positive(), metastatic(400), echo(63, days=15), size()]
    orders = [ordering("pertuzumab-trastuzumab-sc"), ordering("trastuzumab")]
    assert withheld(safety_findings("order-select", patient, orders=orders)) == {
        "duplicate-her2-antibody": frozenset({"pertuzumab-trastuzumab-sc", "trastuzumab"})
    }
