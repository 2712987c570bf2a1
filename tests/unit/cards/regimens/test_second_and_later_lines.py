"""C12 second line (T-DXd preferred) and later lines (options, no preference)."""

from __future__ import annotations

from cards.findings import Indicator
from fhir_mappings import TherapySetting
from tests.unit.cards.regimens.support import (
    CAPECITABINE,
    DOCETAXEL,
    HR_POSITIVE,
    LAPATINIB,
    NERATINIB,
    PERTUZUMAB,
    T_DM1,
    T_DXD,
    TRASTUZUMAB,
    TUCATINIB,
    body,
    code_of,
    created,
    dose_of,
    exposed,
    her2_mbc,
    history,
    line,
    metastatic,
    only,
    order,
    rendered,
    replaced_ids,
    run,
)

SECOND = only(["C12-second-line"])
LATER = only(["C12-later-lines"])
THP = [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL]


def _after_first_line(**parts):
    exposures = [exposed(d, last_dose_days=120) for d in THP]
    return her2_mbc(therapy=history(*exposures, lines=[line(1, THP, 400, 120)]), **parts)


def _after_two_lines(*, brain=False, **parts):
    exposures = [exposed(d, last_dose_days=300) for d in THP] + [exposed(T_DXD, last_dose_days=120)]
    lines = [line(1, THP, 700, 300), line(2, [T_DXD], 290, 120)]
    return her2_mbc(
        therapy=history(*exposures, lines=lines), disease=metastatic(since_days=720, brain=brain),
        **parts,
    )  # fmt: skip


def test_t_dm1_after_first_line_gets_t_dxd_preferred():
    [finding] = run(_after_first_line(), order(T_DM1, 252, order_id="tdm1"), rules=SECOND)
    assert finding.indicator is Indicator.INFO and not finding.safety
    assert finding.summary.startswith("T-DXd 378 mg (5.4 mg/kg) every 3 weeks is preferred")
    [suggestion] = finding.suggestions
    assert suggestion.is_recommended
    assert [a.type for a in suggestion.actions] == ["update"]
    assert replaced_ids(suggestion) == ["MedicationRequest/tdm1"]
    [resource] = created(finding)
    assert dose_of(resource) == 378
    assert code_of(resource) is None  # no verified RxNorm code for T-DXd: text only
    assert resource["medicationCodeableConcept"]["text"].startswith("T-DXd")
    assert "T-DM1 252 mg (3.6 mg/kg) every 3 weeks when T-DXd is unavailable" in " ".join(
        finding.reasoning
    )
    rendered([finding])


def test_t_dxd_after_first_line_gets_no_card():
    assert run(_after_first_line(), order(T_DXD, 378), rules=SECOND) == []


def test_t_dm1_when_t_dxd_was_already_given_is_not_second_line_advice():
    facts = _after_first_line()
    facts = her2_mbc(
        therapy=history(*facts.therapy.exposures, exposed(T_DXD, setting=TherapySetting.EARLY,
                        last_dose_days=900), lines=facts.therapy.metastatic_lines),
    )  # fmt: skip
    assert run(facts, order(T_DM1, 252), rules=SECOND) == []


def test_recurrence_within_12_months_with_thp_drafted():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=200)
    facts = her2_mbc(disease=metastatic(adjuvant_end_days=200), therapy=history(adjuvant))
    orders = [order(d, 100, order_id=d) for d in THP]
    [finding] = run(facts, *orders, rules=SECOND)
    assert finding.summary.startswith("Relapse ≤12 months after adjuvant trastuzumab")
    [suggestion] = finding.suggestions
    # one draft becomes T-DXd (an update of its id), the others are deleted
    assert replaced_ids(suggestion) == [f"MedicationRequest/{d}" for d in sorted(THP)]
    assert sorted(a.type for a in suggestion.actions) == ["delete", "delete", "update"]


def test_second_line_without_weight_is_a_warning_without_suggestion():
    [finding] = run(_after_first_line(body=body(None, 165)), order(T_DM1, 252), rules=SECOND)
    assert finding.indicator is Indicator.WARNING
    assert finding.suggestions == ()
    assert "5.4 mg/kg" in finding.summary


def test_tucatinib_second_line_with_brain_metastases_gets_no_card():
    facts = _after_first_line(disease=metastatic(since_days=500, brain=True))
    orders = (
        order(TUCATINIB, 300, interval=0.5),
        order(TRASTUZUMAB, 420),
        order(CAPECITABINE, 1790, interval=0.5),
    )
    assert run(facts, *orders, rules=SECOND) == []


