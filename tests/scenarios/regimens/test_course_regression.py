"""Correct, on-schedule courses get no critical card and no card from the course rules
(issue 9 §3): the next adjuvant T-DM1 cycle within 14, tucatinib at its label dose, neratinib
with loperamide or on its escalation, the next T-DXd cycle."""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook
from tests.scenarios.regimens.builders import (
    NOW,
    ago,
    body_size,
    cycles,
    draft,
    her2_positive_mbc,
    ordered,
)

COURSE_RULES = {"course-limit", "starting-dose", "supportive-care"}


def _early(*extra: dict) -> list[dict]:
    return [
        fb.patient(),
        fb.breast_cancer(onset=ago(500)),
        fb.her2_ihc("3+", when=ago(495)),
        fb.lvef(60, when=ago(20)),
        *body_size(),
        *extra,
    ]


def _after_thp(*extra: dict) -> list[dict]:
    return [
        *her2_positive_mbc(metastatic_days=700),
        *cycles("trastuzumab", 650, 629, 608, dose=420),
        *cycles("pertuzumab", 650, 629, 608, dose=420),
        *extra,
    ]


SCENARIOS = {
    "adjuvant T-DM1, cycle 8": (
        _early(
            ordered("ado-trastuzumab-emtansine", start_days=150, status="active"),
            *cycles("ado-trastuzumab-emtansine", *range(147, 0, -21), dose=252),
        ),
        [draft("ado-trastuzumab-emtansine", 252)],
    ),
    "adjuvant T-DM1, cycle 14": (
        _early(*cycles("ado-trastuzumab-emtansine", *range(273, 0, -21), dose=252)),
        [draft("ado-trastuzumab-emtansine", 252)],
    ),
    "tucatinib triplet, first order at 300 mg": (
        _after_thp(*cycles("fam-trastuzumab-deruxtecan", 500, 479, 458, dose=378)),
        [
            draft("tucatinib", 300, per_day=2),
            draft("trastuzumab", 560),
            draft("capecitabine", 1790, per_day=2),
        ],
    ),
    "tucatinib 100 mg with gemfibrozil": (
        _after_thp(
            *cycles("fam-trastuzumab-deruxtecan", 500, 479, 458, dose=378),
            ordered("gemfibrozil", start_days=300, status="active"),
        ),
        [
            draft("tucatinib", 100, per_day=2),
            draft("trastuzumab", 560),
            draft("capecitabine", 1790, per_day=2),
        ],
    ),
    "neratinib escalation start": (
        _after_thp(*cycles("fam-trastuzumab-deruxtecan", 500, 479, dose=378)),
        [draft("neratinib", 120, every=1), draft("capecitabine", 1340, per_day=2)],
    ),
    "neratinib with loperamide": (
        _after_thp(*cycles("fam-trastuzumab-deruxtecan", 500, 479, dose=378)),
        [
            draft("neratinib", 240, every=1),
            draft("capecitabine", 1340, per_day=2),
            draft("loperamide", 4, per_day=3),
        ],
    ),
    "T-DXd, cycle 4": (
        _after_thp(
            ordered("fam-trastuzumab-deruxtecan", start_days=63, status="active"),
            *cycles("fam-trastuzumab-deruxtecan", 63, 42, 21, dose=378),
        ),
        [draft("fam-trastuzumab-deruxtecan", 378)],
    ),
}


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_correct_course_gets_no_critical_and_no_course_card(name, hook):
    resources, drafts = SCENARIOS[name]
    cards = run_hook(
        hook,
        resources,
        now=NOW,
        draft_orders=fb.draft_bundle(*drafts),
        selections=fb.selections(*drafts),
    )
    found = [(c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in cards]
    assert [f for f in found if f[1] == "critical"] == []
    assert [f for f in found if f[0] in COURSE_RULES] == []
