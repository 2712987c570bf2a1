"""HER2 therapy stopped together with the chemotherapy (review finding 10; ASCO 2022 rec. 4.0,
the first source document's named pitfall): when chemotherapy stops, trastuzumab + pertuzumab
continue until progression; in HR+ disease endocrine therapy is added to them (rec. 7.0).

Second review R2: "stopped with the chemotherapy" only when the last HER2 dose falls within about
one cycle of the chemotherapy's end; H+P that ran on for months and then stopped (progression,
toxicity, a planned break) is a different story the card must not tell."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    card_of,
    created,
    cycles,
    draft,
    her2_positive_mbc,
    order_select,
    patient_view,
    topics,
)

RULE = "C12-her2-maintenance"
CHEMO_DAYS = (150, 129, 108, 87, 66, 45)


def _thp_stopped(*, hr_positive: bool, her2_last: float = 45, chemo_cycles: int = 6) -> list[dict]:
    """First-line THP from 150 days ago; docetaxel `chemo_cycles` cycles (6: to 45 days ago)
    and trastuzumab + pertuzumab until `her2_last` days ago."""
    her2_days = [d for d in range(150, int(her2_last) - 1, -21)]
    return [
        *her2_positive_mbc(metastatic_days=160, hr_positive=hr_positive),
        *cycles("trastuzumab", *her2_days, dose=420),
        *cycles("pertuzumab", *her2_days, dose=420),
        *cycles("docetaxel", *CHEMO_DAYS[:chemo_cycles], dose=134),
    ]


def test_her2_therapy_stopped_one_cycle_after_the_chemotherapy_gets_the_card():
    # docetaxel last 66 days ago, H+P once more 21 days later (45 days ago), then nothing
    resources = _thp_stopped(hr_positive=False, chemo_cycles=5)
    cards = order_select(resources, draft("capecitabine", 1790, per_day=2))
    assert "stopped with it" in card_of(cards, RULE)["summary"]


def test_her2_therapy_stopped_two_cycles_after_the_chemotherapy_is_not_stopped_with_it():
    # docetaxel last 87 days ago, H+P two cycles more (to 45 days ago): not stopped with it
    resources = _thp_stopped(hr_positive=False, chemo_cycles=4)
    assert RULE not in topics(order_select(resources, draft("capecitabine", 1790, per_day=2)))
    summary = card_of(patient_view(resources), "C12-summary")["summary"]
    assert "stopped with the chemotherapy" not in summary


def test_her2_therapy_that_ran_seven_months_past_the_chemotherapy_gets_no_card():
    # the reviewer's case: H+P 400 -> 60 days ago, docetaxel 400 -> 280 days ago; letrozole
    her2_days = list(range(400, 59, -21))
    resources = [
        *her2_positive_mbc(metastatic_days=420, hr_positive=True),
        *cycles("trastuzumab", *her2_days, dose=420),
        *cycles("pertuzumab", *her2_days, dose=420),
        *cycles("docetaxel", *range(400, 279, -21), dose=134),
    ]
    assert RULE not in topics(order_select(resources, draft("letrozole", 2.5, every=1)))
    card = card_of(patient_view(resources), "C12-summary")
    assert "stopped with the chemotherapy" not in card["summary"]
    assert "resume" not in card["summary"]


def test_hr_positive_letrozole_drafted_alone_after_thp_stopped():
    cards = order_select(_thp_stopped(hr_positive=True), draft("letrozole", 2.5, every=1))
    card = card_of(cards, RULE)
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Continue trastuzumab + pertuzumab with the endocrine therapy: stopped with the "
        "chemotherapy on 2026-10-07"
    )
    assert "rec. 4.0" in card["detail"] and "rec. 7.0" in card["detail"]
    assert "progression" in card["detail"]
    doses = sorted(
        (r["medicationCodeableConcept"]["text"], r["dosageInstruction"][0]["doseAndRate"][0][
            "doseQuantity"]["value"])
        for r in created(card)
    )  # fmt: skip
    # 45 days since the last dose: trastuzumab is re-loaded (>1 week late), pertuzumab too (≥6 wk)
    assert doses == [("pertuzumab", 840), ("trastuzumab", 560)]
    assert card["suggestions"][0]["isRecommended"] is True


def test_hr_negative_capecitabine_drafted_alone_after_thp_stopped():
    cards = order_select(_thp_stopped(hr_positive=False), draft("capecitabine", 1790, per_day=2))
    card = card_of(cards, RULE)
    assert card["summary"] == (
        "Continue trastuzumab + pertuzumab when chemotherapy stops: stopped with it on 2026-10-07"
    )
    assert "endocrine" not in card["summary"]


def test_hr_positive_without_endocrine_therapy_drafted_says_add_it():
    cards = order_select(_thp_stopped(hr_positive=True), draft("capecitabine", 1790, per_day=2))
    card = card_of(cards, RULE)
    # ASCO rec. 7.0 says endocrine therapy *may be added* when chemotherapy ends: the card
    # leads with the HER2 therapy to continue and offers the endocrine therapy in those words
    assert card["summary"].startswith("HR+: continue trastuzumab + pertuzumab")
    assert card["summary"].endswith("endocrine therapy may be added")


def test_her2_maintenance_still_given_gets_no_card():
    resources = _thp_stopped(hr_positive=True, her2_last=3)
    cards = order_select(resources, draft("letrozole", 2.5, every=1))
    assert RULE not in topics(cards)


def test_drafts_that_continue_her2_therapy_get_no_card():
    cards = order_select(
        _thp_stopped(hr_positive=True),
        draft("letrozole", 2.5, every=1),
        draft("trastuzumab", 560),
        draft("pertuzumab", 840),
    )
    assert RULE not in topics(cards)


def test_heart_failure_on_file_gets_no_continue_card():
    resources = [
        *_thp_stopped(hr_positive=False),
        fb.condition("84114007", onset=ago(50), display="Heart failure"),
    ]
    cards = order_select(resources, draft("capecitabine", 1790, per_day=2))
    assert RULE not in topics(cards)


def test_low_lvef_gets_no_continue_card():
    resources = [*_thp_stopped(hr_positive=False), fb.lvef(42, when=ago(5))]
    cards = order_select(resources, draft("capecitabine", 1790, per_day=2))
    assert RULE not in topics(cards)


def test_patient_view_does_not_say_continue_when_her2_therapy_stopped():
    card = card_of(patient_view(_thp_stopped(hr_positive=True)), "C12-summary")
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "HER2+ MBC: trastuzumab + pertuzumab stopped with the chemotherapy (2026-10-07); "
        "resume unless the disease progressed"
    )
    assert "continue HER2 therapy until progression" not in card["summary"]
    assert "Endocrine therapy may be added when chemotherapy ends" in card["detail"]


def test_patient_view_on_ongoing_maintenance_says_continue():
    card = card_of(patient_view(_thp_stopped(hr_positive=True, her2_last=3)), "C12-summary")
    assert card["indicator"] == "info"
    # HR+ with the chemotherapy over and no endocrine therapy in the line: the summary names
    # the endocrine therapy that may be added now (ASCO rec. 7.0, source document 004)
    assert card["summary"].startswith("HR+ HER2+ MBC on first line")
    assert (
        "continue HER2 therapy; endocrine therapy may be added now that chemotherapy has"
        in (card["summary"])
    )
    hr_negative = patient_view(_thp_stopped(hr_positive=False, her2_last=3))
    assert (
        "continue HER2 therapy until progression" in card_of(hr_negative, "C12-summary")["summary"]
    )


def test_patient_view_with_heart_failure_says_why_her2_therapy_may_have_stopped():
    resources = [
        *_thp_stopped(hr_positive=False),
        fb.condition("84114007", onset=ago(50), display="Heart failure"),
    ]
    card = card_of(patient_view(resources), "C12-summary")
    assert card["summary"] == (
        "HER2+ MBC: trastuzumab + pertuzumab last given 2026-10-07; heart failure is on file"
    )
    assert "continue" not in card["summary"].lower() and "resume" not in card["summary"]


def _second_line_t_dxd(last_dose_days: int) -> list[dict]:
    return [
        *her2_positive_mbc(metastatic_days=720),
        *cycles("trastuzumab", 690, 669, 648, 200, dose=420),
        *cycles("pertuzumab", 690, 669, 648, 200, dose=420),
        *cycles("docetaxel", 690, 669, 648, dose=134),
        *cycles("fam-trastuzumab-deruxtecan", *range(180, last_dose_days - 1, -20), dose=378),
    ]


def test_patient_view_of_a_stopped_t_dxd_line_does_not_say_continue():
    card = card_of(patient_view(_second_line_t_dxd(40)), "C12-summary")
    assert card["summary"] == ("HER2+ MBC: second line T-DXd last given 2026-10-12; no open order")
    assert "Progression is not read from the record" in card["detail"]
    ongoing = card_of(patient_view(_second_line_t_dxd(20)), "C12-summary")
    assert "continue HER2 therapy until progression" in ongoing["summary"]


def test_patient_view_on_her2_therapy_with_a_pregnancy_on_file_does_not_say_continue():
    resources = [
        *_thp_stopped(hr_positive=False, her2_last=3),
        fb.condition("77386006", onset=ago(40), display="Pregnancy"),
    ]
    card = card_of(patient_view(resources), "C12-summary")
    assert "continue" not in card["summary"].lower()
    assert card["summary"].endswith("a pregnancy is on file: see the safety cards")
