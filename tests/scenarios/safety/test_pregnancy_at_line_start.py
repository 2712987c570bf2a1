"""C5 before the first dose of a HER2-directed drug, not at every cycle (review finding 4).

The labels ask to verify the pregnancy status of females of reproductive potential before
starting. A 38-year-old woman on trastuzumab + pertuzumab maintenance with her negative hCG
from before cycle 1 gets no card at cycle 10; the same woman about to start, restarting after
a long gap, or starting a new HER2-directed drug is asked to verify. A pregnancy on file is
critical at every order."""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    echo,
    hcg,
    her2_positive,
    metastatic,
    ordering,
    safety_cards,
    taking,
    woman,
)

HP = [ordering("trastuzumab", dose=420), ordering("pertuzumab", dose=420)]
HOOKS = ["order-select", "order-sign"]


def c5(cards: list[dict]) -> list[dict]:
    return [c for c in cards if c["source"]["topic"]["code"] == "C5"]


def _woman(*extra: object) -> list:
    return [woman(38), her2_positive(), metastatic(300), echo(62, days=14), *extra]


def _on_hp(last_given: float = 21) -> list:
    return [
        *taking("trastuzumab", since=210, last_given=last_given),
        *taking("pertuzumab", since=210, last_given=last_given),
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_maintenance_cycle_with_an_old_negative_hcg_gets_no_pregnancy_card(hook):
    cards = safety_cards(hook, _woman(hcg(positive=False, days=200)), _on_hp(), orders=HP)
    assert c5(cards) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_first_dose_with_an_old_negative_hcg_is_asked_to_verify(hook):
    [card] = c5(safety_cards(hook, _woman(hcg(positive=False, days=200)), orders=HP))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Verify pregnancy status before trastuzumab and pertuzumab")


@pytest.mark.parametrize(("last_days", "asked"), [(85, False), (95, True)])
def test_a_restart_after_more_than_90_days_is_a_start(last_days, asked):
    """Given within 90 days (her2_line_course_gap_days): under way; beyond it: a restart."""
    history = [
        *taking("trastuzumab", since=400, ended=last_days),
        *taking("pertuzumab", since=400, ended=last_days),
    ]
    cards = c5(safety_cards("order-sign", _woman(), history, orders=HP))
    assert [c["indicator"] for c in cards] == (["warning"] if asked else [])


def test_a_new_her2_drug_during_treatment_is_a_start():
    t_dxd = [ordering("fam-trastuzumab-deruxtecan", dose=378)]
    [card] = c5(
        safety_cards("order-sign", _woman(hcg(positive=False, days=200)), _on_hp(), orders=t_dxd)
    )
    assert card["indicator"] == "warning"


def test_phesgo_after_iv_trastuzumab_and_pertuzumab_is_not_a_start():
    phesgo = [ordering("pertuzumab-trastuzumab-sc", dose=10, unit="mL")]
    cards = safety_cards(
        "order-sign", _woman(hcg(positive=False, days=200)), _on_hp(), orders=phesgo
    )
    assert c5(cards) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_a_pregnancy_on_file_is_critical_at_every_cycle(hook):
    cards = safety_cards(hook, _woman(hcg(positive=True, days=5)), _on_hp(), orders=HP)
    assert [c["indicator"] for c in c5(cards)] == ["critical"]


def test_an_old_pregnancy_record_is_still_shown_for_review_at_a_later_cycle():
    """An undated active pregnancy condition: not a clean negative, so C5 asks."""
    undated = fb.condition("77386006", onset=None, display="Pregnancy")
    cards = safety_cards("order-sign", _woman(undated), _on_hp(), orders=HP)
    assert [c["indicator"] for c in c5(cards)] == ["warning"]


@pytest.mark.parametrize("gender", ["unknown", "other", None])
def test_a_first_dose_for_a_patient_whose_sex_is_not_recorded_asks_to_verify(gender):
    """Missing data is not normal: a 45-year-old whose record gives no sex as female or male
    (`unknown`, `other`, no `gender`) starting trastuzumab and pertuzumab is asked about like a
    woman, not passed over like a man, and the card says the sex is not recorded (review 2,
    finding 16). A man of the same age gets no card."""
    patient = fb.patient(sex="female", birth_date=woman(45)["birthDate"])
    if gender is None:
        del patient["gender"]
    else:
        patient["gender"] = gender
    record = [patient, her2_positive(), metastatic(300), echo(62, days=14)]
    [card] = c5(safety_cards("order-select", record, orders=HP))
    assert card["indicator"] == "warning"
    assert "does not give the patient's sex as female or male" in card["detail"]
    patient["gender"] = "male"
    assert c5(safety_cards("order-select", record, orders=HP)) == []
