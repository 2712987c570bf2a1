"""C7, DESTINY-Breast06 route (review finding 7): endocrine therapy begun in the adjuvant
setting and continued into metastatic disease is endocrine therapy for metastatic disease.

HR-positive (ER 80 %) HER2-low (IHC 1+) metastatic breast cancer diagnosed 200 days ago,
T-DXd drafted. Letrozole begun 400 days ago (adjuvant) and given for at least 4 weeks
(endocrine_continued_into_metastatic_days) after the metastatic diagnosis places her in the
label population; a course stopped sooner, at the relapse, does not."""

from __future__ import annotations

import pytest

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    by_rule,
    days_ago,
    echo,
    metastatic,
    ordering,
    receptor_status,
    safety_cards,
    size,
    taking,
    woman,
)

TDXD = "fam-trastuzumab-deruxtecan"
HOOKS = ["order-select", "order-sign"]


def _patient(*extra: object) -> list:
    return [
        woman(60),
        fb.her2_ihc("1+", when=days_ago(190)),
        receptor_status("er", 80, days=190),
        receptor_status("pr", 40, days=190),
        metastatic(200),
        echo(62, days=10),
        size(),
        *extra,
    ]


def _c7(hook: str, *extra: object) -> list[dict]:
    return by_rule(safety_cards(hook, _patient(*extra), orders=[ordering(TDXD)]), "C7")


@pytest.mark.parametrize("hook", HOOKS)
def test_letrozole_continued_170_days_into_metastatic_disease_counts(hook):
    letrozole = taking("letrozole", since=400, ended=30, doses_every=10, status="stopped")
    assert _c7(hook, letrozole) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_adjuvant_letrozole_still_running_counts(hook):
    assert _c7(hook, taking("letrozole", since=400, doses_every=10)) == []


@pytest.mark.parametrize(("ended", "counts"), [(172, True), (173, False)])
def test_at_least_4_weeks_after_the_metastatic_diagnosis(ended, counts):
    """Metastatic 200 days ago: last given 172 days ago is 28 days on; 173 is 27 days."""
    letrozole = taking("letrozole", since=ended + 200, ended=ended, doses_every=10)
    cards = _c7("order-sign", letrozole)
    assert [c["indicator"] for c in cards] == ([] if counts else ["warning"])
    if not counts:
        assert "given in the early (adjuvant) setting" in cards[0]["detail"]
