"""`cards.answer`: a call that names no drug, on a hook whose every rule needs one, is answered
with no cards before any fact is built; otherwise the facts are built and the rules run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cards import CardsConfig, Hook, answer, engine
from cards.rules import needs_a_drug

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NOW = datetime(2026, 12, 4, tzinfo=UTC)
PATIENT = {"resourceType": "Patient", "id": "p-1", "gender": "male", "birthDate": "1960-01-01"}


def _drafts(code: str) -> dict[str, Any]:
    order = {
        "resourceType": "MedicationRequest",
        "id": "mr-1",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code}]},
        "subject": {"reference": "Patient/p-1"},
    }
    return {"resourceType": "Bundle", "entry": [{"resource": order}]}


def _answer(hook: Hook, draft_code: str | None, *record: dict[str, Any]) -> Any:
    return answer(
        hook,
        patient_id="p-1",
        resources=[PATIENT, *record],
        draft_orders=_drafts(draft_code) if draft_code else None,
        selections=["MedicationRequest/mr-1"],
        gaps=(),
        now=NOW,
        cards_config=CardsConfig(),
    )


class FactsBuilt(Exception):
    pass


@pytest.fixture
def facts_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    def built(*_: Any, **__: Any) -> None:
        raise FactsBuilt

    monkeypatch.setattr(engine, "build_patient_facts", built)


def test_every_rule_of_the_order_hooks_needs_a_drug_and_patient_view_does_not() -> None:
    assert needs_a_drug(Hook.ORDER_SELECT)
    assert needs_a_drug(Hook.ORDER_SIGN)
    assert not needs_a_drug(Hook.PATIENT_VIEW)


@pytest.mark.usefixtures("facts_watched")
@pytest.mark.parametrize("hook", [Hook.ORDER_SELECT, Hook.ORDER_SIGN])
def test_an_order_hook_naming_no_drug_is_answered_without_facts(hook: Hook) -> None:
    assert _answer(hook, "161").cards == []  # acetaminophen


@pytest.mark.usefixtures("facts_watched")
def test_on_an_order_hook_the_drafts_decide_not_the_record() -> None:
    """A patient on trastuzumab with acetaminophen drafted: every order-hook rule is about the
    drafted drug, so the record's trastuzumab does not make the facts worth building."""
    trastuzumab = _drafts("224905")["entry"][0]["resource"] | {"id": "mr-0", "status": "active"}
    assert _answer(Hook.ORDER_SELECT, "161", trastuzumab).no_known_drug


@pytest.mark.usefixtures("facts_watched")
def test_a_known_drug_drafted_builds_the_facts() -> None:
    with pytest.raises(FactsBuilt):
        _answer(Hook.ORDER_SELECT, "224905")  # trastuzumab


@pytest.mark.usefixtures("facts_watched")
def test_patient_view_always_builds_the_facts() -> None:
    with pytest.raises(FactsBuilt):
        _answer(Hook.PATIENT_VIEW, None)
