"""Recurrence after adjuvant trastuzumab: within 12 months follows second line (T-DXd), later
follows first line (THP); without the dates the line is not guessed (ASCO 2022 rec. 5.0/5.1)."""

from __future__ import annotations

import pytest

from tests.scenarios.regimens.builders import (
    card_of,
    created,
    cycles,
    deleted,
    dose_mg,
    draft,
    drug_text,
    her2_positive_mbc,
    order_select,
    ordered,
    patient_view,
    reference,
    rxnorm,
    topics,
)


def _adjuvant_ended(months_before_recurrence: float, *, metastatic_days: float = 60) -> list:
    """Adjuvant trastuzumab q3w for a year, last dose `months` before the recurrence."""
    last = metastatic_days + months_before_recurrence * 30.4375
    return [
        *her2_positive_mbc(metastatic_days=metastatic_days, diagnosis_days=last + 500),
        *cycles("trastuzumab", last + 42, last + 21, last, dose=420),
    ]


def test_recurrence_8_months_after_adjuvant_trastuzumab_is_second_line():
    drafts = [draft("trastuzumab", 560), draft("pertuzumab", 840), draft("docetaxel", 134)]
    cards = order_select(_adjuvant_ended(8), *drafts)
    card = card_of(cards, "C12-second-line")
    # 8 months: ASCO's 12-month rule makes it second line, but the US T-DXd label covers
    # recurrence within 6 months of completing (neo)adjuvant therapy: the card says both
    assert card["summary"] == (
        "Relapse 8 months after adjuvant trastuzumab-based therapy: ASCO prefers T-DXd 378 mg "
        "(5.4 mg/kg) q3w; the US label covers ≤6 months"
    )
    assert "this recurrence came later" in card["detail"]
    [resource] = created(card)
    assert dose_mg(resource) == 378
    assert drug_text(resource) == "T-DXd (fam-trastuzumab deruxtecan)"
    assert rxnorm(resource) is None  # no verified RxNorm code for T-DXd: coded by text only
    assert sorted(deleted(card)) == sorted(reference(d) for d in drafts)
    assert "8.0 months before the metastatic diagnosis" in card["detail"]
    assert "C12-first-line" not in topics(cards)


@pytest.mark.parametrize(("months", "line"), [(11.8, "C12-second-line"), (12.3, "C12-first-line")])
def test_either_side_of_twelve_months(months, line):
    cards = order_select(_adjuvant_ended(months), draft("trastuzumab", 560))
    assert topics(cards) == [line]


def test_recurrence_18_months_later_is_first_line_with_a_trastuzumab_reload():
    cards = order_select(_adjuvant_ended(18), draft("pertuzumab", 840), draft("docetaxel", 134))
    card = card_of(cards, "C12-first-line")
    assert card["summary"].startswith("Add trastuzumab 560 mg (8 mg/kg) loading dose")
    assert "later than due" in card["detail"]  # the last adjuvant dose was 20 months ago
    assert [dose_mg(r) for r in created(card)] == [560]


def test_adjuvant_trastuzumab_without_an_end_date_is_not_guessed():
    resources = [
        *her2_positive_mbc(metastatic_days=60, diagnosis_days=900),
        ordered("trastuzumab", start_days=800, status="active"),  # never closed, no end date
    ]
    cards = order_select(resources, draft("trastuzumab", 560), draft("docetaxel", 134))
    card = card_of(cards, "C12-line-undetermined")
    assert card["indicator"] == "warning"
    assert card["summary"].startswith(
        "Line of therapy unclear: end of (neo)adjuvant trastuzumab-based therapy"
    )
    assert "suggestions" not in card
    assert "**If first line:**" in card["detail"] and "**If second line:**" in card["detail"]
    assert topics(cards) == ["C12-line-undetermined"]
    assert topics(patient_view(resources)) == ["C12-line-undetermined"]
