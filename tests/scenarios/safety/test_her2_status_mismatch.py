"""HER2-directed orders against the HER2 result on file (ASCO/CAP 2018/2023): HER2-low is a
HER2-negative pathway where only T-DXd is labelled; IHC 2+ needs ISH first."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    actions,
    days_ago,
    echo,
    gap,
    metastatic,
    ordering,
    receptor_status,
    safety_cards,
    taking,
    woman,
)


def patient(*her2_results) -> list:
    return [woman(60), metastatic(100), echo(61, days=20), *her2_results]


def biomarker_cards(cards):
    return [c for c in cards if c["source"]["topic"]["code"] in ("C6", "C7")]


def test_her2_low_with_trastuzumab_is_a_mismatch():
    cards = biomarker_cards(
        safety_cards(
            "order-select",
            patient(fb.her2_ihc("1+", when=days_ago(120))),
            orders=[ordering("trastuzumab")],
        )
    )
    assert [(c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in cards] == [
        (
            "C6",
            "warning",
            "HER2-negative (HER2-low) (2026-07-24): trastuzumab is for HER2-positive disease",
        )
    ]


def test_her2_low_with_tdxd_after_metastatic_chemotherapy_is_in_label():
    cards = biomarker_cards(
        safety_cards(
            "order-select",
            patient(
                fb.her2_ihc("1+", when=days_ago(120)),
                taking("capecitabine", since=90, ended=30),
            ),
            orders=[ordering("fam-trastuzumab-deruxtecan")],
        )
    )
    assert cards == []


def test_ihc_2_plus_without_ish_needs_ish_before_trastuzumab():
    cards = biomarker_cards(
        safety_cards(
            "order-sign",
            patient(fb.her2_ihc("2+", when=days_ago(30))),
            orders=[ordering("trastuzumab")],
        )
    )
    [card] = cards
    assert card["summary"] == (
        "HER2 IHC 2+ (equivocal) (2026-10-22) without ISH: ISH required before trastuzumab"
    )
    [create] = actions(card, "create")
    assert create["resource"]["code"]["coding"][0]["code"] == "85318-4"


def test_ihc_2_plus_with_positive_ish_is_her2_positive():
    results = [
        fb.her2_ihc("2+", when=days_ago(30)),
        *fb.her2_ish(ratio=2.6, copies=6.5, when=days_ago(25)),
    ]
    cards = biomarker_cards(
        safety_cards("order-select", patient(*results), orders=[ordering("trastuzumab")])
    )
    assert cards == []


def test_no_her2_result_asks_for_a_test():
    cards = biomarker_cards(
        safety_cards("order-select", patient(), orders=[ordering("pertuzumab")])
    )
    [card] = cards
    assert (
        card["summary"] == "No HER2 result on file: confirm HER2-positive status before pertuzumab"
    )
    assert actions(card, "create")[0]["resource"]["code"]["coding"][0]["code"] == "85319-2"


def test_ultralow_in_hr_negative_disease_is_outside_the_tdxd_label():
    ultralow = fb.observation(
        "18474-7",
        when=days_ago(40),
        value={"valueString": "0, faint incomplete membrane staining in 5% of cells"},
    )
    hr_negative = [receptor_status("er", 0, days=40), receptor_status("pr", 0, days=40)]
    cards = biomarker_cards(
        safety_cards(
            "order-select",
            patient(ultralow, *hr_negative),
            orders=[ordering("fam-trastuzumab-deruxtecan")],
        )
    )
    assert [(c["source"]["topic"]["code"], c["summary"]) for c in cards] == [
        ("C7", "HER2-ultralow (2026-10-12) with HR-negative disease: outside the T-DXd label")
    ]


def test_her2_results_the_ehr_could_not_send_are_said():
    cards = biomarker_cards(
        safety_cards(
            "order-select",
            patient(),
            orders=[ordering("trastuzumab")],
            gaps=[gap("tumorMarkers", "HER2, ER and PR results")],
        )
    )
    assert [c["indicator"] for c in cards] == ["warning"]
    assert cards[0]["summary"].startswith("HER2 results could not be retrieved from the EHR")


def discordant_patient() -> list:
    # Primary tumour IHC 3+ (2024), metastatic biopsy IHC 1+ (5 months ago).
    return patient(
        fb.her2_ihc("3+", when=days_ago(890)),
        fb.her2_ihc("1+", when=days_ago(150)),
    )


def test_discordant_her2_results_are_mentioned_with_her2_therapy():
    # Any HER2-positive result allows HER2 therapy (the service's policy, §4.5), but the
    # discordance is worth saying (ASCO/CAP 2023: heterogeneity; re-biopsy).
    cards = biomarker_cards(
        safety_cards(
            "order-select",
            discordant_patient(),
            orders=[ordering("trastuzumab"), ordering("pertuzumab")],
        )
    )
    assert [(c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in cards] == [
        (
            "C6",
            "info",
            "HER2 results discordant (latest IHC 1+ on 2026-06-24; positive before): any "
            "positive result allows trastuzumab and pertuzumab",
        )
    ]
    assert "re-biopsy" in cards[0]["detail"]
    assert "IHC 3+" in cards[0]["detail"]
    # the policy is called the service's, not attributed to ASCO/CAP (issue 9 §4)
    assert (
        "This service's policy, not a guideline statement: any HER2-positive result"
        in (cards[0]["detail"])
    )


def test_discordance_is_not_repeated_at_order_sign():
    cards = biomarker_cards(
        safety_cards(
            "order-sign",
            discordant_patient(),
            orders=[ordering("trastuzumab"), ordering("pertuzumab")],
        )
    )
    assert cards == []


def test_concordant_positive_results_say_nothing():
    cards = biomarker_cards(
        safety_cards(
            "order-select",
            patient(fb.her2_ihc("3+", when=days_ago(890)), fb.her2_ihc("3+", when=days_ago(150))),
            orders=[ordering("trastuzumab")],
        )
    )
    assert cards == []
