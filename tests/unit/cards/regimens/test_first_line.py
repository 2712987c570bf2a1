"""C12 first line: THP components, T-DXd + pertuzumab, other regimens, no card when complete."""

from __future__ import annotations

from cards.findings import Indicator
from fhir_mappings import TherapySetting
from tests.unit.cards.regimens.support import (
    DOCETAXEL,
    HR_POSITIVE,
    LAPATINIB,
    LETROZOLE,
    PACLITAXEL,
    PERTUZUMAB,
    PHESGO,
    T_DM1,
    T_DXD,
    TRASTUZUMAB,
    body,
    code_of,
    created,
    dose_of,
    exposed,
    her2_mbc,
    history,
    metastatic,
    only,
    order,
    rendered,
    run,
)

RULES = only(["C12-first-line"])


def test_trastuzumab_and_docetaxel_without_pertuzumab():
    [finding] = run(her2_mbc(), order(TRASTUZUMAB, 560), order(DOCETAXEL, 134), rules=RULES)
    assert finding.indicator is Indicator.INFO
    assert finding.summary == "Add pertuzumab 840 mg loading dose to trastuzumab + docetaxel"
    assert not finding.safety
    [resource] = created(finding)
    assert dose_of(resource) == 840
    assert code_of(resource) == "1298944"
    loading, maintenance = resource["dosageInstruction"]
    assert loading["timing"]["repeat"] == {"count": 1}
    assert maintenance["timing"]["repeat"] == {"frequency": 1, "period": 3, "periodUnit": "wk"}
    assert dose_of({"dosageInstruction": [maintenance]}) == 420
    rendered([finding])


def test_complete_thp_gets_no_card():
    orders = (order(TRASTUZUMAB, 560), order(PERTUZUMAB, 840), order(DOCETAXEL, 134))
    assert run(her2_mbc(), *orders, rules=RULES) == []


def test_phesgo_with_paclitaxel_is_complete_thp():
    assert (
        run(her2_mbc(), order(PHESGO, 1200), order(PACLITAXEL, 143, interval=7), rules=RULES) == []
    )


def test_pertuzumab_without_trastuzumab_suggests_560_mg_loading():
    [finding] = run(her2_mbc(), order(PERTUZUMAB, 840), order(DOCETAXEL, 134), rules=RULES)
    assert "trastuzumab 560 mg (8 mg/kg) loading dose" in finding.summary
    [resource] = created(finding)
    assert dose_of(resource) == 560 and code_of(resource) == "224905"
    assert "8 mg/kg × 70 kg = 560 mg" in resource["dosageInstruction"][0]["text"]


def test_trastuzumab_alone_offers_docetaxel_or_paclitaxel_with_pertuzumab():
    [finding] = run(her2_mbc(), order(TRASTUZUMAB, 560), rules=RULES)
    assert finding.selection_behavior == "at-most-one"
    labels = [s.label for s in finding.suggestions]
    assert labels == [
        "Add pertuzumab 840 mg + docetaxel 134 mg",
        "Add pertuzumab 840 mg + paclitaxel 143 mg weekly",
    ]
    assert not any(s.is_recommended for s in finding.suggestions)
    doses = sorted(dose_of(r) for r in created(finding))
    assert doses == [134, 143, 840, 840]
    assert len(finding.summary) < 140
    rendered([finding])


def test_weekly_paclitaxel_suggestion_is_timed_weekly():
    [finding] = run(her2_mbc(), order(TRASTUZUMAB, 560), order(PERTUZUMAB, 840), rules=RULES)
    [_docetaxel, paclitaxel] = finding.suggestions
    resource = paclitaxel.actions[0].resource
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["period"] == 1
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] == "wk"
    assert "chemotherapy" in " ".join(finding.reasoning).lower()
    assert "until progression" in " ".join(finding.reasoning)


def test_reasoning_mentions_db09_as_label_option():
    [finding] = run(her2_mbc(), order(TRASTUZUMAB, 560), rules=RULES)
    text = " ".join(finding.reasoning)
    assert "DESTINY-Breast09" in text and "FDA-approved first line" in text


def test_no_weight_means_a_warning_and_no_trastuzumab_suggestion():
    facts = her2_mbc(body=body(None, 165))
    [finding] = run(facts, order(PERTUZUMAB, 840), order(DOCETAXEL, 134), rules=RULES)
    assert finding.indicator is Indicator.WARNING
    assert "no weight on file" in finding.summary
    assert finding.suggestions == ()
    assert any("No weight on file" in m for m in finding.missing_data)