def test_continuing_an_ongoing_t_dm1_line_is_not_told_again():
    exposures = [exposed(d, last_dose_days=300) for d in THP] + [
        exposed(T_DM1, last_dose_days=21, active=True)
    ]
    lines = [line(1, THP, 700, 300), line(2, [T_DM1], 290)]
    facts = her2_mbc(therapy=history(*exposures, lines=lines))
    assert run(facts, order(T_DM1, 252), rules=SECOND) == []


def test_third_line_tucatinib_without_capecitabine():
    orders = (order(TUCATINIB, 300, interval=0.5), order(TRASTUZUMAB, 560))
    [finding] = run(_after_two_lines(), *orders, rules=LATER)
    assert "Add capecitabine 1800 mg (1000 mg/m²)" in finding.summary
    assert "tucatinib + trastuzumab" in finding.summary
    [resource] = created(finding)
    assert dose_of(resource) == 1800
    assert resource["dosageInstruction"][0]["timing"]["repeat"] == {
        "frequency": 2, "period": 1.0, "periodUnit": "d",
        "boundsDuration": {
            "value": 14.0, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d",
        },
    }  # fmt: skip
    assert "days 1-14" in resource["dosageInstruction"][0]["text"]
    rendered([finding])


def test_third_line_complete_tucatinib_regimen_gets_no_card():
    orders = (
        order(TUCATINIB, 300, interval=0.5),
        order(TRASTUZUMAB, 560),
        order(CAPECITABINE, 1790, interval=0.5),
    )
    assert run(_after_two_lines(), *orders, rules=LATER) == []


def test_brain_metastases_put_tucatinib_first_when_another_option_is_drafted():
    orders = (
        order(NERATINIB, 240, interval=1, order_id="ner"),
        order(CAPECITABINE, 1340, interval=0.5, order_id="cap"),
    )
    [finding] = run(_after_two_lines(brain=True), *orders, rules=LATER)
    assert finding.summary.startswith("Brain metastases: tucatinib + trastuzumab + capecitabine")
    [suggestion] = finding.suggestions
    assert sorted(dose_of(r) for r in created(finding)) == [300, 560, 1800]
    assert replaced_ids(suggestion) == ["MedicationRequest/cap", "MedicationRequest/ner"]


def test_without_brain_metastases_neratinib_capecitabine_after_two_lines_gets_no_card():
    orders = (order(NERATINIB, 240, interval=1), order(CAPECITABINE, 1340, interval=0.5))
    assert run(_after_two_lines(), *orders, rules=LATER) == []


def test_neratinib_label_needs_two_prior_metastatic_lines():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=500)
    exposures = [adjuvant, exposed(T_DXD, last_dose_days=120)]
    facts = her2_mbc(
        disease=metastatic(since_days=400, adjuvant_end_days=500),
        therapy=history(*exposures, lines=[line(1, [T_DXD], 390, 120)]),
    )
    orders = (order(NERATINIB, 240, interval=1), order(CAPECITABINE, 1340, interval=0.5))
    [finding] = run(facts, *orders, rules=LATER)
    assert "at least 2 prior anti-HER2 regimens" in finding.summary
    assert "1 prior line(s) on file" in finding.summary


def test_lapatinib_alone_lists_its_partners():
    facts = _after_two_lines(hormone_receptors=HR_POSITIVE)
    [finding] = run(facts, order(LAPATINIB, 1250, interval=1), rules=LATER)
    assert "capecitabine" in finding.summary and "trastuzumab" in finding.summary
    labels = sorted(s.label for s in finding.suggestions)
    assert any("capecitabine" in label for label in labels)
    assert any("letrozole" in label for label in labels)


def test_t_dxd_again_is_not_a_later_line_option():
    [finding] = run(_after_two_lines(), order(T_DXD, 378), rules=LATER)
    assert finding.summary.startswith("T-DXd already given")


def test_later_line_advice_lists_endocrine_options_only_when_hr_positive():
    positive = run(_after_two_lines(hormone_receptors=HR_POSITIVE), order(T_DXD, 378), rules=LATER)
    negative = run(_after_two_lines(), order(T_DXD, 378), rules=LATER)
    assert "abemaciclib" in " ".join(positive[0].reasoning)
    assert "abemaciclib" not in " ".join(negative[0].reasoning)


def test_second_line_after_t_dxd_uses_the_later_options():
    exposures = [exposed(d, last_dose_days=30) for d in [T_DXD, PERTUZUMAB]]
    facts = her2_mbc(therapy=history(*exposures, lines=[line(1, [T_DXD, PERTUZUMAB], 400, 30)]))
    [finding] = run(
        facts, order(TUCATINIB, 300, interval=0.5), order(TRASTUZUMAB, 560), rules=LATER
    )
    assert "capecitabine" in finding.summary
    assert run(facts, order(T_DM1, 252), rules=SECOND) == []
