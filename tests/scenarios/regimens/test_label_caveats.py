"""Label caveats and honest summaries (issue 9 §4).

- ER 1-10 % is "ER Low Positive" (ASCO/CAP 2020): hormone-receptor-positive advice names it
  ER-low and says that data on endocrine benefit are limited; ER-negative, PgR-positive disease
  gets the matching caveat.
- A recurrence within ASCO's 12 months of adjuvant trastuzumab-based therapy is second line
  with T-DXd preferred; the US T-DXd label covers recurrence within 6 months of completing
  (neo)adjuvant therapy. Advice at 7-12 months says both.
- HR+ HER2+ disease on first-line THP: the summary names the endocrine therapy that may be added
  when the chemotherapy ends (ASCO rec. 7.0; source document 004).
"""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    card_of,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    ordered,
    patient_view,
    topics,
)

ASCO_CAP = "https://doi.org/10.1200/JCO.19.02309"
ENHERTU_LABEL = "setid=7e67e73e-ddf4-4e4d-8b50-09d7514910b6"  # the Enhertu label on DailyMed


def cited(card: dict) -> str:
    """The URLs of the sources the card links (detail names them without links)."""
    return " ".join(link["url"] for link in card.get("links", []))


def _mbc(er: float, pr: float = 0) -> list[dict]:
    return [
        *her2_positive_mbc(),
        fb.receptor("er", percent=er, when=ago(400)),
        fb.receptor("pr", percent=pr, when=ago(400)),
    ]


@pytest.mark.parametrize("er", [1, 5, 10])
def test_er_1_to_10_percent_is_named_er_low_with_the_endocrine_caveat(er):
    card = card_of(order_select(_mbc(er), draft("trastuzumab", 560)), "C12-first-line")
    assert f"**ER-low (ER {er:g} %).**" in card["detail"]
    assert "data on endocrine therapy benefit for these cancers are limited" in card["detail"]
    assert ASCO_CAP in cited(card)  # the caveat's source is cited
    assert card["detail"].index("ER-low") < card["detail"].index("Hormone-receptor-positive")


def test_er_above_10_percent_is_plain_hr_positive():
    card = card_of(order_select(_mbc(11), draft("trastuzumab", 560)), "C12-first-line")
    assert "ER-low" not in card["detail"]
    assert "Hormone-receptor-positive disease" in card["detail"]
    assert ASCO_CAP not in card["detail"]


def test_er_below_1_percent_gets_no_endocrine_advice():
    card = card_of(order_select(_mbc(0.5), draft("trastuzumab", 560)), "C12-first-line")
    assert "ER-low" not in card["detail"]
    assert "Hormone-receptor-positive disease" not in card["detail"]


def test_pgr_positive_er_negative_gets_the_pgr_caveat():
    card = card_of(order_select(_mbc(0, pr=30), draft("trastuzumab", 560)), "C12-first-line")
    assert "ER is negative and only PgR is positive" in card["detail"]
    assert ASCO_CAP in cited(card)


def test_er_low_is_named_in_the_summary_of_endocrine_advice():
    resources = _mbc(5)
    card = card_of(order_select(resources, draft("letrozole", 2.5, every=1)), "C12-first-line")
    assert card["summary"].startswith("HR+ (ER-low) HER2+ MBC: endocrine therapy alone")


def test_er_low_caveat_reaches_the_patient_view_summary():
    card = card_of(patient_view(_mbc(5)), "C12-summary")
    assert "**ER-low (ER 5 %).**" in card["detail"]


# --- the label's 6-month window beside the guideline's 12 months ---------------------------


def _relapse_after(months: float) -> list[dict]:
    metastatic_days = 60
    last = metastatic_days + months * 30.4375
    return [
        *her2_positive_mbc(metastatic_days=metastatic_days, diagnosis_days=last + 500),
        *cycles("trastuzumab", last + 42, last + 21, last, dose=420),
    ]


