"""Every regimen finding, over a matrix of patients and drafts, meets the card rules:
summary < 140 characters and free of request text, a https source with the rule as topic,
override reasons with displays, safety only for dose findings, valid rendered cards."""

from __future__ import annotations

import itertools

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest

from cards import Hook
from fhir_mappings import Dose, Her2NegativeSubtype, TherapySetting
from tests.support.card_language import language_problems
from tests.unit.cards.regimens.support import (
    CAPECITABINE,
    DOCETAXEL,
    ER_LOW,
    GEMFIBROZIL,
    HR_POSITIVE,
    LAPATINIB,
    LETROZOLE,
    NERATINIB,
    PACLITAXEL,
    PERTUZUMAB,
    PHESGO,
    T_DM1,
    T_DXD,
    TRASTUZUMAB,
    TUCATINIB,
    body,
    early_stage,
    exposed,
    her2_mbc,
    her2_negative,
    history,
    line,
    metastatic,
    order,
    rendered,
    run,
)

EVIL = "</td><script>alert(1)</script> | **x** [a](javascript:1)"
THP = [TRASTUZUMAB, PERTUZUMAB, DOCETAXEL]

PATIENTS = {
    "first-line": her2_mbc(),
    "first-line-hr+": her2_mbc(hormone_receptors=HR_POSITIVE),
    "first-line-er-low": her2_mbc(hormone_receptors=ER_LOW),
    "no-weight": her2_mbc(body=body(None, None)),
    "old-weight": her2_mbc(body=body(80, 170, days_ago=120)),
    "early-relapse": her2_mbc(
        disease=metastatic(adjuvant_end_days=200),
        therapy=history(exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=200)),
    ),
    "relapse-11-months": her2_mbc(
        disease=metastatic(adjuvant_end_days=395),
        therapy=history(exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, last_dose_days=395)),
    ),
    "undetermined": her2_mbc(
        therapy=history(exposed(TRASTUZUMAB, setting=TherapySetting.EARLY, start_days=None))
    ),
    "second-line": her2_mbc(
        therapy=history(
            *[exposed(d, last_dose_days=40) for d in THP], lines=[line(1, THP, 400, 40)]
        )
    ),
    "third-line-brain": her2_mbc(
        disease=metastatic(since_days=800, brain=True),
        hormone_receptors=HR_POSITIVE,
        therapy=history(
            *[exposed(d, last_dose_days=400) for d in THP],
            exposed(
                T_DXD,
                last_dose_days=30,
                doses=[(30, Dose(4.4, "mg/kg"))],
            ),
            lines=[line(1, THP, 700, 400), line(2, [T_DXD], 390, 30)],
        ),
    ),
    "her2-low": her2_mbc(
        her2=her2_negative(Her2NegativeSubtype.LOW),
        therapy=history(exposed(CAPECITABINE, last_dose_days=20)),
    ),
    "early": her2_mbc(disease=early_stage()),
    "adjuvant-54-weeks": her2_mbc(
        disease=early_stage(),
        therapy=history(
            exposed(
                TRASTUZUMAB,
                start_days=380,
                last_dose_days=23,
                setting=TherapySetting.EARLY,
                doses=[(d, Dose(420, "mg")) for d in range(23, 381, 21)],
            )
        ),
    ),
    "adjuvant-tdm1-14-cycles": her2_mbc(
        disease=early_stage(),
        therapy=history(
            exposed(
                T_DM1,
                start_days=300,
                last_dose_days=21,
                setting=TherapySetting.EARLY,
                doses=[(d, Dose(252, "mg")) for d in range(21, 300, 21)],
            )
        ),
    ),
    "on-gemfibrozil": her2_mbc(
        therapy=history(exposed(GEMFIBROZIL, start_days=200, active=True)),
    ),
    "maintenance-stopped": her2_mbc(
        hormone_receptors=HR_POSITIVE,
        therapy=history(
            *[exposed(d, start_days=150, last_dose_days=45, end_days=45) for d in THP],
            lines=[line(1, [TRASTUZUMAB, PERTUZUMAB], 150, 45)],
        ),
    ),
}

