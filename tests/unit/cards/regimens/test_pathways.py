"""HR+ endocrine therapy, HER2-low/ultralow, early stage, the patient-view summary, and who
the regimen rules do not concern at all."""

from __future__ import annotations

import pytest

from cards import Hook
from cards.findings import Indicator
from fhir_mappings import Her2Call, Her2NegativeSubtype, TherapySetting
from tests.unit.cards.regimens.support import (
    CAPECITABINE,
    DOCETAXEL,
    HR_NEGATIVE,
    HR_POSITIVE,
    LETROZOLE,
    PERTUZUMAB,
    PHESGO,
    T_DM1,
    T_DXD,
    TRASTUZUMAB,
    body,
    created,
    dose_of,
    early_stage,
    exposed,
    her2,
    her2_mbc,
    her2_negative,
    history,
    line,
    metastatic,
    only,
    order,
    rendered,
    run,
)
from tests.unit.cards.regimens.support import RULES as ALL_RULES

THP = [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL]


def _maintenance(hr=HR_POSITIVE, *, chemo_ended=True, endocrine_active=False):
    exposures = [
        exposed(TRASTUZUMAB, start_days=200, last_dose_days=21, active=True),
        exposed(PERTUZUMAB, start_days=200, last_dose_days=21, active=True),
        exposed(DOCETAXEL, start_days=200, last_dose_days=60, end_days=60, active=not chemo_ended),
    ]
    if endocrine_active:
        exposures.append(exposed(LETROZOLE, start_days=50, last_dose_days=1, active=True))
    return her2_mbc(
        hormone_receptors=hr,
        disease=metastatic(since_days=210),
        therapy=history(*exposures, lines=[line(1, THP, 200)]),
    )


ENDOCRINE = only(["C12-hr-endocrine"])


def test_hr_positive_add_endocrine_therapy_when_chemotherapy_ended():
    [finding] = run(
        _maintenance(), order(TRASTUZUMAB, 420), order(PERTUZUMAB, 420), rules=ENDOCRINE
    )
    assert finding.indicator is Indicator.INFO and not finding.safety
    assert finding.summary == (  # ASCO rec. 7.0: endocrine therapy "may be added"
        "HR+ HER2+ MBC: endocrine therapy may be added to pertuzumab + trastuzumab "
        "now that chemotherapy has ended"
    )
    assert finding.suggestions == ()
    assert "aromatase inhibitor if postmenopausal" in " ".join(finding.reasoning)
    rendered([finding])


@pytest.mark.parametrize(
    "facts",
    [
        _maintenance(HR_NEGATIVE),
        _maintenance(chemo_ended=False),
        _maintenance(endocrine_active=True),
    ],
    ids=["hr-negative", "chemotherapy-ongoing", "endocrine-already-given"],
)
def test_no_endocrine_card(facts):
    assert run(facts, order(TRASTUZUMAB, 420), order(PERTUZUMAB, 420), rules=ENDOCRINE) == []


def test_endocrine_drafted_with_maintenance_gets_no_card():
    orders = (order(TRASTUZUMAB, 420), order(LETROZOLE, 2.5, interval=1))
    assert run(_maintenance(), *orders, rules=ENDOCRINE) == []


HER2_LOW = only(["C12-her2-low"])


def _her2_low(subtype=Her2NegativeSubtype.LOW, hr=HR_POSITIVE, *prior):
    return her2_mbc(her2=her2_negative(subtype), hormone_receptors=hr, therapy=history(*prior))


def test_her2_low_after_metastatic_chemotherapy_gets_t_dxd_on_patient_view():
    facts = _her2_low(
        Her2NegativeSubtype.LOW, HR_NEGATIVE, exposed(CAPECITABINE, last_dose_days=10)
    )
    [finding] = run(facts, hook=Hook.PATIENT_VIEW, rules=HER2_LOW)
    assert (
        finding.summary == "HER2-low MBC: T-DXd 378 mg (5.4 mg/kg) every 3 weeks is a label option"
    )
    assert finding.suggestions == ()
    assert "DESTINY-Breast04" in " ".join(finding.reasoning)
    rendered([finding], Hook.PATIENT_VIEW)


