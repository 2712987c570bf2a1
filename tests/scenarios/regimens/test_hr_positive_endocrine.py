"""HR-positive, HER2-positive MBC: the endocrine options (ASCO 2022 rec. 6.0-8.0)."""

from __future__ import annotations

from tests.scenarios.regimens.builders import (
    card_of,
    cycles,
    draft,
    given,
    her2_positive_mbc,
    order_select,
    patient_view,
    regimen_cards,
    topics,
)


def _maintenance(*, hr_positive: bool, chemotherapy_ended: bool = True) -> list:
    """First-line THP for 6 months; docetaxel stopped 2 months ago (or still going)."""
    her2_days = [180, 159, 138, 117, 96, 75, 54, 33, 12]
    chemo_days = [180, 159, 138, 117, 96, 75] if chemotherapy_ended else her2_days
    return [
        *her2_positive_mbc(metastatic_days=190, hr_positive=hr_positive),
        *cycles("trastuzumab", *her2_days, dose=420),
        *cycles("pertuzumab", *her2_days, dose=420),
        *cycles("docetaxel", *chemo_days, dose=134),
    ]


def test_first_line_card_lists_the_endocrine_options_when_hr_positive():
    resources = her2_positive_mbc(hr_positive=True)
    card = card_of(order_select(resources, draft("trastuzumab", 560)), "C12-first-line")
    assert "Endocrine therapy + trastuzumab or lapatinib in selected patients" in card["detail"]
    assert "Endocrine therapy alone only in special circumstances" in card["detail"]
    # ASCO rec. 7.0 wording: endocrine therapy "may be added" when chemotherapy ends
    assert "Endocrine therapy may be added when chemotherapy ends" in card["detail"]
    negative = card_of(
        order_select(her2_positive_mbc(hr_positive=False), draft("trastuzumab", 560)),
        "C12-first-line",
    )
    assert "Endocrine therapy alone" not in negative["detail"]


def test_endocrine_therapy_alone_first_line():
    resources = her2_positive_mbc(hr_positive=True)
    card = card_of(order_select(resources, draft("letrozole", 2.5, every=1)), "C12-first-line")
    assert card["summary"] == (
        "HR+ HER2+ MBC: endocrine therapy alone is for special cases; first-line THP is preferred"
    )


def test_add_endocrine_therapy_when_chemotherapy_has_ended():
    cards = order_select(
        _maintenance(hr_positive=True), draft("trastuzumab", 420), draft("pertuzumab", 420)
    )
    card = card_of(cards, "C12-hr-endocrine")
    assert card["indicator"] == "info"
    assert card["summary"] == (  # ASCO rec. 7.0: "may be added", not "add"
        "HR+ HER2+ MBC: endocrine therapy may be added to pertuzumab + trastuzumab now that "
        "chemotherapy has ended"
    )
    assert "suggestions" not in card  # AI vs tamoxifen depends on menopausal status
    assert "an aromatase inhibitor if postmenopausal" in card["detail"]
    assert topics(cards) == ["C12-hr-endocrine"]


def test_hr_negative_maintenance_gets_no_endocrine_card():
    cards = order_select(
        _maintenance(hr_positive=False), draft("trastuzumab", 420), draft("pertuzumab", 420)
    )
    assert regimen_cards(cards) == []


def test_no_endocrine_card_while_chemotherapy_continues():
    cards = order_select(
        _maintenance(hr_positive=True, chemotherapy_ended=False),
        draft("trastuzumab", 420), draft("pertuzumab", 420), draft("docetaxel", 134),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_no_endocrine_card_when_endocrine_therapy_is_drafted():
    cards = order_select(
        _maintenance(hr_positive=True),
        draft("trastuzumab", 420), draft("pertuzumab", 420), draft("letrozole", 2.5, every=1),
    )  # fmt: skip
    assert regimen_cards(cards) == []


def test_patient_view_during_hr_positive_maintenance_mentions_endocrine_therapy():
    card = card_of(patient_view(_maintenance(hr_positive=True)), "C12-summary")
    assert "Endocrine therapy may be added when chemotherapy ends" in card["detail"]
    taking = [*_maintenance(hr_positive=True), given("letrozole", 5, 2.5)]
    assert (
        "Endocrine therapy may be added when chemotherapy ends"
        not in card_of(patient_view(taking), "C12-summary")["detail"]
    )
