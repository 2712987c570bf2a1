"""Patients the regimen rules do not concern get no regimen card: gastric cancer on
trastuzumab, no cancer at all, or breast cancer whose HER2 status is not established."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    body_size,
    draft,
    gastric_cancer,
    order_select,
    order_sign,
    patient_view,
    topics,
)


def _gastric() -> list:
    return [fb.patient(), gastric_cancer(), fb.her2_ihc("3+", when=ago(290)), *body_size()]


def test_gastric_cancer_on_trastuzumab_gets_no_regimen_card():
    cards = order_select(
        _gastric(), draft("trastuzumab", 560), draft("fam-trastuzumab-deruxtecan", 448)
    )
    assert topics(cards) == []
    assert topics(patient_view(_gastric())) == []


def test_gastric_cancer_without_a_weight_gets_no_weight_card_from_us():
    resources = [fb.patient(), gastric_cancer(), fb.her2_ihc("3+", when=ago(290))]
    assert topics(order_sign(resources, draft("trastuzumab", 560))) == []


def test_no_cancer_gets_no_regimen_card():
    resources = [fb.patient(), *body_size()]
    assert topics(order_select(resources, draft("trastuzumab", 999))) == []
    assert topics(patient_view(resources)) == []


def _breast_mbc_with(*her2_results: dict) -> list:
    return [
        fb.patient(),
        fb.breast_cancer(onset=ago(900)),
        fb.metastatic_breast_cancer(onset=ago(60)),
        *her2_results,
        *body_size(),
    ]


def test_her2_unknown_breast_cancer_gets_no_regimen_suggestion():
    resources = _breast_mbc_with()
    cards = order_select(resources, draft("trastuzumab", 560), draft("docetaxel", 134))
    assert [t for t in topics(cards) if t.startswith("C12")] == []
    assert topics(patient_view(resources)) == []


def test_her2_equivocal_pending_ish_gets_no_regimen_suggestion():
    resources = _breast_mbc_with(fb.her2_ihc("2+", when=ago(100)))
    cards = order_select(resources, draft("trastuzumab", 560))
    assert [t for t in topics(cards) if t.startswith("C12")] == []