def test_her2_low_order_select_offers_t_dxd_instead_of_the_drafted_chemotherapy():
    facts = _her2_low(
        Her2NegativeSubtype.LOW, HR_NEGATIVE, exposed(CAPECITABINE, last_dose_days=10)
    )
    [finding] = run(facts, order(DOCETAXEL, 134, order_id="doc"), rules=HER2_LOW)
    assert [dose_of(r) for r in created(finding)] == [378]
    [action] = finding.suggestions[0].actions
    assert action.type == "update" and action.resource["id"] == "doc"


def test_her2_ultralow_hr_positive_after_endocrine_therapy():
    # letrozole ended a month ago (progression); one still current does not count (review 2)
    facts = _her2_low(
        Her2NegativeSubtype.ULTRALOW, HR_POSITIVE, exposed(LETROZOLE, last_dose_days=30)
    )
    [finding] = run(facts, hook=Hook.PATIENT_VIEW, rules=HER2_LOW)
    assert finding.summary.startswith("HER2-ultralow MBC: T-DXd")
    assert "DESTINY-Breast06" in " ".join(finding.reasoning)


@pytest.mark.parametrize(
    "facts",
    [
        _her2_low(
            Her2NegativeSubtype.ULTRALOW, HR_NEGATIVE, exposed(CAPECITABINE, last_dose_days=5)
        ),
        _her2_low(Her2NegativeSubtype.ZERO, HR_POSITIVE, exposed(LETROZOLE, last_dose_days=5)),
        _her2_low(
            Her2NegativeSubtype.UNSPECIFIED, HR_POSITIVE, exposed(LETROZOLE, last_dose_days=5)
        ),
        _her2_low(Her2NegativeSubtype.LOW, HR_POSITIVE),  # no prior therapy for metastatic disease
        _her2_low(
            Her2NegativeSubtype.LOW,
            HR_NEGATIVE,
            exposed(CAPECITABINE, last_dose_days=5),
            exposed(T_DXD, last_dose_days=5),
        ),
    ],
    ids=["ultralow-hr-negative", "her2-0", "unspecified", "no-prior-therapy", "t-dxd-given"],
)
def test_her2_negative_outside_the_label_population_gets_no_card(facts):
    assert run(facts, hook=Hook.PATIENT_VIEW, rules=HER2_LOW) == []


def test_her2_low_recurrence_within_6_months_of_adjuvant_chemotherapy():
    adjuvant = exposed(DOCETAXEL, setting=TherapySetting.EARLY, last_dose_days=150)
    facts = _her2_low(Her2NegativeSubtype.LOW, HR_NEGATIVE, adjuvant)  # metastatic 60 days ago
    assert len(run(facts, hook=Hook.PATIENT_VIEW, rules=HER2_LOW)) == 1
    late = exposed(DOCETAXEL, setting=TherapySetting.EARLY, last_dose_days=400)
    assert (
        run(
            _her2_low(Her2NegativeSubtype.LOW, HR_NEGATIVE, late),
            hook=Hook.PATIENT_VIEW,
            rules=HER2_LOW,
        )
        == []
    )


def test_her2_low_never_gets_her2_positive_regimen_cards():
    facts = _her2_low(
        Her2NegativeSubtype.LOW, HR_NEGATIVE, exposed(CAPECITABINE, last_dose_days=10)
    )
    found = run(
        facts,
        order(TRASTUZUMAB, 560),
        order(DOCETAXEL, 134),
        rules=[r for r in ALL_RULES if r.id.startswith("C12")],
    )
    assert found == []


EARLY = only(["C12-early-stage"])


