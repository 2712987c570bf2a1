"""The safety knowledge tables: they load, agree with the mapping's drug table, and every
card the rules can produce is a valid, unescaped-free CDS Hooks card."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards import Hook
from cards.knowledge import default_thresholds, load_table
from cards.safety.anthracycline_dose import anthracyclines
from cards.safety.drugs import safety_drugs
from cards.safety.lvef_thresholds import Outcome, judge, lvef_table, lvef_tables
from fhir_mappings import drugs_in_class
from tests.unit.cards.safety.support import (
    cards,
    conditions,
    disease,
    facts,
    lvef,
    on,
    order,
    therapy,
    woman,
)

TABLES = [
    "safety_thresholds",
    "sources",
    "safety_drugs",
    "safety_codes",
    "safety_anthracyclines",
    "safety_ild",
    "lvef_tables",
]


@pytest.mark.parametrize("name", TABLES)
def test_tables_validate_against_their_schema(name):
    assert load_table(name)["version"]


def test_every_threshold_has_a_source_and_a_verification_mark():
    safety = load_table("safety_thresholds")["thresholds"]
    assert {"anthracycline_cumulative_warning_mg_m2", "lvef_interval_days_tdxd"} <= set(safety)
    for key in safety:
        threshold = default_thresholds()[key]
        assert threshold.source and threshold.description
        assert threshold.verification in {"verified", "corroborated", "unverified", "design-choice"}


def test_every_her2_directed_drug_of_the_mapping_has_safety_facts():
    mapped = {d.id for d in drugs_in_class("her2-directed")}
    assert mapped <= set(safety_drugs())


def test_every_cardiac_her2_antibody_has_an_lvef_table_and_interval():
    for info in drugs_in_class("her2-antibody-cardiac"):
        drug = safety_drugs()[info.id]
        assert drug.lvef_table in lvef_tables(), info.id
        assert drug.lvef_interval in default_thresholds(), info.id


def test_every_anthracycline_of_the_mapping_is_counted():
    assert {d.id for d in drugs_in_class("anthracycline")} <= set(anthracyclines())


def test_substitution_families_follow_the_trastuzumab_class():
    for info in drugs_in_class("trastuzumab-class"):
        assert safety_drugs()[info.id].substitution_family is not None, info.id
    assert safety_drugs()["pertuzumab"].substitution_family is None


@pytest.mark.parametrize(
    ("table", "setting", "lvef", "drop", "outcome"),
    [
        ("trastuzumab", "any", 54, 16, Outcome.WITHHOLD),
        ("trastuzumab", "any", 55, 15, Outcome.NONE),
        ("pertuzumab", "metastatic", 45, 10, Outcome.WITHHOLD),
        ("pertuzumab", "metastatic", 45.5, 10, Outcome.NONE),
        ("pertuzumab", "early", 49.9, 10, Outcome.WITHHOLD),
        ("t-dm1", "metastatic", 39.9, None, Outcome.WITHHOLD),
        ("t-dm1", "metastatic", 42, None, Outcome.UNDETERMINED),
        ("t-dxd", "any", 50, 20.5, Outcome.WITHHOLD),
        ("t-dxd", "any", 44, 9.5, Outcome.REPEAT),
    ],
)
def test_judge_reads_the_table_rows(table, setting, lvef, drop, outcome):
    assert judge(lvef_table(table).settings[setting], lvef, drop, 50).outcome is outcome


HER2_ANTIBODIES = sorted(d.id for d in drugs_in_class("her2-antibody-cardiac"))


@settings(max_examples=200, deadline=None)
@given(
    drugs=st.lists(st.sampled_from(HER2_ANTIBODIES), min_size=1, max_size=3, unique=True),
    baseline=st.integers(min_value=30, max_value=80),
    current=st.integers(min_value=15, max_value=80),
    metastatic=st.booleans(),
    young=st.booleans(),
    history=st.booleans(),
    hook=st.sampled_from([Hook.ORDER_SELECT, Hook.ORDER_SIGN, Hook.PATIENT_VIEW]),
)
def test_any_lvef_history_gives_valid_specific_cards(
    drugs, baseline, current, metastatic, young, history, hook
):
    patient = facts(
        lvef=lvef((baseline, 200), (current, 5), baseline_index=0, regimen_start_days=190),
        therapy=therapy(*(on(d, since_days=190) for d in drugs)),
        disease=disease(metastatic=metastatic),
        demographics=woman(33) if young else woman(60, reproductive=False),
        conditions=conditions(heart_failure=history, ild=history),
    )
    orders = [order(d) for d in drugs] if hook is not Hook.PATIENT_VIEW else []
    rendered = cards(hook, patient, orders)
    for card in rendered:
        assert len(card["summary"]) < 140
        assert not card["summary"].endswith("…"), card["summary"]  # never cut by the renderer
        if hook is Hook.ORDER_SIGN:
            assert card["indicator"] != "info"
    drop = baseline - current
    if current >= 50 and drop < 10:
        assert all(c["source"]["topic"]["code"] != "C2" for c in rendered)


def test_long_drug_lists_fall_back_to_short_names():
    drugs = ["trastuzumab-sc", "pertuzumab", "fam-trastuzumab-deruxtecan", "tucatinib"]
    [card] = cards(
        Hook.ORDER_SELECT, facts(demographics=woman(30)), [order(d) for d in drugs], rule="C5"
    )
    assert card["summary"] == (
        "Verify pregnancy status before trastuzumab SC, pertuzumab, T-DXd and tucatinib: "
        "no pregnancy status on file"
    )
    assert "T-DXd (fam-trastuzumab deruxtecan): effective contraception" in card["detail"]


def test_request_text_never_reaches_summary_or_reasoning():
    hostile = "<img src=x onerror=alert(1)> **Kadcyla** [x](javascript:1)"
    mixed = order("trastuzumab", text=hostile, also_named=("ado-trastuzumab-emtansine",))
    rendered = cards(Hook.ORDER_SELECT, facts(), [mixed])
    assert rendered
    for card in rendered:
        assert "<img" not in card["summary"] and "<img" not in card["detail"]
        assert "javascript:1)" not in card["detail"]


def test_pertuzumab_lvef_interval_is_the_labels_12_weeks():
    threshold = default_thresholds()["lvef_interval_days_pertuzumab"]
    assert (threshold.value, threshold.verification) == (92, "verified")
    assert "approximately every 12 weeks" in threshold.source


def test_the_post_anthracycline_floor_keeps_the_references_unverified_mark():
    early = lvef_table("pertuzumab").settings["early"].start_minimum
    assert early.verification == "verified"  # ≥55 % pre-treatment, [L3]
    assert early.after_anthracycline is not None
    assert early.after_anthracycline.percent == 50
    assert early.after_anthracycline.verification == "unverified"  # §3.2 footnote ⚠


def test_ild_card_text_comes_from_the_ild_table():
    from cards.safety.ild import ild_knowledge

    ild = ild_knowledge()
    assert ild.incidence() == (
        "about 12% pooled incidence, 1% fatal; 12.1% with pertuzumab in DESTINY-Breast09"
    )
    [card] = cards(Hook.ORDER_SELECT, facts(), [order("fam-trastuzumab-deruxtecan")], rule="C8")
    assert ild.incidence() in card["detail"]
    assert "Grade 2 or higher: permanently discontinue" in card["detail"]
    assert card["summary"].endswith(ild.summary_advice)


def test_anthracycline_card_quotes_the_label_figures_of_its_table():
    from cards.safety.anthracycline_dose import doxorubicin_label

    label = doxorubicin_label()
    assert (label.max_total, label.max_total_with_risk_factors) == (550, 400)
    assert label.risk_words() == "1-2% at 300, 3-5% at 400, 5-8% at 450 and 6-20% at 500 mg/m²"
