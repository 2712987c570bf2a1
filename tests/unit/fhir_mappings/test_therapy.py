"""Therapy history: statuses, dates, setting, lines, anthracycline totals, the 12-month rule."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import MappingConfig, PatientFacts, TherapySetting, build_patient_facts
from tests.unit.fhir_mappings.builders import (
    NOW,
    administration,
    at,
    condition,
    observation,
    qty,
    request,
    statement,
)

TRASTUZUMAB, PERTUZUMAB, DOCETAXEL, DOXORUBICIN = "224905", "1298944", "72962", "3639"


def facts(*resources: dict[str, Any], config: MappingConfig | None = None) -> PatientFacts:
    return build_patient_facts(list(resources), now=NOW, config=config)


def metastatic(onset: str) -> dict[str, Any]:
    return condition("94222008", onset=onset)  # secondary malignant neoplasm of bone


# --- status rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "active"),
    [
        (request(TRASTUZUMAB, status="active"), True),
        (request(TRASTUZUMAB, status="on-hold"), True),
        (request(TRASTUZUMAB, status="completed"), False),
        (request(TRASTUZUMAB, status="stopped"), False),
        (request(TRASTUZUMAB, status="unknown"), False),
        (administration(TRASTUZUMAB, status="in-progress"), True),
        (administration(TRASTUZUMAB, status="completed"), False),
        (administration(TRASTUZUMAB, status="on-hold"), True),
        (statement(TRASTUZUMAB, status="active", when="2026-01-01"), True),
        (statement(TRASTUZUMAB, status="completed", when="2026-01-01"), False),
    ],
)
def test_active_by_status(resource: dict[str, Any], active: bool) -> None:
    exposure = facts(resource).therapy.of_drug("trastuzumab")
    assert exposure is not None
    assert exposure.active is active
    assert exposure.status == resource["status"]


@pytest.mark.parametrize(
    "resource",
    [
        request(TRASTUZUMAB, status="entered-in-error"),
        request(TRASTUZUMAB, status="cancelled"),
        request(TRASTUZUMAB, status="draft"),
        administration(TRASTUZUMAB, status="not-done"),
        administration(TRASTUZUMAB, status="entered-in-error"),
        statement(TRASTUZUMAB, status="not-taken"),
        statement(TRASTUZUMAB, status="intended"),
        statement(TRASTUZUMAB, status="entered-in-error"),
    ],
)
def test_withdrawn_drafts_and_not_given_are_not_history(resource: dict[str, Any]) -> None:
    assert facts(resource).therapy.exposures == ()


def test_active_order_that_ended_before_now_is_not_active() -> None:
    ended = request(TRASTUZUMAB, status="active", validity=("2025-01-01", "2025-12-31"))
    running = request(DOCETAXEL, status="active", validity=("2026-01-01", "2026-12-31"))
    history = facts(ended, running).therapy
    assert history.of_drug("trastuzumab").active is False  # type: ignore[union-attr]
    assert history.of_drug("docetaxel").active is True  # type: ignore[union-attr]


def test_unknown_drugs_are_not_history() -> None:
    assert facts(request("849574"), request(None, text="ondansetron")).therapy.exposures == ()


# --- start and end --------------------------------------------------------------------------


def test_end_from_validity_period() -> None:
    exposure = facts(
        request(TRASTUZUMAB, status="completed", validity=("2025-01-01", "2025-12-01"))
    ).therapy.exposures[0]
    assert (exposure.start, exposure.end) == (at("2025-01-01"), at("2025-12-01"))


def test_start_from_dosing_bounds_before_authored_on() -> None:
    exposure = facts(
        request(DOXORUBICIN, authored="2018-04-12", bounds=("2018-04-01", None))
    ).therapy.exposures[0]
    assert exposure.start == at("2018-04-01")


def test_end_from_the_last_administration() -> None:
    history = facts(
        administration(TRASTUZUMAB, when="2025-01-05"),
        administration(TRASTUZUMAB, when="2025-01-26"),
        administration(TRASTUZUMAB, when="2025-02-16"),
    ).therapy
    exposure = history.of_drug("trastuzumab")
    assert exposure is not None
    assert (exposure.start, exposure.end, exposure.last_dose) == (
        at("2025-01-05"),
        at("2025-02-16"),
        at("2025-02-16"),
    )


def test_end_from_statement_effective_period() -> None:
    exposure = facts(
        statement("10324", status="completed", period=("2019-01-01", "2024-01-01"))
    ).therapy.exposures[0]
    assert (exposure.drug, exposure.start, exposure.end) == (
        "tamoxifen",
        at("2019-01-01"),
        at("2024-01-01"),
    )


@pytest.mark.parametrize(
    "resource",
    [
        request(TRASTUZUMAB, status="completed", authored="2025-03-01"),
        request(TRASTUZUMAB, status="stopped", authored="2025-03-01"),
        statement(TRASTUZUMAB, status="completed", when="2025-03-01"),
        statement(TRASTUZUMAB, status="stopped", period=("2025-03-01", None)),
    ],
)
def test_finished_record_without_an_end_date_keeps_the_end_unknown_and_says_so(
    resource: dict[str, Any],
) -> None:
    """§1.2: "If the dates are missing, say so on the card. Do not guess." """
    result = facts(resource)
    exposure = result.therapy.exposures[0]
    assert (exposure.start, exposure.end, exposure.active) == (at("2025-03-01"), None, False)
    notes = [n for n in result.data_quality if "end date not on file" in n.message]
    assert [n.resource_type for n in notes] == [resource["resourceType"]]
    assert resource["id"] not in notes[0].message


@pytest.mark.parametrize(
    ("resource", "end"),
    [
        (request(TRASTUZUMAB, status="completed", validity=("2025-03-01", "2025-09-01")), "09-01"),
        (request(TRASTUZUMAB, status="stopped", bounds=("2025-03-01", "2025-08-01")), "08-01"),
        (statement(TRASTUZUMAB, status="completed", period=("2025-03-01", "2025-07-01")), "07-01"),
        (administration(TRASTUZUMAB, status="completed", when="2025-03-01"), "03-01"),
    ],
)
def test_finished_record_with_an_end_date_or_a_given_dose_keeps_it_without_a_note(
    resource: dict[str, Any], end: str
) -> None:
    result = facts(resource)
    assert result.therapy.exposures[0].end == at(f"2025-{end}")
    assert not [n for n in result.data_quality if "end date" in n.message]


def test_a_later_order_without_an_end_leaves_the_course_end_unknown() -> None:
    """The last dose before a later finished order is not the end of the course: not on file."""
    result = facts(
        administration(TRASTUZUMAB, when="2025-01-05"),
        administration(TRASTUZUMAB, when="2025-01-26"),
        request(TRASTUZUMAB, status="completed", authored="2025-02-16"),
    )
    exposure = result.therapy.of_drug("trastuzumab")
    assert exposure is not None
    assert (exposure.end, exposure.last_dose) == (None, at("2025-01-26"))


def test_an_order_written_before_the_last_dose_does_not_hide_the_end() -> None:
    exposure = facts(
        request(TRASTUZUMAB, status="completed", authored="2025-01-04"),
        administration(TRASTUZUMAB, when="2025-01-05"),
        administration(TRASTUZUMAB, when="2025-01-26"),
    ).therapy.of_drug("trastuzumab")
    assert exposure is not None
    assert exposure.end == at("2025-01-26")


def test_undated_record_is_undated() -> None:
    exposure = facts(request(TRASTUZUMAB, authored=None)).therapy.exposures[0]
    assert (exposure.start, exposure.end, exposure.setting) == (None, None, TherapySetting.UNKNOWN)


def test_orders_administrations_and_statements_of_one_drug_are_one_exposure() -> None:
    history = facts(
        request(TRASTUZUMAB, authored="2026-01-01", dose=qty(6, "mg/kg")),
        administration(TRASTUZUMAB, when="2026-01-05", dose=qty(420, "mg")),
        statement(None, text="Herceptin", when="2026-02-01"),
    ).therapy
    assert len(history.exposures) == 1
    exposure = history.exposures[0]
    assert len(exposure.evidence) == 3
    assert [e.when for e in exposure.evidence] == [
        at("2026-02-01"),
        at("2026-01-05"),
        at("2026-01-01"),
    ]
    assert [d.dose.unit for d in exposure.doses if d.dose] == ["mg", "mg/kg"]
    assert exposure.last_dose == at("2026-01-05")
    assert exposure.status == "active"  # the newest record's status


def test_classes_on_exposures() -> None:
    history = facts(request(TRASTUZUMAB), request(DOXORUBICIN), request("2119714")).therapy
    assert {e.drug for e in history.of_class("trastuzumab-containing")} == {
        "trastuzumab",
        "trastuzumab-sc",
    }
    assert [e.drug for e in history.of_class("anthracycline")] == ["doxorubicin"]


# --- setting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "setting"),
    [
        ("2025-06-10", TherapySetting.METASTATIC),
        ("2025-06-01", TherapySetting.METASTATIC),
        ("2025-05-20", TherapySetting.METASTATIC),  # within the 14-day grace
        ("2025-05-10", TherapySetting.EARLY),
        ("2023-01-01", TherapySetting.EARLY),
    ],
)
def test_setting_against_the_metastatic_date(start: str, setting: TherapySetting) -> None:
    result = facts(metastatic("2025-06-01"), request(TRASTUZUMAB, authored=start))
    assert result.therapy.exposures[0].setting is setting


def test_grace_is_configurable() -> None:
    resources = (metastatic("2025-06-01"), request(TRASTUZUMAB, authored="2025-05-20"))
    assert (
        facts(*resources, config=MappingConfig(metastatic_grace_days=0))
        .therapy.exposures[0]
        .setting
        is TherapySetting.EARLY
    )


def test_setting_unknown_without_a_metastatic_date() -> None:
    assert facts(request(TRASTUZUMAB)).therapy.exposures[0].setting is TherapySetting.UNKNOWN


def test_exposure_setting_is_the_latest_course() -> None:
    result = facts(
        metastatic("2025-06-01"),
        administration(TRASTUZUMAB, when="2023-01-10"),
        administration(TRASTUZUMAB, when="2023-12-10"),
        administration(TRASTUZUMAB, when="2025-07-01"),
    )
    exposure = result.therapy.of_drug("trastuzumab")
    assert exposure is not None
    assert exposure.setting is TherapySetting.METASTATIC
    assert exposure.start == at("2023-01-10")


# --- lines -----------------------------------------------------------------------------------


def test_metastatic_lines() -> None:
    history = facts(
        metastatic("2025-06-01"),
        administration(TRASTUZUMAB, when="2023-01-10"),  # adjuvant: not a metastatic line
        administration(TRASTUZUMAB, when="2025-06-10"),
        administration(PERTUZUMAB, when="2025-06-17"),
        administration(DOCETAXEL, when="2025-06-10"),
        administration(TRASTUZUMAB, when="2025-07-01"),
        administration(None, text="Phesgo", when="2025-09-01"),  # same agents, new formulation
        request(None, text="fam-trastuzumab deruxtecan", authored="2026-01-10", status="completed",
                validity=("2026-01-10", "2026-04-01")),
        request("2361290", authored="2026-05-01"),  # tucatinib
        request(TRASTUZUMAB, authored="2026-05-02", status="active"),
        request("194000", authored="2026-05-01"),  # capecitabine: not HER2-directed
    ).therapy  # fmt: skip
    lines = history.metastatic_lines
    assert [line.number for line in lines] == [1, 2, 3]
    assert lines[0].drugs == {"trastuzumab", "pertuzumab", "pertuzumab-trastuzumab-sc"}
    assert lines[0].start == at("2025-06-10")
    assert lines[0].end == at("2025-09-01")
    assert lines[1].drugs == {"fam-trastuzumab-deruxtecan"}
    assert lines[1].end == at("2026-04-01")
    assert lines[2].drugs == {"tucatinib", "trastuzumab"}
    assert lines[2].end is None  # ongoing


def test_line_window_is_configurable() -> None:
    resources = (
        metastatic("2025-06-01"),
        administration(TRASTUZUMAB, when="2025-06-10"),
        administration(PERTUZUMAB, when="2025-07-20"),
    )
    assert len(facts(*resources).therapy.metastatic_lines) == 2
    assert (
        len(facts(*resources, config=MappingConfig(line_window_days=60)).therapy.metastatic_lines)
        == 1
    )


def test_no_lines_without_a_metastatic_date() -> None:
    assert facts(administration(TRASTUZUMAB)).therapy.metastatic_lines == ()


# --- cumulative anthracycline ----------------------------------------------------------------


def _size() -> list[dict[str, Any]]:
    return [
        observation("29463-7", valueQuantity=qty(72, "kg")),
        observation("8302-2", valueQuantity=qty(180, "cm")),
    ]  # Mosteller BSA = 1.897...


def test_cumulative_dose_from_administrations_in_mg_per_m2() -> None:
    doses = [
        administration(DOXORUBICIN, when=f"2025-0{m}-01", dose=qty(60, "mg/m2"))
        for m in range(1, 5)
    ]
    total = facts(*doses).therapy.anthracyclines[0]
    assert (total.drug, total.mg_per_m2, total.administrations, total.uncounted) == (
        "doxorubicin",
        240.0,
        4,
        0,
    )


def test_doses_in_mg_are_divided_by_the_current_bsa_with_a_note() -> None:
    result = facts(*_size(), administration(DOXORUBICIN, dose=qty(113.8, "mg")))
    bsa = result.body.bsa_m2
    assert bsa is not None
    assert result.therapy.anthracyclines[0].mg_per_m2 == pytest.approx(113.8 / bsa)
    assert any("current BSA" in n.message for n in result.data_quality)


def test_unconvertible_doses_are_counted_as_uncounted() -> None:
    result = facts(
        administration(DOXORUBICIN, dose=qty(60, "mg/m2")),
        administration(DOXORUBICIN, dose=qty(1.5, "mg/kg")),
        administration(DOXORUBICIN),
        administration(DOXORUBICIN, dose=qty(100, "mg")),  # no BSA on file
    )
    total = result.therapy.anthracyclines[0]
    assert (total.mg_per_m2, total.administrations, total.uncounted) == (60.0, 4, 3)
    assert any("no BSA" in n.message for n in result.data_quality)


def test_totals_per_anthracycline_and_orders_do_not_count() -> None:
    history = facts(
        administration(DOXORUBICIN, dose=qty(60, "mg/m2")),
        administration("1732186", dose=qty(90, "mg/m2")),  # epirubicin
        administration(None, text="Doxil", dose=qty(50, "mg/m2")),
        request(DOXORUBICIN, dose=qty(60, "mg/m2")),
        administration(TRASTUZUMAB, dose=qty(6, "mg/kg")),
    ).therapy
    totals = {t.drug: t.mg_per_m2 for t in history.anthracyclines}
    assert totals == {"doxorubicin": 60.0, "epirubicin": 90.0, "doxorubicin-liposomal": 50.0}


# --- adjuvant trastuzumab and the 12-month rule (§1.2) ---------------------------------------


@pytest.mark.parametrize(("recurrence", "months"), [("2025-05-29", 11.9), ("2025-06-04", 12.1)])
def test_interval_from_adjuvant_trastuzumab_end_to_recurrence(
    recurrence: str, months: float
) -> None:
    result = facts(
        administration(TRASTUZUMAB, when="2023-06-01"),
        administration(TRASTUZUMAB, when="2024-06-01"),
        metastatic(recurrence),
    )
    disease = result.disease
    assert disease.adjuvant_trastuzumab_end == at("2024-06-01")
    assert disease.metastatic_since == at(recurrence)
    assert disease.months_adjuvant_end_to_recurrence == pytest.approx(months, abs=0.05)
    assert (disease.months_adjuvant_end_to_recurrence <= 12) is (months < 12)  # type: ignore[operator]


def test_adjuvant_end_from_an_order_validity_period() -> None:
    result = facts(
        request("2119714", status="completed", validity=("2023-06-01", "2024-06-01")),
        metastatic("2025-06-04"),
    )
    assert result.disease.adjuvant_trastuzumab_end == at("2024-06-01")


@pytest.mark.parametrize("status", ["stopped", "completed"])
def test_adjuvant_end_not_on_file_is_unknown_not_guessed(status: str) -> None:
    """§1.2: a finished order without an end date gives no interval, and a note says why."""
    result = facts(
        request(TRASTUZUMAB, status=status, authored="2024-02-01"), metastatic("2025-06-04")
    )
    assert result.therapy.of_drug("trastuzumab").setting is TherapySetting.EARLY  # type: ignore[union-attr]
    assert result.disease.adjuvant_trastuzumab_end is None
    assert result.disease.months_adjuvant_end_to_recurrence is None
    messages = [n.message for n in result.data_quality]
    assert any(
        "early-setting trastuzumab-based therapy" in m and "not on file" in m for m in messages
    )


def test_adjuvant_end_is_not_taken_from_an_earlier_course_when_the_last_has_no_end() -> None:
    result = facts(
        administration(TRASTUZUMAB, when="2023-01-05"),
        administration(TRASTUZUMAB, when="2023-06-05"),
        request(TRASTUZUMAB, status="completed", authored="2024-02-01"),  # a later course
        metastatic("2025-06-04"),
    )
    assert result.disease.adjuvant_trastuzumab_end is None
    assert result.disease.months_adjuvant_end_to_recurrence is None


def test_adjuvant_end_from_administrations_needs_no_note() -> None:
    result = facts(
        request(TRASTUZUMAB, status="completed", authored="2023-06-01"),
        administration(TRASTUZUMAB, when="2023-06-01"),
        administration(TRASTUZUMAB, when="2024-06-01"),
        metastatic("2025-06-04"),
    )
    assert result.disease.adjuvant_trastuzumab_end == at("2024-06-01")
    assert not [n for n in result.data_quality if "end" in n.message]


@pytest.mark.parametrize(
    "adjuvant",
    [
        administration("1371041", when="2024-06-01"),  # T-DM1 after neoadjuvant TH (KATHERINE)
        administration("2267576", when="2024-06-01"),  # T-DXd (DESTINY-Breast05)
        administration(None, text="Phesgo", when="2024-06-01"),
        administration("2119714", when="2024-06-01"),  # trastuzumab SC (Hylecta)
    ],
)
def test_every_trastuzumab_based_antibody_ends_adjuvant_trastuzumab(
    adjuvant: dict[str, Any],
) -> None:
    """ASCO rec. 5.0 speaks of trastuzumab-based therapy: adjuvant T-DM1 or T-DXd counts."""
    result = facts(
        administration(TRASTUZUMAB, when="2023-06-01"),  # neoadjuvant
        administration(TRASTUZUMAB, when="2023-09-01"),
        adjuvant,
        metastatic("2025-03-01"),
    )
    assert result.disease.adjuvant_trastuzumab_end == at("2024-06-01")
    assert result.disease.months_adjuvant_end_to_recurrence == pytest.approx(9.0, abs=0.1)


@pytest.mark.parametrize(
    "other",
    [
        administration(PERTUZUMAB, when="2024-06-01"),
        administration("1940643", when="2024-06-01"),  # neratinib (extended adjuvant, ExteNET)
        administration(None, text="margetuximab", when="2024-06-01"),
    ],
)
def test_her2_agents_that_are_not_trastuzumab_based_do_not_end_adjuvant_trastuzumab(
    other: dict[str, Any],
) -> None:
    result = facts(
        administration(TRASTUZUMAB, when="2023-06-01"),
        administration(TRASTUZUMAB, when="2023-09-01"),
        other,
        metastatic("2025-03-01"),
    )
    settings = {e.drug: e.setting for e in result.therapy.exposures}
    assert len(settings) == 2 and set(settings.values()) == {TherapySetting.EARLY}
    assert result.disease.adjuvant_trastuzumab_end == at("2023-09-01")


def test_interval_is_negative_when_adjuvant_therapy_ran_past_the_metastatic_date() -> None:
    """Finding 15: a course that started before the metastatic date and was still given after
    it (or a metastatic date recorded late) gives a negative interval, not a guess."""
    result = facts(
        administration(TRASTUZUMAB, when="2025-01-05"),
        administration(TRASTUZUMAB, when="2025-03-20"),
        administration(TRASTUZUMAB, when="2025-04-10"),  # after the metastatic date
        metastatic("2025-03-01"),
    )
    assert result.therapy.of_drug("trastuzumab").setting is TherapySetting.EARLY  # type: ignore[union-attr]
    assert result.disease.adjuvant_trastuzumab_end == at("2025-04-10")
    months = result.disease.months_adjuvant_end_to_recurrence
    assert months is not None and months == pytest.approx(-1.3, abs=0.05)


def test_metastatic_trastuzumab_based_therapy_does_not_count() -> None:
    result = facts(
        administration("1371041", when="2025-07-01"),  # T-DM1 for metastatic disease
        administration(TRASTUZUMAB, when="2025-08-01"),
        metastatic("2025-06-04"),
    )
    assert result.disease.adjuvant_trastuzumab_end is None
    assert result.disease.months_adjuvant_end_to_recurrence is None


def test_no_interval_without_a_recurrence_date() -> None:
    result = facts(administration(TRASTUZUMAB, when="2024-06-01"))
    assert (
        result.disease.adjuvant_trastuzumab_end is None
    )  # setting unknown without a metastatic date
    assert result.disease.months_adjuvant_end_to_recurrence is None


def test_do_not_perform_orders_are_not_history() -> None:
    assert facts(request(TRASTUZUMAB, doNotPerform=True)).therapy.exposures == ()