def test_early_stage_pertuzumab_without_trastuzumab():
    facts = her2_mbc(disease=early_stage())
    [finding] = run(facts, order(PERTUZUMAB, 840), order(DOCETAXEL, 134), rules=EARLY)
    assert finding.summary == (
        "Add trastuzumab 560 mg (8 mg/kg) loading dose to pertuzumab: "
        "pertuzumab is given with trastuzumab"
    )
    assert [dose_of(r) for r in created(finding)] == [560]


@pytest.mark.parametrize(
    "orders",
    [
        [order(TRASTUZUMAB, 560), order(PERTUZUMAB, 840), order(DOCETAXEL, 134)],
        [order(PHESGO, 1200), order(DOCETAXEL, 134)],
        [order(TRASTUZUMAB, 420), order(PERTUZUMAB, 420)],  # adjuvant HP without chemotherapy
        [order(T_DM1, 252)],  # KATHERINE
        [order(TRASTUZUMAB, 280, interval=7), order("paclitaxel", 143, interval=7)],  # APT
    ],
    ids=["thp", "phesgo-docetaxel", "adjuvant-hp", "katherine", "apt"],
)
def test_early_stage_standard_regimens_get_no_regimen_card(orders):
    facts = her2_mbc(disease=early_stage())
    guidance = [r for r in ALL_RULES if r.id.startswith("C12")]
    assert run(facts, *orders, rules=guidance) == []


SUMMARY = only(["C12-summary", "C12-line-undetermined"])  # the latter when the line is unclear


