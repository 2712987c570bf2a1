"""The one reading of the drafts and of what is current, shared by the safety and regimen rules."""

from __future__ import annotations

from collections.abc import Sequence

from cards.current import current_in_class
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig
from cards.regimens.situation import situation
from cards.safety.triggers import drugs_in_play
from fhir_mappings import DraftOrder, DrugExposure, TherapyHistory, TherapySetting, drug_info
from tests.unit.cards.facts_factory import draft, exposure, make_facts

HER2 = "her2-directed"
TAXANE = "taxane"


def _hook_input(*orders: DraftOrder, exposures: Sequence[DrugExposure] = ()) -> HookInput:
    therapy = TherapyHistory(exposures=tuple(exposures), metastatic_lines=(), anthracyclines=())
    return HookInput(
        hook=Hook.ORDER_SELECT, patient_id="p1", facts=make_facts(therapy=therapy), orders=orders
    )


def _draft(drug: str | None, order_id: str, *, selected: bool = True) -> DraftOrder:
    classes = drug_info(drug).classes if drug else frozenset()
    return draft(drug, classes, order_id=order_id, selected=selected)


def test_drafts_of_a_class_keep_the_request_order_and_skip_unknown_drugs() -> None:
    pertuzumab = _draft("pertuzumab", "a", selected=False)
    unknown = _draft(None, "b")
    trastuzumab = _draft("trastuzumab", "c")
    docetaxel = _draft("docetaxel", "d")
    drafted = _hook_input(pertuzumab, unknown, trastuzumab, docetaxel).drafted

    assert [d.drug for d in drafted.all] == ["pertuzumab", "trastuzumab", "docetaxel"]
    assert [d.drug for d in drafted.selected] == ["trastuzumab", "docetaxel"]
    assert drafted.in_class(HER2) == (pertuzumab, trastuzumab)
    assert drafted.selected_in_class(HER2) == (trastuzumab,)
    assert drafted.in_class("no-such-class") == ()
    assert drafted.ids() == {"pertuzumab", "trastuzumab", "docetaxel"}
    assert drafted.ids(TAXANE, "endocrine") == {"docetaxel"}
    assert [d.drug for d in drafted.selected_with(frozenset({HER2}))] == ["trastuzumab"]


def test_both_rule_families_read_the_same_drafts() -> None:
    hook_input = _hook_input(_draft("trastuzumab", "a"), _draft("pertuzumab", "b", selected=False))
    sit = situation(hook_input, CardsConfig())
    assert sit.drafts is hook_input.drafted.all  # read once per call, not per rule
    assert sit.drafted_ids(HER2) == {"trastuzumab", "pertuzumab"}
    assert tuple(d.order for d in sit.selected_with(frozenset({HER2}))) == (
        hook_input.drafted.selected_in_class(HER2)
    )
    assert drugs_in_play(hook_input, CardsConfig(), HER2)[0] == ("trastuzumab",)


def test_current_in_class_filters_by_class_and_setting() -> None:
    on = exposure("trastuzumab")
    early = exposure("pertuzumab", setting=TherapySetting.EARLY)
    stopped = exposure("docetaxel", active=False, last_dose_days=200, end_days=200)
    hook_input = _hook_input(exposures=(on, early, stopped))
    facts = hook_input.facts

    config = CardsConfig()
    assert current_in_class(facts, HER2, config=config) == (on, early)
    assert current_in_class(facts, config=config) == (on, early)
    assert current_in_class(facts, TAXANE, config=config) == ()
    metastatic = TherapySetting.METASTATIC
    assert current_in_class(facts, HER2, config=config, setting=metastatic) == (on,)
    sit = situation(hook_input, CardsConfig())
    assert sit.active_ids() == {"pertuzumab"}  # no metastatic disease on file: the early setting


def test_both_rule_families_read_current_with_the_institution_grace() -> None:
    """Trastuzumab given by doses alone, the last 35 days ago: past the 21-day cycle plus the
    default 7 days' grace, within it plus an institution's 21. The safety trigger and the
    regimen situation answer alike under either setting."""
    given = exposure("trastuzumab", active=False, last_dose_days=35, setting=TherapySetting.EARLY)
    facts = make_facts(
        therapy=TherapyHistory(exposures=(given,), metastatic_lines=(), anthracyclines=())
    )
    hook_input = HookInput(hook=Hook.PATIENT_VIEW, patient_id="p1", facts=facts)
    for config, on in (
        (CardsConfig(), ()),
        (CardsConfig({"trastuzumab_reload_late_days": 21}), (given,)),
    ):
        assert current_in_class(facts, HER2, config=config) == on
        assert drugs_in_play(hook_input, config, HER2)[0] == tuple(e.drug for e in on)
        assert situation(hook_input, config).active_ids(HER2) == {e.drug for e in on}
