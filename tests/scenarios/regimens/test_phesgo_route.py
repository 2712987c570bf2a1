"""IV pertuzumab and trastuzumab written on one order are not Phesgo, which is for subcutaneous
use only (Phesgo US label §2.2), nor one of the two: no card compares such an order with
Phesgo's doses or with one antibody's. Written without a route, or subcutaneously, or by its own
name, the order is still Phesgo."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.regimens.builders import card_of, draft, her2_positive_mbc, order_select

PHESGO = "pertuzumab-trastuzumab-sc"
SNOMED = "http://snomed.info/sct"
IV = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}]}
SC = {"coding": [{"system": SNOMED, "code": "34206005", "display": "Subcutaneous route"}]}


def _both_antibodies(dose: float, text: str, route: dict[str, Any] | None = None) -> dict:
    order = draft(PHESGO, dose, text=text)
    if route is not None:
        order["dosageInstruction"][0]["route"] = route
    return order


def _mentions_phesgo(cards: list[dict[str, Any]]) -> list[str]:
    return [c["summary"] for c in cards if "phesgo" in (c["summary"] + c["detail"]).lower()]


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("trastuzumab and pertuzumab IV", None),
        ("pertuzumab/trastuzumab", IV),
        ("trastuzumab + pertuzumab intravenous infusion", None),
        ("Perjeta + Herceptin", IV),
    ],
    ids=["iv-in-words", "coded-iv-route", "intravenous-in-words", "iv-brands"],
)
def test_an_iv_order_of_both_antibodies_is_not_dose_checked_as_one_product(text, route):
    cards = order_select(her2_positive_mbc(), _both_antibodies(420, text, route))
    assert _mentions_phesgo(cards) == []
    assert [c for c in cards if c["source"]["topic"]["code"] == "dose-check"] == []


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("pertuzumab/trastuzumab SC", None),
        ("pertuzumab/trastuzumab", SC),
        ("pertuzumab/trastuzumab", None),
        ("Phesgo", None),
        ("pertuzumab, trastuzumab, and hyaluronidase-zzxf", None),
    ],
    ids=["sc-in-words", "coded-sc-route", "no-route", "brand", "hyaluronidase"],
)
def test_a_subcutaneous_or_unrouted_order_is_still_checked_as_phesgo(text, route):
    card = card_of(
        order_select(her2_positive_mbc(), _both_antibodies(420, text, route)), "dose-check"
    )
    assert card["summary"].startswith("Phesgo 420 mg")


def test_a_phesgo_order_coded_only_by_its_ndc_is_checked_as_phesgo():
    order = draft(PHESGO, 420, text="x")
    order["medicationCodeableConcept"] = {
        "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "50242-260-01"}]
    }
    card = card_of(order_select(her2_positive_mbc(), order), "dose-check")
    assert card["summary"].startswith("Phesgo 420 mg")
