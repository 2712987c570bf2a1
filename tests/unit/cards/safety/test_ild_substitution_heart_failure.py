"""C8 (T-DXd and ILD), C9 (do not substitute) and heart failure on file."""

from __future__ import annotations

from cards import Hook
from cards.sources import resolve
from tests.unit.cards.safety.support import cards, conditions, facts, gap, on, order, therapy

TDXD = "fam-trastuzumab-deruxtecan"
TDM1 = "ado-trastuzumab-emtansine"


def deletes(card):
    return [
        a["resourceId"]
        for s in card.get("suggestions", [])
        for a in s["actions"]
        if a["type"] == "delete"
    ]


# --- C8 ----------------------------------------------------------------------------------


def test_ild_history_with_tdxd_is_critical():
    [card] = cards(
        Hook.ORDER_SELECT, facts(conditions=conditions(ild=True)), [order(TDXD)], rule="C8"
    )
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "ILD/pneumonitis on file (recorded 2026-01-25): T-DXd boxed warning; "
        "grade ≥2 ILD means permanent discontinuation"
    )
    assert deletes(card) == [f"MedicationRequest/draft-{TDXD}"]
    assert card["source"]["url"] == resolve("enhertu-label").url


def test_every_tdxd_order_gets_ild_monitoring_advice_as_info():
    [card] = cards(Hook.ORDER_SELECT, facts(), [order(TDXD)], rule="C8")
    assert card["indicator"] == "info"
    assert card["summary"].startswith("T-DXd: monitor for ILD/pneumonitis")
    assert "Grade 2 or higher: permanently discontinue" in card["detail"]


def test_order_sign_drops_the_advice_but_keeps_the_critical():
    assert cards(Hook.ORDER_SIGN, facts(), [order(TDXD)], rule="C8") == []
    signed = cards(
        Hook.ORDER_SIGN, facts(conditions=conditions(ild=True)), [order(TDXD)], rule="C8"
    )
    assert [c["indicator"] for c in signed] == ["critical"]


def test_ild_history_with_trastuzumab_is_not_c8():
    assert (
        cards(
            Hook.ORDER_SELECT,
            facts(conditions=conditions(ild=True)),
            [order("trastuzumab")],
            rule="C8",
        )
        == []
    )


def test_tdxd_never_gets_the_dose_card_here():
    from fhir_mappings import Dose

    rendered = cards(Hook.ORDER_SELECT, facts(), [order(TDXD, dose=Dose(6.4, "mg/kg"))], rule="C8")
    assert all("6.4" not in c["summary"] for c in rendered)


def test_conditions_gap_is_said_once_for_heart_failure_and_ild():
    rendered = cards(
        Hook.ORDER_SELECT, facts(), [order(TDXD)], gaps=[gap("conditions", "Conditions")]
    )
    gap_cards = [
        c for c in rendered if "problem list could not be retrieved" in c["summary"].lower()
    ]
    assert len(gap_cards) == 1
    assert gap_cards[0]["indicator"] == "warning"


# --- C9 ----------------------------------------------------------------------------------


def test_tdxd_ordered_while_trastuzumab_is_active_is_critical():
    patient = facts(therapy=therapy(on("trastuzumab", since_days=200)))
    [card] = cards(Hook.ORDER_SELECT, patient, [order(TDXD)], rule="C9")
    assert card["indicator"] == "critical"
    assert (
        card["summary"]
        == "T-DXd ordered while trastuzumab is active: different drugs, do not substitute"
    )
    assert deletes(card) == [f"MedicationRequest/draft-{TDXD}"]


def test_tdm1_and_tdxd_drafted_together_offer_removing_either():
    orders = [order(TDM1), order(TDXD, selected=False)]
    [card] = cards(Hook.ORDER_SELECT, facts(), orders, rule="C9")
    assert (
        card["summary"]
        == "T-DM1 ordered while T-DXd is drafted: different drugs, do not substitute"
    )
    assert deletes(card) == [f"MedicationRequest/draft-{TDM1}", f"MedicationRequest/draft-{TDXD}"]


def test_order_sign_with_both_drafted_is_one_card():
    orders = [order("trastuzumab"), order(TDM1)]
    assert len(cards(Hook.ORDER_SIGN, facts(), orders, rule="C9")) == 1


def test_thp_and_phesgo_are_not_substitutions():
    assert (
        cards(Hook.ORDER_SELECT, facts(), [order("trastuzumab"), order("pertuzumab")], rule="C9")
        == []
    )
    patient = facts(
        therapy=therapy(on("trastuzumab", since_days=100), on("pertuzumab", since_days=100))
    )
    assert cards(Hook.ORDER_SELECT, patient, [order("pertuzumab-trastuzumab-sc")], rule="C9") == []
    assert cards(Hook.ORDER_SELECT, facts(), [order(TDXD), order("pertuzumab")], rule="C9") == []


def test_switching_line_after_trastuzumab_ended_is_not_a_substitution():
    patient = facts(therapy=therapy(on("trastuzumab", since_days=400, active=False, end_days=30)))
    assert cards(Hook.ORDER_SELECT, patient, [order(TDXD)], rule="C9") == []


def test_order_words_naming_another_trastuzumab_product_are_critical():
    # §3.9 C9: "or the order text mixes them" -> critical: do not substitute.
    mixed = order("trastuzumab", text="Kadcyla 100 mg", also_named=(TDM1,))
    [card] = cards(Hook.ORDER_SELECT, facts(), [mixed], rule="C9")
    assert card["indicator"] == "critical"
    assert card["summary"] == "Order for trastuzumab also names T-DM1: check which product is meant"
    assert card["source"]["url"] == resolve("herceptin-label").url
    assert resolve("kadcyla-label").url in [link["url"] for link in card["links"]]
    assert "US prescribing information, Kadcyla" in card["detail"]
    assert "Kadcyla 100 mg" not in card["summary"]
    assert "Kadcyla 100 mg" in card["detail"]  # only in the escaped data table


def test_order_words_naming_a_component_are_not_a_mismatch():
    phesgo = order("pertuzumab-trastuzumab-sc", also_named=("pertuzumab",))
    assert cards(Hook.ORDER_SELECT, facts(), [phesgo], rule="C9") == []


# --- heart failure -----------------------------------------------------------------------


def test_heart_failure_on_file_with_her2_therapy_is_a_warning():
    [card] = cards(
        Hook.ORDER_SELECT,
        facts(conditions=conditions(heart_failure=True)),
        [order("trastuzumab")],
        rule="heart-failure",
    )
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Heart failure or cardiomyopathy on file (recorded 2026-01-25): review cardiac risk "
        "before trastuzumab"
    )
    assert {r["code"] for r in card["overrideReasons"]} >= {"cardio-oncology-reviewed"}


def test_no_heart_failure_no_card_and_non_her2_orders_are_ignored():
    assert cards(Hook.ORDER_SELECT, facts(), [order("trastuzumab")], rule="heart-failure") == []
    hf = facts(conditions=conditions(heart_failure=True))
    assert cards(Hook.ORDER_SELECT, hf, [order("docetaxel")], rule="heart-failure") == []
