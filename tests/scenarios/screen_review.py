"""Support for the safety review of the "no known drug" screen of `cards.engine.answer`.

On order-select and order-sign, `answer` reads the draft orders, then asks
`cards.engine.call_names_a_drug`; when nothing names a drug the table knows, the call is
answered with no cards before any fact is built. The danger is a false negative: the screen says
"no known drug" while the full pipeline (facts + every rule) would have shown a card.

Each case builds one adversarial hook call and compares the screened answer with the answer of
the full pipeline (the screen forced off, as `tests/scenarios/slow_paths.py` does). Where the
case names a HER2 drug in an odd way, it also checks the card that must survive the screen.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from cards import CardsConfig, DataGap, Hook, answer, engine
from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import NOW, ago, cycles, draft, her2_positive_mbc
from tests.scenarios.slow_paths import without_uuids

ORDER_HOOKS = ("order-select", "order-sign")
TRASTUZUMAB_IN = "224905"  # RxNorm ingredient
TRASTUZUMAB_SCD = "2107053"  # an RxNorm SCD/SBD of the table
TRASTUZUMAB_SNOMED = "387003001"  # SNOMED CT substance
MED_UUID = "urn:uuid:6f1c2b1e-3a4d-4c5e-8f60-7a8b9c0d1e2f"
INGREDIENT_UUID = "urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@dataclass(frozen=True)
class Answers:
    screened: list[dict[str, Any]]
    full: list[dict[str, Any]]
    no_known_drug: bool  # the screened call was answered before the facts

    def topics(self) -> list[str]:
        return [str(card["source"]["topic"]["code"]) for card in self.full]


def screened_answer(
    hook: str,
    resources: Sequence[dict[str, Any]],
    bundle: dict[str, Any] | None,
    sel: list[str],
    gaps: tuple[DataGap, ...] = (),
) -> engine.Evaluation:
    evaluation = answer(
        Hook(hook),
        patient_id=fb.PATIENT_ID,
        resources=resources,
        draft_orders=bundle,
        selections=sel,
        gaps=gaps,
        now=NOW,
        cards_config=CardsConfig(),
    )
    assert evaluation.rule_errors == ()
    return evaluation


def both_ways(
    hook: str,
    resources: Sequence[dict[str, Any]],
    bundle: dict[str, Any] | None,
    sel: list[str] | None = None,
    gaps: tuple[DataGap, ...] = (),
) -> Answers:
    """The screened answer and the full one (screen off); they must show the same cards."""
    chosen = sel if sel is not None else all_selected(bundle)
    screened = screened_answer(hook, copy.deepcopy(resources), copy.deepcopy(bundle), chosen, gaps)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "call_names_a_drug", lambda *_: True)
        full = screened_answer(hook, copy.deepcopy(resources), copy.deepcopy(bundle), chosen, gaps)
    assert without_uuids(screened.cards) == without_uuids(full.cards)
    return Answers(screened.cards, full.cards, screened.no_known_drug)


def all_selected(bundle: dict[str, Any] | None) -> list[str]:
    entries = (bundle or {}).get("entry") or []
    return [
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in entries
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and e["resource"].get("resourceType") == "MedicationRequest"
        and "id" in e["resource"]
    ]


# --- patients ---------------------------------------------------------------------------------


def lvef_drop_on_trastuzumab() -> list[dict[str, Any]]:
    """HER2+ MBC on trastuzumab q3w (baseline LVEF 63 %), LVEF 35 % five days ago: any
    trastuzumab draft must bring the withhold card (C2)."""
    return [
        *her2_positive_mbc(),
        fb.lvef(63, when=ago(60)),
        fb.lvef(35, when=ago(5)),
        *cycles("trastuzumab", 21, 42, dose=420),
    ]


def bad_record_known_drugs() -> list[dict[str, Any]]:
    """Everything that alarms on patient-view: pregnancy, LVEF 35 %, heart failure, T-DXd
    with active ILD, a cumulative doxorubicin dose past 450 mg/m², open orders."""
    return [
        *lvef_drop_on_trastuzumab(),
        *cycles("pertuzumab", 21, 42, dose=420),
        *cycles("doxorubicin", 90, 111, 132, 153, 174, 195, 216, 237, dose=120),
        *cycles("fam-trastuzumab-deruxtecan", 7, 28, dose=380),
        fb.condition("77386006", onset=ago(20), display="Pregnant"),
        fb.condition("84114007", onset=ago(30), display="Heart failure"),
        fb.condition("233703007", onset=ago(10), display="Interstitial lung disease"),
    ]


def acetaminophen() -> dict[str, Any]:
    return fb.draft_order("161", "acetaminophen 500 MG Oral Tablet", dose=500, interval_days=1)


def trastuzumab_draft(**naming: Any) -> dict[str, Any]:
    """A trastuzumab 420 mg q3w draft whose medication is named only by `naming`."""
    order = draft("trastuzumab", 420)
    order.pop("medicationCodeableConcept")
    order.update(naming)
    return order


def medication_resource(med_id: str, code: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"resourceType": "Medication", "id": med_id, "code": code, **more}


def rx(code: str, system: str = fb.RXNORM, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def c2_shown(answers: Answers) -> None:
    assert not answers.no_known_drug
    assert "C2" in answers.topics()
