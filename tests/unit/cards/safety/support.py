"""Build facts and orders for the safety rules and run only those rules, rendered and
schema-checked, so a unit test sees the cards a clinician would see."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from cards import CardsConfig, DataGap, Hook, HookInput
from cards.findings import Finding
from cards.knowledge import knowledge_version
from cards.render import render_cards
from cards.rules import rules_of
from fhir_mappings import (
    AnthracyclineTotal,
    ConditionFlags,
    Demographics,
    DiseaseSetting,
    Dose,
    DraftOrder,
    DrugExposure,
    Evidence,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    Her2TestKind,
    HormoneReceptors,
    IhcScore,
    LvefMeasurement,
    LvefSeries,
    MedicationConcept,
    PatientFacts,
    PregnancyState,
    PregnancyStatus,
    ReceptorCall,
    ReceptorStatus,
    Sex,
    TherapyHistory,
    TherapySetting,
    drug_info,
)
from tests.unit.cards.facts_factory import NOW, ago, exposure, lvef_measurement, make_facts

PATIENT = "pat-1"


def classes(drug: str) -> frozenset[str]:
    return drug_info(drug).classes


def order(
    drug: str,
    *,
    order_id: str | None = None,
    selected: bool = True,
    dose: Dose | None = None,
    text: str | None = None,
    also_named: tuple[str, ...] = (),
    matched_by: str = "rxnorm-ingredient",
) -> DraftOrder:
    """A draft MedicationRequest for `drug` with the classes the mapping gives it."""
    info = drug_info(drug)
    ref = f"MedicationRequest/{order_id or 'draft-' + drug}"
    return DraftOrder(
        reference=ref,
        resource_type="MedicationRequest",
        selected=selected,
        medication=MedicationConcept(
            drug=drug,
            classes=info.classes,
            components=info.components,
            route=info.route,
            matched_by=matched_by,
            text=text or info.display,
            also_named=also_named,
        ),
        dose=dose,
        interval_days=21,
        status="draft",
        evidence=Evidence(
            "MedicationRequest", ref.split("/")[1], None, text or info.display, None, None
        ),
    )


def on(
    drug: str,
    *,
    since_days: float | None = 120,
    active: bool = True,
    last_dose_days: float | None = None,
    end_days: float | None = None,
    setting: TherapySetting = TherapySetting.METASTATIC,
) -> DrugExposure:
    """An exposure to `drug`: active by default, started `since_days` ago."""
    return exposure(
        drug,
        start_days=since_days,
        end_days=end_days,
        last_dose_days=last_dose_days,
        active=active,
        setting=setting,
    )


def therapy(
    *exposures: DrugExposure, anthracyclines: Sequence[AnthracyclineTotal] = ()
) -> TherapyHistory:
    return TherapyHistory(
        exposures=tuple(exposures), metastatic_lines=(), anthracyclines=tuple(anthracyclines)
    )


def anthracycline_total(drug: str, mg_per_m2: float, *, given: int = 4, uncounted: int = 0):
    return AnthracyclineTotal(
        drug=drug,
        mg_per_m2=mg_per_m2,
        administrations=given,
        uncounted=uncounted,
        evidence=(
            Evidence("MedicationAdministration", f"adm-{drug}", None, drug, ago(200), "60 mg/m2"),
        ),
    )


def lvef(
    *readings: tuple[float, float],
    baseline_index: int | None = None,
    regimen_start_days: float | None = None,
) -> LvefSeries:
    """`readings` as (percent, days ago); the baseline is the reading at `baseline_index`."""
    measurements = [lvef_measurement(p, d) for p, d in readings]
    ordered = tuple(sorted(measurements, key=lambda m: m.when or NOW, reverse=True))
    base = measurements[baseline_index] if baseline_index is not None else None
    start = ago(regimen_start_days) if regimen_start_days is not None else None
    return LvefSeries(measurements=ordered, baseline=base, current_regimen_start=start)


def disease(*, metastatic: bool | None = True, breast: bool = True, other: tuple[str, ...] = ()):
    return DiseaseSetting(
        breast_cancer=breast,
        metastatic=bool(metastatic),
        metastatic_since=ago(400) if metastatic else None,
        brain_metastases=False,
        other_trastuzumab_cancers=other,
        adjuvant_trastuzumab_end=None,
        months_adjuvant_end_to_recurrence=None,
    )


def her2(
    call: Her2Call = Her2Call.POSITIVE,
    *,
    subtype: Her2NegativeSubtype | None = None,
    ihc: IhcScore | None = None,
    discordant: bool = False,
    results: Sequence[Her2Result] = (),
) -> Her2Assessment:
    evidence = (
        Evidence(
            "Observation",
            "her2-1",
            "http://loinc.org|18474-7",
            "HER2 IHC",
            ago(400),
            ihc.value if ihc else call.value,
        ),
    )
    if not results and call is not Her2Call.UNKNOWN:
        results = (
            Her2Result(
                kind=Her2TestKind.IHC if ihc else Her2TestKind.INTERPRETATION,
                call=call,
                when=ago(400),
                ihc_score=ihc,
                evidence=evidence,
            ),
        )
    return Her2Assessment(
        call=call,
        negative_subtype=subtype,
        as_of=ago(400) if call is not Her2Call.UNKNOWN else None,
        results=tuple(results),
        discordant=discordant,
        basis=evidence if call is not Her2Call.UNKNOWN else (),
    )


def receptors(er: ReceptorCall = ReceptorCall.UNKNOWN, pr: ReceptorCall = ReceptorCall.UNKNOWN):
    return HormoneReceptors(
        er=ReceptorStatus(er, None, ago(400) if er is not ReceptorCall.UNKNOWN else None),
        pr=ReceptorStatus(pr, None, ago(400) if pr is not ReceptorCall.UNKNOWN else None),
    )


def woman(age: int = 38, *, reproductive: bool | None = True) -> Demographics:
    return Demographics(sex=Sex.FEMALE, age_years=age, reproductive_potential=reproductive)


def man(age: int = 60) -> Demographics:
    return Demographics(sex=Sex.MALE, age_years=age, reproductive_potential=False)


def pregnancy(state: PregnancyState, days_ago: float | None) -> PregnancyStatus:
    when = ago(days_ago) if days_ago is not None else None
    evidence = (
        (Evidence("Observation", "hcg-1", "http://loinc.org|2118-8", "hCG", when, state.value),)
        if state is not PregnancyState.UNKNOWN
        else ()
    )
    return PregnancyStatus(state=state, last_checked=when, evidence=evidence)


def conditions(*, heart_failure: bool = False, ild: bool = False, days_ago: float = 300):
    def ev(code: str, display: str) -> tuple[Evidence, ...]:
        return (
            Evidence(
                "Condition", f"c-{code}", f"http://snomed.info/sct|{code}", display, ago(days_ago)
            ),
        )

    return ConditionFlags(
        heart_failure=ev("84114007", "Heart failure") if heart_failure else (),
        interstitial_lung_disease=ev("233703007", "Interstitial lung disease") if ild else (),
    )


def facts(**parts: Any) -> PatientFacts:
    """A HER2-positive metastatic breast cancer patient, 56, not of reproductive potential,
    nothing else on file unless `parts` says otherwise."""
    defaults: dict[str, Any] = {"her2": her2(), "disease": disease()}
    defaults.update(parts)
    return make_facts(**defaults)


@cache
def _response_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("cds_service").joinpath("schemas/response.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def findings(
    hook: Hook,
    patient: PatientFacts,
    orders: Sequence[DraftOrder] = (),
    *,
    gaps: Sequence[DataGap] = (),
    config: CardsConfig | None = None,
    rule: str | None = None,
) -> list[Finding]:
    """What the safety rules for `hook` conclude (all of them, or only `rule`)."""
    hook_input = HookInput(
        hook=hook, patient_id=PATIENT, facts=patient, orders=tuple(orders), gaps=tuple(gaps)
    )
    out: list[Finding] = []
    for r in rules_of("safety"):
        if hook in r.hooks and (rule is None or r.id == rule):
            out.extend(r.run(hook_input, config or CardsConfig()))
    return out


def cards(
    hook: Hook,
    patient: PatientFacts,
    orders: Sequence[DraftOrder] = (),
    *,
    gaps: Sequence[DataGap] = (),
    config: CardsConfig | None = None,
    rule: str | None = None,
) -> list[dict[str, Any]]:
    """The rendered cards, validated against the CDS Hooks response schema."""
    found = findings(hook, patient, orders, gaps=gaps, config=config, rule=rule)
    rendered = render_cards(found, hook, max_cards=20, knowledge_version=knowledge_version())
    _response_validator().validate({"cards": rendered})
    return rendered


def topics(rendered: Sequence[dict[str, Any]]) -> list[str]:
    return [c["source"]["topic"]["code"] for c in rendered]


def only(rendered: Sequence[dict[str, Any]], topic: str) -> dict[str, Any]:
    matching = [c for c in rendered if c["source"]["topic"]["code"] == topic]
    assert len(matching) == 1, [c["summary"] for c in rendered]
    return matching[0]


def gap(key: str, what: str, reason: str = "the FHIR server timed out") -> DataGap:
    return DataGap(key=key, what=what, reason=reason)


def at(days_ago: float) -> datetime:
    return ago(days_ago)


def measurement(percent: float, days_ago: float) -> LvefMeasurement:
    return lvef_measurement(percent, days_ago)