def test_summary_first_line_with_doses():
    [finding] = run(her2_mbc(hormone_receptors=HR_POSITIVE), hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    assert finding.summary == (
        "HER2+ MBC, first line: THP — trastuzumab 560/420 mg, pertuzumab 840/420 mg, "
        "docetaxel 134 mg q3w"
    )
    assert finding.indicator is Indicator.INFO and finding.suggestions == ()
    text = " ".join(finding.reasoning)
    assert "Endocrine therapy alone only in special circumstances" in text
    assert "DESTINY-Breast09" in text
    rendered([finding], Hook.PATIENT_VIEW)


def test_summary_second_line():
    facts = her2_mbc(
        therapy=history(
            *[exposed(d, last_dose_days=120) for d in THP], lines=[line(1, THP, 300, 120)]
        )
    )
    [finding] = run(facts, hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    assert finding.summary == (
        "HER2+ MBC, second line: T-DXd 378 mg (5.4 mg/kg) q3w preferred; "
        "T-DM1 252 mg if unavailable"
    )


def test_summary_third_line_with_brain_metastases():
    lines = [line(1, THP, 700, 400), line(2, [T_DXD], 390, 120)]
    exposures = [exposed(d, last_dose_days=400) for d in THP] + [exposed(T_DXD, last_dose_days=120)]
    facts = her2_mbc(
        disease=metastatic(since_days=720, brain=True), therapy=history(*exposures, lines=lines)
    )
    [finding] = run(facts, hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    assert finding.summary == (
        "HER2+ MBC, third line: HER2-targeted options, none preferred "
        "(brain metastases: tucatinib-based first)"
    )
    text = "\n".join(finding.reasoning)
    assert text.index("tucatinib + trastuzumab + capecitabine**") < text.index(
        "neratinib + capecitabine**"
    )
    assert "T-DXd (fam-trastuzumab deruxtecan)**" not in text  # already given


def test_summary_ongoing_first_line_says_continue_and_what_comes_next():
    [finding] = run(_maintenance(), hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    # HR+ with the chemotherapy over: the summary names the endocrine therapy that may be added
    assert finding.summary.startswith("HR+ HER2+ MBC on first line")
    assert finding.summary.endswith(
        "endocrine therapy may be added now that chemotherapy has ended"
    )
    text = " ".join(finding.reasoning)
    assert "Endocrine therapy may be added when chemotherapy ends" in text
    assert "T-DXd is preferred second line" in text
    [negative] = run(_maintenance(HR_NEGATIVE), hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    assert negative.summary.startswith(
        "HER2+ MBC on first line docetaxel + pertuzumab + trastuzumab since"
    )


def test_summary_without_weight_is_a_warning():
    [finding] = run(her2_mbc(body=body(None, 165)), hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    assert finding.indicator is Indicator.WARNING
    assert any("No weight on file" in m for m in finding.missing_data)


def test_summary_when_the_line_cannot_be_decided():
    adjuvant = exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, start_days=None)
    [finding] = run(her2_mbc(therapy=history(adjuvant)), hook=Hook.PATIENT_VIEW, rules=SUMMARY)
    assert finding.rule == "C12-line-undetermined"
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith(
        "Line of therapy unclear: end of (neo)adjuvant trastuzumab-based therapy"
    )


@pytest.mark.parametrize(
    "facts",
    [
        her2_mbc(disease=metastatic(breast=False, gastric=True)),
        her2_mbc(disease=early_stage(breast=False)),
        her2_mbc(her2=her2(Her2Call.UNKNOWN)),
        her2_mbc(her2=her2(Her2Call.EQUIVOCAL_PENDING_ISH)),
        her2_mbc(disease=early_stage()),
    ],
    ids=["gastric-cancer", "no-cancer", "her2-unknown", "her2-equivocal", "early-stage"],
)
def test_patients_the_regimen_guidance_does_not_concern(facts):
    guidance = [r for r in ALL_RULES if r.id.startswith("C12")]
    assert run(facts, order(TRASTUZUMAB, 560), rules=guidance) == []
    assert run(facts, hook=Hook.PATIENT_VIEW, rules=guidance) == []


def test_no_regimen_card_at_all_for_gastric_cancer():
    facts = her2_mbc(disease=metastatic(breast=False, gastric=True), body=body(None))
    assert run(facts, order(TRASTUZUMAB, 999), order(T_DXD, 448)) == []


def test_guidance_is_not_shown_at_order_sign():
    findings = run(her2_mbc(), order(TRASTUZUMAB, 560), order(DOCETAXEL, 134), hook=Hook.ORDER_SIGN)
    assert findings == []


@pytest.mark.parametrize(
    ("drugs", "setting", "expected"),
    [
        ([TRASTUZUMAB, PERTUZUMAB, DOCETAXEL, "carboplatin"], "early", "tchp"),
        ([TRASTUZUMAB, DOCETAXEL, "carboplatin"], "early", "tch"),
        ([TRASTUZUMAB, PERTUZUMAB, DOCETAXEL], "early", "thp-early"),
        ([TRASTUZUMAB, "paclitaxel"], "early", "apt"),
        ([T_DM1], "early", "t-dm1-residual-disease"),
        (["neratinib"], "early", "neratinib-extended-adjuvant"),
        ([PHESGO, DOCETAXEL], "metastatic", "thp"),
        ([TRASTUZUMAB, DOCETAXEL], "metastatic", "trastuzumab-chemotherapy"),
        ([TRASTUZUMAB, "carboplatin"], "early", None),
        (
            ["tucatinib", TRASTUZUMAB, CAPECITABINE],
            "metastatic",
            "tucatinib-trastuzumab-capecitabine",
        ),
    ],
)
def test_standard_regimens_are_recognised(drugs, setting, expected):
    from cards.catalog import catalog
    from cards.regimens.slots import recognise

    found = recognise(catalog().regimens.values(), setting, frozenset(drugs), frozenset(drugs))
    assert (found.id if found else None) == expected


def test_an_early_stage_dose_card_names_the_recognised_regimen():
    facts = her2_mbc(disease=early_stage())
    orders = [
        order(TRASTUZUMAB, 560),
        order(PERTUZUMAB, 840),
        order(DOCETAXEL, 180),
        order("carboplatin", 600),
    ]
    [finding] = run(facts, *orders, rules=only(["dose-check"]))
    assert "The draft orders form docetaxel + carboplatin + trastuzumab + pertuzumab" in " ".join(
        finding.reasoning
    )