ORDER_SETS = {
    "h": [TRASTUZUMAB],
    "p+doc": [PERTUZUMAB, DOCETAXEL],
    "thp": THP,
    "tdm1": [T_DM1],
    "tdxd": [T_DXD],
    "tuc+h": [TUCATINIB, TRASTUZUMAB],
    "ner": [NERATINIB],
    "lap": [LAPATINIB],
    "let": [LETROZOLE],
    "phesgo+pac": [PHESGO, PACLITAXEL],
    "cape": [CAPECITABINE],
    "tuc100": [TUCATINIB],
    "tuc300": [TUCATINIB],
    "ner240": [NERATINIB],
}
DOSED = {"tuc100": 100, "tuc300": 300, "ner240": 240}  # label doses the new rules read
WRONG = {
    TRASTUZUMAB: 999,
    PERTUZUMAB: 420,
    DOCETAXEL: 250,
    T_DM1: 378,
    T_DXD: 448,
    TUCATINIB: 600,
    NERATINIB: 40,
    LAPATINIB: 1250,
    LETROZOLE: 2.5,
    PHESGO: 600,
    PACLITAXEL: 300,
    CAPECITABINE: 2500,
}
INTERVAL = {
    TUCATINIB: 0.5, NERATINIB: 1, LAPATINIB: 1, LETROZOLE: 1, PACLITAXEL: 7, CAPECITABINE: 0.5,
}  # fmt: skip


def _orders(name, wrong):
    drugs = ORDER_SETS[name]
    return [
        order(
            d,
            WRONG[d] if wrong else DOSED.get(name),
            interval=INTERVAL.get(d, 21),
            order_id=f"o{i}",
            text=EVIL,
        )
        for i, d in enumerate(drugs)
    ]


CASES = list(itertools.product(PATIENTS, ORDER_SETS, [False, True]))
SAFETY_RULES = {
    "C10", "C11", "dose-check", "adjuvant-duration", "course-limit", "starting-dose",
    "supportive-care",
}  # fmt: skip


@pytest.mark.parametrize(("patient", "drugs", "wrong"), CASES)
def test_every_finding_meets_the_card_rules(patient, drugs, wrong):
    facts = PATIENTS[patient]
    for hook in (Hook.ORDER_SELECT, Hook.ORDER_SIGN, Hook.PATIENT_VIEW):
        orders = _orders(drugs, wrong) if hook is not Hook.PATIENT_VIEW else []
        findings = run(facts, *orders, hook=hook)
        for finding in findings:
            assert 0 < len(finding.summary) < 140, finding.summary
            assert "script" not in finding.summary and "script" not in " ".join(finding.reasoning)
            assert "javascript" not in " ".join(finding.reasoning)
            assert finding.citations and finding.citations[0].url.startswith("https://")
            assert finding.citations[0].topic_code == finding.rule
            assert finding.override_reasons and all(r.display for r in finding.override_reasons)
            assert finding.safety is (finding.rule in SAFETY_RULES)
            assert finding.data_used or finding.missing_data
            if hook is Hook.PATIENT_VIEW:
                assert finding.suggestions == ()
            for suggestion in finding.suggestions:
                for action in suggestion.actions:
                    if action.resource is not None:
                        assert action.resource["status"] == "draft"
                        assert action.resource["dosageInstruction"][0]["doseAndRate"]
                        MedicationRequest.model_validate(action.resource)
        keys = [f.dedup_key for f in findings]
        assert len(keys) == len(set(keys)), keys
        cards = rendered(findings, hook)
        assert len(cards) <= 6
        assert language_problems(cards) == []
        for card in cards:
            assert "<script" not in card["detail"]


def test_the_matrix_produces_cards_of_every_kind():
    rules = set()
    for patient, drugs, wrong in CASES:
        facts = PATIENTS[patient]
        rules |= {f.rule for f in run(facts, *_orders(drugs, wrong))}
        rules |= {f.rule for f in run(facts, hook=Hook.PATIENT_VIEW)}
    assert rules >= {
        "C10", "C11", "dose-check", "C12-first-line", "C12-second-line", "C12-later-lines",
        "C12-line-undetermined", "C12-her2-low", "C12-summary", "C12-her2-maintenance",
        "adjuvant-duration", "course-limit", "starting-dose", "supportive-care",
    }  # fmt: skip
