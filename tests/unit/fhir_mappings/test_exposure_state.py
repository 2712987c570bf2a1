"""When a drug is current (fhir_mappings/exposure.py): the record before the doses' window.

NOW is 2026-06-01; trastuzumab's window here is 28 days (a 21-day cycle plus 7 days' grace),
so a dose on 2026-05-20 is within it and one on 2026-04-20 is not.
"""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import CurrentBasis, ExposureState, build_patient_facts, exposure_state
from tests.unit.fhir_mappings.builders import NOW, administration, at, request, statement

TRASTUZUMAB = "224905"
WINDOW = 28.0


def state_of(*resources: dict[str, Any]) -> ExposureState:
    facts = build_patient_facts(list(resources), now=NOW)
    exposure = facts.therapy.of_drug("trastuzumab")
    assert exposure is not None
    return exposure_state(exposure, NOW, window_days=WINDOW, window_text="its cycle plus grace")


def doses(*days: str) -> list[dict[str, Any]]:
    return [administration(TRASTUZUMAB, when=d) for d in days]


def test_doses_alone_within_the_window_are_current() -> None:
    state = state_of(*doses("2026-04-29", "2026-05-20"))
    assert (state.current, state.basis) == (True, CurrentBasis.RECENT_DOSE)
    assert state.why.startswith("last given 2026-05-20, within its cycle plus grace")


def test_doses_alone_beyond_the_window_have_lapsed() -> None:
    state = state_of(*doses("2026-03-30", "2026-04-20"))
    assert (state.current, state.basis) == (False, CurrentBasis.LAPSED)


@pytest.mark.parametrize("status", ["active", "on-hold"])
def test_an_open_order_keeps_the_drug_current_whatever_the_doses(status: str) -> None:
    state = state_of(
        request(TRASTUZUMAB, status=status, authored="2026-01-05", id="rx-open"),
        *doses("2026-03-30", "2026-04-20"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.OPEN_ORDER)
    assert [e.resource_id for e in state.evidence] == ["rx-open"]
    assert state.why.startswith("order still open (dated 2026-01-05); last given 2026-04-20")


@pytest.mark.parametrize("status", ["stopped", "completed", "cancelled"])
def test_a_closed_order_ends_the_exposure_whatever_the_doses_window_says(status: str) -> None:
    state = state_of(
        request(
            TRASTUZUMAB, status=status, authored="2026-01-05", validity=("2026-01-05", "2026-05-21")
        ),
        *doses("2026-04-29", "2026-05-20"),
    )
    assert (state.current, state.basis) == (False, CurrentBasis.RECORD_ENDED)
    assert state.why == f"order {status} 2026-05-21; last given 2026-05-20"


def test_a_stopped_order_without_an_end_date_ends_it_at_the_last_dose_and_says_so() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="stopped", authored="2026-04-28"),
        *doses("2026-04-29", "2026-05-20"),
    )
    assert (state.current, state.basis, state.when) == (
        False,
        CurrentBasis.RECORD_ENDED,
        at("2026-05-20"),
    )
    assert "date not on file" in state.why


def test_an_active_order_past_its_validity_end_has_ended() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="active", validity=("2026-01-05", "2026-05-25")),
        *doses("2026-05-20"),
    )
    assert (state.current, state.basis) == (False, CurrentBasis.RECORD_ENDED)
    assert state.when == at("2026-05-25")


@pytest.mark.parametrize("status", ["stopped", "not-taken", "completed"])
def test_a_statement_stopped_or_not_taken_ends_it(status: str) -> None:
    state = state_of(statement(TRASTUZUMAB, status=status, when="2026-05-22"), *doses("2026-05-20"))
    assert (state.current, state.basis) == (False, CurrentBasis.RECORD_ENDED)
    assert state.why.startswith(f"statement {status} 2026-05-22")


def test_a_statement_whose_period_ended_ends_it() -> None:
    state = state_of(
        statement(TRASTUZUMAB, status="active", period=("2026-01-05", "2026-05-21")),
        *doses("2026-05-20"),
    )
    assert (state.current, state.basis) == (False, CurrentBasis.RECORD_ENDED)


def test_a_dose_given_after_the_order_was_closed_is_judged_by_its_window() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="completed", validity=("2026-01-05", "2026-03-01")),
        *doses("2026-02-22", "2026-05-20"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.RECENT_DOSE)


def test_an_order_entered_in_error_says_nothing_about_the_patient() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="entered-in-error", validity=("2026-01-05", "2026-05-21")),
        *doses("2026-05-20"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.RECENT_DOSE)


def test_a_closed_order_of_an_earlier_course_does_not_end_the_current_one() -> None:
    state = state_of(
        request(
            TRASTUZUMAB,
            status="completed",
            authored="2025-01-05",
            validity=("2025-01-05", "2025-06-01"),
        ),
        *doses("2025-05-20", "2026-05-20"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.RECENT_DOSE)


def test_an_open_order_beside_a_stopped_one_keeps_the_drug_current() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="stopped", validity=("2026-01-05", "2026-03-01")),
        request(TRASTUZUMAB, status="active", authored="2026-03-10"),
        *doses("2026-05-20"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.OPEN_ORDER)


def test_nothing_given_and_nothing_open_is_not_current() -> None:
    state = state_of(request(TRASTUZUMAB, status="completed", authored="2026-01-05"))
    assert state.current is False


def test_an_administration_in_progress_is_current_even_after_a_closed_order() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="completed", validity=("2026-01-05", "2026-05-21")),
        administration(TRASTUZUMAB, when="2026-06-01", status="in-progress"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.RECENT_DOSE)
    assert state.why.startswith("being given now")


def test_a_cancelled_order_for_the_next_cycle_ends_the_exposure() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="cancelled", authored="2026-05-25"), *doses("2026-05-20")
    )
    assert (state.current, state.basis) == (False, CurrentBasis.RECORD_ENDED)
    assert state.why.startswith("order cancelled 2026-05-25")


def test_a_duplicate_order_cancelled_at_the_start_of_the_course_does_not_end_it() -> None:
    state = state_of(
        request(TRASTUZUMAB, status="cancelled", authored="2026-04-28"),
        *doses("2026-04-29", "2026-05-20"),
    )
    assert (state.current, state.basis) == (True, CurrentBasis.RECENT_DOSE)