def test_relapse_11_months_after_adjuvant_trastuzumab_says_the_label_covers_6_months():
    card = card_of(order_select(_relapse_after(11), draft("trastuzumab", 560)), "C12-second-line")
    assert card["summary"] == (
        "Relapse 11 months after adjuvant trastuzumab-based therapy: ASCO prefers T-DXd 378 mg "
        "(5.4 mg/kg) q3w; the US label covers ≤6 months"
    )
    assert "during or within 6 months of completing (neo)adjuvant" in card["detail"]
    assert "this recurrence came later" in card["detail"]
    assert ENHERTU_LABEL in cited(card)


@pytest.mark.parametrize(("months", "covered"), [(5.5, True), (6.5, False)])
def test_either_side_of_the_labels_six_months(months, covered):
    card = card_of(
        order_select(_relapse_after(months), draft("trastuzumab", 560)), "C12-second-line"
    )
    assert ("The US T-DXd label covers this recurrence" in card["detail"]) is covered
    assert ("the US label covers ≤6 months" in card["summary"]) is not covered
    if covered:
        assert card["summary"].startswith("Relapse ≤12 months after adjuvant trastuzumab-based")


def test_relapse_after_13_months_is_first_line_without_the_window():
    cards = order_select(_relapse_after(13), draft("trastuzumab", 560))
    assert topics(cards) == ["C12-first-line"]
    assert "6 months of completing" not in card_of(cards, "C12-first-line")["detail"]


def test_patient_view_of_a_relapse_at_11_months_states_the_window():
    card = card_of(patient_view(_relapse_after(11)), "C12-summary")
    assert card["summary"] == (
        "HER2+ MBC, relapse 11 months after adjuvant therapy: ASCO prefers T-DXd 378 mg "
        "(5.4 mg/kg) q3w; the US label covers ≤6 months"
    )
    assert "this recurrence came later" in card["detail"]
    assert ENHERTU_LABEL in cited(card)


# --- HR+ on first-line THP: endocrine therapy when chemotherapy ends ------------------------


def _on_thp(*, hr_positive: bool) -> list[dict]:
    """THP started 6 weeks ago; orders open, three cycles given."""
    days = (42, 21, 0)
    return [
        *her2_positive_mbc(metastatic_days=60, hr_positive=hr_positive),
        *(ordered(d, start_days=42, status="active") for d in ("trastuzumab", "pertuzumab")),
        ordered("docetaxel", start_days=42, status="active"),
        *cycles("trastuzumab", *days, dose=420),
        *cycles("pertuzumab", *days, dose=420),
        *cycles("docetaxel", *days, dose=134),
    ]


def test_hr_positive_thp_summary_names_endocrine_therapy_for_when_chemotherapy_ends():
    card = card_of(patient_view(_on_thp(hr_positive=True)), "C12-summary")
    assert card["summary"].startswith("HR+ HER2+ MBC on first line")
    assert card["summary"].endswith("endocrine therapy may be added when chemotherapy ends")
    assert "Endocrine therapy may be added when chemotherapy ends" in card["detail"]


def test_hr_negative_thp_summary_has_no_endocrine_therapy():
    card = card_of(patient_view(_on_thp(hr_positive=False)), "C12-summary")
    assert "endocrine" not in card["summary"].lower()
    assert "continue HER2 therapy until progression" in card["summary"]


def test_first_line_thp_card_on_order_select_names_endocrine_therapy_when_hr_positive():
    resources = her2_positive_mbc(hr_positive=True)
    card = card_of(
        order_select(resources, draft("trastuzumab", 560), draft("docetaxel", 134)),
        "C12-first-line",
    )
    assert "Endocrine therapy may be added when chemotherapy ends" in card["detail"]


def test_hr_positive_later_line_options_carry_the_er_low_caveat():
    def third_line(er: float) -> list[dict]:
        return [
            *_mbc(er),
            *cycles("trastuzumab", 700, 679, dose=420),
            *cycles("pertuzumab", 700, 679, dose=420),
            *cycles("fam-trastuzumab-deruxtecan", 400, 379, dose=378),
        ]

    card = card_of(patient_view(third_line(5)), "C12-summary")
    assert "letrozole" in card["detail"]  # an option listed for HR+ disease only
    assert "**ER-low (ER 5 %).**" in card["detail"]
    plain = card_of(patient_view(third_line(80)), "C12-summary")
    assert "letrozole" in plain["detail"]
    assert "ER-low" not in plain["detail"]
