"""The dates behind the 12-month rule (ASCO 2022 rec. 5.0/5.1, §1.2): an end of adjuvant
therapy that is not on file is not guessed (review finding 8), adjuvant T-DM1 counts as
trastuzumab-based therapy (finding 9), and therapy still given after the metastatic date makes
the line undetermined instead of a negative interval (finding 15)."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    DRUGS,
    ago,
    card_of,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    ordered,
    patient_view,
    topic,
    topics,
)

THP = ("trastuzumab", "pertuzumab", "docetaxel")


def _thp_drafts() -> list[dict]:
    return [draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", 134)]


# --- Finding 8: a finished adjuvant order without an end date ------------------------------


def test_finished_adjuvant_order_without_end_date_or_doses_is_not_guessed():
    code, text = DRUGS["trastuzumab"]
    finished = fb.medication_request(
        code, text, status="completed", authored=ago(620), start=ago(620)
    )
    resources = [*her2_positive_mbc(metastatic_days=20, diagnosis_days=800), finished]
    cards = order_select(resources, *_thp_drafts())
    card = card_of(cards, "C12-line-undetermined")
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Line of therapy unclear: end of (neo)adjuvant trastuzumab-based therapy not on file; "
        "the regimen advice depends on it"
    )
    assert "suggestions" not in card
    assert "End date of (neo)adjuvant trastuzumab-based therapy" in card["detail"]
    assert topics(cards) == ["C12-line-undetermined"]


def test_the_same_order_with_its_end_date_gives_a_line():
    resources = [
        *her2_positive_mbc(metastatic_days=20, diagnosis_days=800),
        ordered("trastuzumab", start_days=620, end_days=260),  # ended ~11.8 months before
    ]
    cards = order_select(resources, *_thp_drafts())
    assert topics(cards) == ["C12-second-line"]


# --- Finding 9: adjuvant T-DM1 (KATHERINE) ---------------------------------------------------


def _katherine(t_dm1_end_before_relapse_days: float) -> list[dict]:
    metastatic = 30
    last = metastatic + t_dm1_end_before_relapse_days
    return [
        *her2_positive_mbc(metastatic_days=metastatic, diagnosis_days=900),
        *cycles("trastuzumab", 860, 839, 818, 797, 776, 755, dose=420),
        *cycles("pertuzumab", 860, 839, 818, 797, 776, 755, dose=420),
        *cycles("docetaxel", 860, 839, 818, 797, dose=134),
        *cycles("ado-trastuzumab-emtansine", last + 63, last + 42, last + 21, last, dose=252),
    ]


def test_relapse_nine_months_after_adjuvant_t_dm1_is_second_line():
    cards = order_select(_katherine(270), *_thp_drafts())
    card = card_of(cards, "C12-second-line")
    # 8.9 months is second line by ASCO's 12-month rule and outside the US T-DXd label's
    # 6-month window: the summary says both
    assert card["summary"].startswith(
        "Relapse 8.9 months after adjuvant trastuzumab-based therapy: ASCO prefers T-DXd"
    )
    assert card["summary"].endswith("the US label covers ≤6 months")
    assert "8.9 months before the metastatic diagnosis" in card["detail"]
    assert "C12-first-line" not in topics(cards)


def test_relapse_fourteen_months_after_adjuvant_t_dm1_is_first_line():
    cards = order_select(_katherine(426), draft("pertuzumab", 840), draft("docetaxel", 134))
    assert topics(cards) == ["C12-first-line"]


# --- Finding 15: adjuvant therapy still given after the metastatic date ----------------------


def _adjuvant_running(last_dose_days: float, *, metastatic_days: float = 50) -> list[dict]:
    """Adjuvant trastuzumab every 3 weeks from 400 days ago to `last_dose_days` ago."""
    doses = [d for d in range(400, int(last_dose_days) - 1, -21)]
    return [
        *her2_positive_mbc(metastatic_days=metastatic_days, diagnosis_days=500),
        *cycles("trastuzumab", *doses, dose=420),
    ]


def test_adjuvant_trastuzumab_still_given_when_the_metastatic_disease_was_recorded():
    """Recurrence during adjuvant trastuzumab, or a metastatic date recorded late: either way
    within 12 months of it, so second line (ASCO rec. 5.0) with the dates to check, never a
    first-line THP suggestion (pharmacist review finding 8)."""
    resources = _adjuvant_running(29)  # last dose 21 days after the metastatic date
    cards = order_select(resources, *_thp_drafts())
    card = card_of(cards, "C12-second-line")
    assert card["summary"].startswith("Relapse ≤12 months after adjuvant trastuzumab-based")
    assert "still on file when the metastatic disease was recorded" in card["detail"]
    assert "check the dates in the record" in card["detail"]
    assert "−" not in card["detail"] and "-0." not in card["detail"]  # no negative interval
    assert "C12-line-undetermined" not in topics(cards)
    assert "C12-first-line" not in topics(cards)
    [summary] = patient_view(resources)
    assert topic(summary) == "C12-summary"
    assert "second line" in summary["summary"]


def test_adjuvant_trastuzumab_ended_before_the_metastatic_date_gives_a_line():
    resources = _adjuvant_running(71)  # last dose 21 days before the metastatic date
    cards = order_select(resources, *_thp_drafts())
    assert topics(cards) == ["C12-second-line"]


def test_an_adjuvant_order_left_active_years_ago_is_not_called_still_given():
    """Review 2: an adjuvant trastuzumab order never closed, last given three years before the
    recurrence. The line stays undetermined (the order says active), but the card names the
    last record and never claims therapy was "still given after the metastatic date"."""
    doses = list(range(1450, 1099, -21))  # every 3 weeks, the last 1114 days ago
    resources = [
        *her2_positive_mbc(metastatic_days=10, diagnosis_days=1500),
        ordered("trastuzumab", start_days=1450, status="active"),
        *cycles("trastuzumab", *doses, dose=420),
    ]
    card = card_of(order_select(resources, *_thp_drafts()), "C12-line-undetermined")
    assert card["summary"] == (
        "Line of therapy unclear: an adjuvant HER2 order is still marked active (last record "
        "2023-11-03); the regimen advice depends on it"
    )
    assert "still given" not in card["summary"] + card["detail"]
    assert "but its last record is 2023-11-03, 36 months before it" in card["detail"]