def test_stale_weight_is_a_warning_but_the_dose_is_still_offered():
    facts = her2_mbc(body=body(70, 165, days_ago=90))
    [finding] = run(facts, order(PERTUZUMAB, 840), order(DOCETAXEL, 134), rules=RULES)
    assert finding.indicator is Indicator.WARNING
    assert "weight 90 days old" in finding.summary
    assert any("90 days ago" in m for m in finding.missing_data)
    assert dose_of(created(finding)[0]) == 560


def test_stale_weight_does_not_matter_for_a_fixed_dose_suggestion():
    facts = her2_mbc(body=body(70, 165, days_ago=90))
    [finding] = run(facts, order(TRASTUZUMAB, 560), order(DOCETAXEL, 134), rules=RULES)
    assert finding.indicator is Indicator.INFO
    assert dose_of(created(finding)[0]) == 840


def test_t_dxd_without_pertuzumab_in_first_line():
    [finding] = run(her2_mbc(), order(T_DXD, 378), rules=RULES)
    assert finding.summary.startswith("Add pertuzumab 840 mg loading dose to T-DXd")
    assert [dose_of(r) for r in created(finding)] == [840]
    assert finding.citations[0].source_id == "destiny-breast09"


def test_t_dxd_with_pertuzumab_first_line_gets_no_card():
    assert run(her2_mbc(), order(T_DXD, 378), order(PERTUZUMAB, 840), rules=RULES) == []


def test_t_dm1_first_line_says_thp_is_recommended():
    [finding] = run(her2_mbc(), order(T_DM1, 252), rules=RULES)
    assert "THP" in finding.summary and "T-DM1" in finding.summary
    assert finding.suggestions == ()


def test_hr_positive_endocrine_alone_is_for_special_cases():
    facts = her2_mbc(hormone_receptors=HR_POSITIVE)
    [finding] = run(facts, order(LETROZOLE, 2.5, interval=1), rules=RULES)
    assert "endocrine therapy alone is for special cases" in finding.summary
    text = " ".join(finding.reasoning)
    assert "selected patients" in text and "when chemotherapy ends" in text


def test_hr_positive_endocrine_with_trastuzumab_is_for_selected_patients():
    facts = her2_mbc(hormone_receptors=HR_POSITIVE)
    [finding] = run(facts, order(LETROZOLE, 2.5, interval=1), order(TRASTUZUMAB, 560), rules=RULES)
    assert "for selected patients" in finding.summary
    assert finding.suggestions  # pertuzumab + taxane still offered


def test_hr_positive_lapatinib_letrozole_is_for_selected_patients():
    facts = her2_mbc(hormone_receptors=HR_POSITIVE)
    [finding] = run(
        facts, order(LAPATINIB, 1500, interval=1), order(LETROZOLE, 2.5, interval=1), rules=RULES
    )
    assert "for selected patients" in finding.summary


def test_unknown_hr_status_is_listed_as_missing():
    [finding] = run(her2_mbc(), order(TRASTUZUMAB, 560), rules=RULES)
    assert any("ER/PgR" in m for m in finding.missing_data)


def test_recurrence_within_12_months_is_not_first_line():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=200)
    facts = her2_mbc(disease=metastatic(adjuvant_end_days=200), therapy=history(adjuvant))
    assert run(facts, order(TRASTUZUMAB, 560), rules=RULES) == []


def test_recurrence_after_12_months_is_first_line_and_reloads():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=600)
    facts = her2_mbc(disease=metastatic(adjuvant_end_days=600), therapy=history(adjuvant))
    [finding] = run(facts, order(PERTUZUMAB, 840), order(DOCETAXEL, 134), rules=RULES)
    assert dose_of(created(finding)[0]) == 560  # re-load after a long gap
    assert any("later than due" in p for p in finding.reasoning)


def test_hr_positive_endocrine_with_chemotherapy_only_is_told_to_add_her2_therapy():
    facts = her2_mbc(hormone_receptors=HR_POSITIVE)
    orders = (order(LETROZOLE, 2.5, interval=1), order(DOCETAXEL, 134))
    [finding] = run(facts, *orders, rules=RULES)
    assert finding.summary.startswith(
        "Add trastuzumab 560 mg (8 mg/kg) loading dose and pertuzumab"
    )
    assert finding.summary.endswith("to docetaxel (first-line THP)")
