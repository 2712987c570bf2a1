"""Every safety summary is a whole sentence under 140 characters as the rule writes it.

The renderer cuts a longer summary with an ellipsis ("…before trastuzumab and per…"), which
can drop the very drug or advice the card is about. So the rules must never rely on it:
each summary is checked here, before rendering, over the longest drug lists and every
data gap the rules know.
"""

from __future__ import annotations

import itertools

import pytest

from cards import Hook
from cards.phrasing import SUMMARY_LIMIT
from fhir_mappings import (
    ChildPugh,
    Evidence,
    Her2Call,
    Her2NegativeSubtype,
    IhcScore,
    LabResult,
    LabResults,
    ReceptorCall,
)
from tests.unit.cards.safety.support import (
    at,
    conditions,
    disease,
    facts,
    findings,
    gap,
    her2,
    lvef,
    on,
    order,
    receptors,
    therapy,
    woman,
)

HER2_DRUGS = [
    "trastuzumab",
    "trastuzumab-sc",
    "pertuzumab",
    "pertuzumab-trastuzumab-sc",
    "ado-trastuzumab-emtansine",
    "fam-trastuzumab-deruxtecan",
    "margetuximab",
    "tucatinib",
    "lapatinib",
    "neratinib",
]
GAPS = [
    ("lvef", "LVEF observations"),
    ("conditions", "Conditions"),
    ("pregnancy", "Pregnancy observations"),
    ("patient", "Patient demographics"),
    ("tumorMarkers", "HER2, ER and PR results"),
    ("medicationRequests", "Medication orders"),
    ("medicationStatements", "Medication statements"),
    ("medicationAdministrations", "Medication administrations"),
    ("labs", "Liver, kidney and blood count results"),
]
REASON = "the FHIR server did not answer within the configured time limit of five seconds"


LAB_DRUGS = [
    "ado-trastuzumab-emtansine",
    "fam-trastuzumab-deruxtecan",
    "capecitabine",
    "tucatinib",
    "neratinib",
    "lapatinib",
]


def _lab(analyte, value, unit, days, uln=None):
    when = at(days)
    return LabResult(
        analyte, value, unit, when, uln, Evidence("Observation", "o1", None, analyte, when)
    )


def _labs(days, *, severe):
    """Every analyte at the worst grade (or normal), `days` old, with liver disease and a
    Child-Pugh class C on file when severe: every organ-function card at once."""
    alt = 30 * 40 if severe else 20
    results = (
        _lab("alt", alt, "U/L", days, 40),
        _lab("ast", alt, "U/L", days),
        _lab("bilirubin-total", 12.0 if severe else 0.5, "mg/dL", days, 1.0),
        _lab("neutrophils", 0.2 if severe else 4.0, "10*9/L", days),
        _lab("platelets", 10 if severe else 250, "10*9/L", days),
        _lab("egfr", 12 if severe else 90, "mL/min/{1.73_m2}", days),
    )
    liver = (Evidence("Condition", "c1", None, "Cirrhosis of liver", at(300)),) if severe else ()
    grade = ChildPugh("C", at(10), liver[0]) if severe else None
    return LabResults(results, None, "no weight on file", grade, liver)


def _orders(drugs):
    return [order(d, order_id=f"draft-{i}") for i, d in enumerate(drugs)]


DRUG_SETS = [
    HER2_DRUGS,
    HER2_DRUGS[:3],
    ["fam-trastuzumab-deruxtecan"],
    ["doxorubicin", "epirubicin", *HER2_DRUGS[:4]],
    LAB_DRUGS,
    ["pertuzumab"],  # pertuzumab-without-trastuzumab
    ["pertuzumab", "docetaxel"],
]


def _patients():
    low = her2(Her2Call.NEGATIVE, subtype=Her2NegativeSubtype.LOW, ihc=IhcScore.ONE)
    yield facts()
    yield facts(
        demographics=woman(33),
        conditions=conditions(heart_failure=True, ild=True),
        lvef=lvef((62, 300), (38, 5), baseline_index=0, regimen_start_days=290),
        therapy=therapy(*(on(d, since_days=290) for d in HER2_DRUGS), on("doxorubicin")),
    )
    yield facts(her2=low, hormone_receptors=receptors(ReceptorCall.POSITIVE))
    yield facts(her2=low, disease=disease(metastatic=False))
    yield facts(her2=her2(Her2Call.EQUIVOCAL_PENDING_ISH, ihc=IhcScore.TWO))
    yield facts(her2=her2(Her2Call.POSITIVE, ihc=IhcScore.THREE, discordant=True))
    yield facts(labs=_labs(2, severe=True))
    yield facts(labs=_labs(2, severe=True), disease=disease(metastatic=False))
    yield facts(labs=_labs(200, severe=True))
    yield facts(labs=_labs(2, severe=False))


@pytest.mark.parametrize("hook", [Hook.ORDER_SELECT, Hook.ORDER_SIGN, Hook.PATIENT_VIEW])
@pytest.mark.parametrize("gap_key", [None, *(key for key, _ in GAPS)])
def test_no_safety_summary_needs_cutting(hook, gap_key):
    gaps = [gap(key, what, REASON) for key, what in GAPS if key == gap_key]
    too_long = []
    for patient, drugs in itertools.product(_patients(), DRUG_SETS):
        orders = [] if hook is Hook.PATIENT_VIEW else _orders(drugs)
        for finding in findings(hook, patient, orders, gaps=gaps):
            if len(finding.summary) > SUMMARY_LIMIT:
                too_long.append((finding.rule, len(finding.summary), finding.summary))
    assert too_long == []


@pytest.mark.parametrize("hook", [Hook.ORDER_SELECT, Hook.PATIENT_VIEW])
def test_every_safety_finding_has_a_citation_and_override_reasons(hook):
    missing = set()
    for gap_key in [None, *(key for key, _ in GAPS)]:
        gaps = [gap(key, what, REASON) for key, what in GAPS if key == gap_key]
        for patient, drugs in itertools.product(_patients(), DRUG_SETS):
            orders = [] if hook is Hook.PATIENT_VIEW else _orders(drugs)
            for finding in findings(hook, patient, orders, gaps=gaps):
                if not finding.citations or not finding.override_reasons:
                    missing.add((finding.rule, finding.summary))
    assert missing == set()


def test_the_sweep_reaches_every_order_rule_it_names():
    """The sweep is only as good as the rules it reaches: the newest ones included."""
    rules = set()
    for patient, drugs in itertools.product(_patients(), DRUG_SETS):
        rules |= {f.rule for f in findings(Hook.ORDER_SELECT, patient, _orders(drugs))}
    assert rules >= {"pertuzumab-without-trastuzumab", "duplicate-her2-antibody", "C6", "C2"}
