"""Suggested orders say the schedule in structure, not only in words (review finding 2): a
loading dose is its own dosage instruction given once, then the maintenance dose repeats;
capecitabine runs twice daily on days 1-14. A suggestion taken as drafted is a correct order."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    card_of,
    created,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    regimen_cards,
)


def test_the_suggested_trastuzumab_loading_dose_is_not_repeated():
    cards = order_select(her2_positive_mbc(), draft("pertuzumab", 840), draft("docetaxel", 134))
    [resource] = created(card_of(cards, "C12-first-line"))
    loading, maintenance = resource["dosageInstruction"]
    assert (loading["sequence"], loading["timing"]) == (1, {"repeat": {"count": 1}})
    assert loading["doseAndRate"][0]["doseQuantity"]["value"] == 560
    assert maintenance["sequence"] == 2
    assert maintenance["timing"]["repeat"] == {"frequency": 1, "period": 3, "periodUnit": "wk"}
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 420


def test_an_accepted_suggestion_is_read_back_as_the_right_order():
    drafts = [draft("pertuzumab", 840), draft("docetaxel", 134)]
    cards = order_select(her2_positive_mbc(), *drafts)
    [resource] = created(card_of(cards, "C12-first-line"))
    accepted = {**resource, "id": "accepted-trastuzumab"}
    again = order_select(her2_positive_mbc(), accepted, *drafts)
    assert regimen_cards(again) == []  # 560 mg loading, every 3 weeks: nothing to correct


def test_a_maintenance_dose_when_due_is_a_single_repeating_instruction():
    resources = [
        *her2_positive_mbc(metastatic_days=100),
        *cycles("trastuzumab", 63, 42, 21, dose=420),
        *cycles("pertuzumab", 63, 42, 21, dose=420),
        *cycles("docetaxel", 63, 42, 21, dose=134),
    ]
    cards = order_select(resources, draft("trastuzumab", 560), draft("pertuzumab", 420))
    [resource] = created(card_of(cards, "dose-check"))  # maintenance is due, not a loading dose
    [dosage] = resource["dosageInstruction"]
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 420
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 3, "periodUnit": "wk"}


def test_capecitabine_days_1_to_14_in_the_timing():
    resources = [
        *her2_positive_mbc(metastatic_days=800),
        *cycles("trastuzumab", 790, 769, 748, 500, dose=420),
        *cycles("pertuzumab", 790, 769, 748, 500, dose=420),
        *cycles("docetaxel", 790, 769, 748, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", 480, 459, 438, 120, dose=378),
    ]
    cards = order_select(resources, draft("tucatinib", 300, per_day=2), draft("trastuzumab", 560))
    [capecitabine] = created(card_of(cards, "C12-later-lines"))
    [dosage] = capecitabine["dosageInstruction"]
    repeat = dosage["timing"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (2, 1, "d")
    assert repeat["boundsDuration"]["value"] == 14 and repeat["boundsDuration"]["code"] == "d"
    assert "days 1-14 of each 21-day cycle" in dosage["text"]
