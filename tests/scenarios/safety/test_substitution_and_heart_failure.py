"""Do not substitute trastuzumab, T-DM1 and T-DXd; and a HER2 order for a patient with heart
failure on her problem list."""

from __future__ import annotations

from cards.sources import resolve
from tests.scenarios.safety.builders import (
    actions,
    echo,
    gap,
    heart_failure,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    summaries,
    taking,
    woman,
)
from tests.scenarios.safety.lab_builders import recent_labs

TDXD = "fam-trastuzumab-deruxtecan"
TDM1 = "ado-trastuzumab-emtansine"


def progressed_on_thp(*, thp_still_active: bool) -> list:
    """H + P every 3 weeks; still active: the orders open and the last dose 8 days ago, in the
    middle of a cycle (T-DXd now is a mix-up, not the switch at the next cycle)."""
    ended = None if thp_still_active else 30
    return [
        woman(57),
        her2_positive(),
        metastatic(500),
        echo(63, days=15),
        taking("trastuzumab", since=470, ended=ended),
        taking("pertuzumab", since=470, ended=ended),
    ]


def c9(cards):
    return [c for c in cards if c["source"]["topic"]["code"] == "C9"]


def test_tdxd_ordered_while_trastuzumab_is_still_active_is_critical():
    # Reference §3.9 C9: "critical: do not substitute" (labels: [L1], [L4], [L5]).
    cards = c9(
        safety_cards(
            "order-select", progressed_on_thp(thp_still_active=True), orders=[ordering(TDXD)]
        )
    )
    assert summaries(cards) == [
        (
            "C9",
            "critical",
            "T-DXd ordered while trastuzumab is active: different drugs, do not substitute",
        )
    ]
    assert [a["resourceId"] for a in actions(cards[0], "delete")] == [
        f"MedicationRequest/draft-{TDXD}"
    ]
    # The source is the ordered drug's own label ("do not substitute": Enhertu D&A).
    assert cards[0]["source"]["url"] == resolve("enhertu-label").url
    assert resolve("herceptin-label").url in [link["url"] for link in cards[0]["links"]]
    assert "US prescribing information, Herceptin (trastuzumab)" in cards[0]["detail"]


def test_trastuzumab_drafted_with_tdxd_starts_with_a_capital_and_cites_herceptin():
    cards = c9(
        safety_cards(
            "order-select",
            progressed_on_thp(thp_still_active=False),
            orders=[ordering("trastuzumab"), ordering(TDXD)],
            selected=[ordering("trastuzumab")],
        )
    )
    assert summaries(cards) == [
        (
            "C9",
            "critical",
            "Trastuzumab ordered while T-DXd is drafted: different drugs, do not substitute",
        )
    ]
    assert cards[0]["source"]["url"] == resolve("herceptin-label").url
    assert cards[0]["source"]["label"].startswith("Herceptin US label")


def test_tdxd_after_trastuzumab_ended_is_a_new_line_not_a_substitution():
    cards = safety_cards(
        "order-sign", progressed_on_thp(thp_still_active=False), orders=[ordering(TDXD)]
    )
    assert c9(cards) == []


def test_phesgo_replacing_iv_trastuzumab_and_pertuzumab_is_not_a_substitution():
    cards = safety_cards(
        "order-select",
        progressed_on_thp(thp_still_active=True),
        orders=[ordering("pertuzumab-trastuzumab-sc")],
    )
    assert c9(cards) == []


def test_tdm1_and_tdxd_drafted_together_on_order_sign():
    cards = c9(
        safety_cards(
            "order-sign",
            progressed_on_thp(thp_still_active=False),
            orders=[ordering(TDM1), ordering(TDXD)],
        )
    )
    assert [c["indicator"] for c in cards] == ["critical"]
    assert "do not substitute" in cards[0]["summary"]
    assert len(actions(cards[0], "delete")) == 2


def test_heart_failure_on_file_with_trastuzumab_is_a_warning():
    patient = [woman(66), her2_positive(), metastatic(), echo(52, days=20), heart_failure(days=700)]
    cards = [
        c
        for c in safety_cards("order-select", patient, orders=[ordering("trastuzumab")])
        if c["source"]["topic"]["code"] == "heart-failure"
    ]
    assert summaries(cards) == [
        (
            "heart-failure",
            "warning",
            "Heart failure or cardiomyopathy on file (recorded 2024-12-21): review cardiac risk "
            "before trastuzumab",
        )
    ]


def test_problem_list_the_ehr_could_not_send_is_said_once():
    patient = [woman(66), her2_positive(), metastatic(), echo(62, days=20), recent_labs()]
    cards = safety_cards(
        "order-sign",
        patient,
        orders=[ordering(TDXD)],
        gaps=[gap("conditions", "Conditions")],
    )
    assert summaries(cards) == [
        (
            "heart-failure",
            "warning",
            "The problem list could not be retrieved from the EHR; check for heart failure and "
            "ILD before T-DXd (fam-trastuzumab deruxtecan)",
        )
    ]
    assert "Conditions: the FHIR server timed out" in cards[0]["detail"]
