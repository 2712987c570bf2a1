"""Facts and orders for regimen rule unit tests, in clinical words.

Built on the shared `facts_factory`; drug classes come from the terminology table
(`fhir_mappings.drug_info`) so a test cannot give a drug a class it does not have.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from cards import CardsConfig, Hook, HookInput
from cards.engine_types import Rule
from cards.findings import Finding
from cards.knowledge import knowledge_version
from cards.render import render_cards
from cards.rules import rules_of
from fhir_mappings import (
    DiseaseSetting,
    Dose,
    DraftOrder,
    DrugExposure,
    Evidence,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    HormoneReceptors,
    MedicationConcept,
    PatientFacts,
    ReceptorCall,
    ReceptorStatus,
    TherapyHistory,
    TherapyLine,
    TherapySetting,
    drug_info,
)
from tests.unit.cards.facts_factory import NOW, ago, body, exposure, make_facts

RULES = rules_of("regimens")

__all__ = ["NOW", "ago", "body"]

TRASTUZUMAB = "trastuzumab"
PERTUZUMAB = "pertuzumab"
PHESGO = "pertuzumab-trastuzumab-sc"
HYLECTA = "trastuzumab-sc"
T_DM1 = "ado-trastuzumab-emtansine"
T_DXD = "fam-trastuzumab-deruxtecan"
DOCETAXEL = "docetaxel"
PACLITAXEL = "paclitaxel"
CAPECITABINE = "capecitabine"
TUCATINIB = "tucatinib"
LAPATINIB = "lapatinib"
NERATINIB = "neratinib"
GEMFIBROZIL = "gemfibrozil"
LETROZOLE = "letrozole"

HER2_POSITIVE = Her2Assessment(
    call=Her2Call.POSITIVE, negative_subtype=None, as_of=ago(200), results=(), discordant=False
)


def her2_negative(subtype: Her2NegativeSubtype) -> Her2Assessment:
    return Her2Assessment(
        call=Her2Call.NEGATIVE, negative_subtype=subtype, as_of=ago(200), results=(),
        discordant=False,
    )  # fmt: skip


def her2(call: Her2Call) -> Her2Assessment:
    return Her2Assessment(
        call=call, negative_subtype=None, as_of=None, results=(), discordant=False
    )


def receptors(call: ReceptorCall) -> HormoneReceptors:
    status = ReceptorStatus(call, None, ago(200))
    return HormoneReceptors(er=status, pr=status)


HR_POSITIVE = receptors(ReceptorCall.POSITIVE)
HR_NEGATIVE = receptors(ReceptorCall.NEGATIVE)
ER_LOW = HormoneReceptors(
    er=ReceptorStatus(ReceptorCall.LOW_POSITIVE, 5.0, ago(200)),
    pr=ReceptorStatus(ReceptorCall.NEGATIVE, 0.0, ago(200)),
)


def metastatic(
    *,
    since_days: float | None = 60,
    brain: bool = False,
    adjuvant_end_days: float | None = None,
    gastric: bool = False,
    breast: bool = True,
) -> DiseaseSetting:
    since = ago(since_days) if since_days is not None else None
    end = ago(adjuvant_end_days) if adjuvant_end_days is not None else None
    months = (since - end).days / 30.4375 if since and end else None
    return DiseaseSetting(
        breast_cancer=breast,
        metastatic=True,
        metastatic_since=since,
        brain_metastases=brain,
        other_trastuzumab_cancers=("gastric",) if gastric else (),
        adjuvant_trastuzumab_end=end,
        months_adjuvant_end_to_recurrence=months,
    )


def early_stage(*, breast: bool = True, gastric: bool = False) -> DiseaseSetting:
    return DiseaseSetting(
        breast_cancer=breast,
        metastatic=False,
        metastatic_since=None,
        brain_metastases=False,
        other_trastuzumab_cancers=("gastric",) if gastric else (),
        adjuvant_trastuzumab_end=None,
        months_adjuvant_end_to_recurrence=None,
    )


def classes(drug: str) -> frozenset[str]:
    return drug_info(drug).classes


def exposed(
    drug: str,
    *,
    start_days: float | None = 100,
    last_dose_days: float | None = None,
    end_days: float | None = None,
    active: bool = False,
    setting: TherapySetting = TherapySetting.METASTATIC,
    doses: Sequence[tuple[float, Dose]] = (),
) -> DrugExposure:
    """One drug on file, recorded by administrations; `doses` are (days ago, dose), newest first."""
    return exposure(
        drug,
        start_days=start_days,
        end_days=end_days,
        last_dose_days=last_dose_days,
        active=active,
        setting=setting,
        doses=doses,
        record=Evidence(
            "MedicationAdministration", f"adm-{drug}", None, drug, ago(last_dose_days or 0), None
        ),
    )


def line(number: int, drugs: Iterable[str], start_days: float, end_days: float | None = None):
    return TherapyLine(
        number=number,
        drugs=frozenset(drugs),
        start=ago(start_days),
        end=ago(end_days) if end_days is not None else None,
    )


def history(*exposures: DrugExposure, lines: Sequence[TherapyLine] = ()) -> TherapyHistory:
    return TherapyHistory(exposures=exposures, metastatic_lines=tuple(lines), anthracyclines=())


def order(
    drug: str,
    dose: float | None = None,
    unit: str = "mg",
    *,
    interval: float | None = 21,
    selected: bool = True,
    order_id: str | None = None,
    text: str | None = None,
) -> DraftOrder:
    info = drug_info(drug)
    return DraftOrder(
        reference=f"MedicationRequest/{order_id or 'draft-' + drug}",
        resource_type="MedicationRequest",
        selected=selected,
        medication=MedicationConcept(
            drug=drug,
            classes=info.classes,
            components=info.components,
            route=info.route,
            matched_by="rxnorm-ingredient",
            text=text if text is not None else drug,
        ),
        dose=Dose(dose, unit) if dose is not None else None,
        interval_days=interval,
        status="draft",
    )


def her2_mbc(**parts: Any) -> PatientFacts:
    """HER2+ MBC diagnosed 60 days ago, 70 kg / 165 cm weighed 3 days ago, nothing else."""
    defaults: dict[str, Any] = {
        "her2": HER2_POSITIVE,
        "disease": metastatic(),
        "body": body(70, 165),
    }
    defaults.update(parts)
    return make_facts(**defaults)


def run(
    facts: PatientFacts,
    *orders: DraftOrder,
    hook: Hook = Hook.ORDER_SELECT,
    rules: Iterable[Rule] = RULES,
    config: CardsConfig | None = None,
) -> list[Finding]:
    hook_input = HookInput(hook=hook, patient_id="pat-1", facts=facts, orders=orders)
    found: list[Finding] = []
    for rule in rules:
        if hook in rule.hooks:
            found.extend(rule.run(hook_input, config or CardsConfig()))
    return found


def only(rule_ids: Iterable[str]) -> tuple[Rule, ...]:
    wanted = set(rule_ids)
    return tuple(r for r in RULES if r.id in wanted)


@cache
def _response_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("cds_service").joinpath("schemas/response.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def rendered(findings: Sequence[Finding], hook: Hook = Hook.ORDER_SELECT) -> list[dict[str, Any]]:
    """The cards these findings become, validated against the response schema."""
    cards = render_cards(findings, hook, max_cards=6, knowledge_version=knowledge_version())
    _response_validator().validate({"cards": cards})
    return cards


def dose_of(resource: dict[str, Any]) -> float:
    return float(resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"])


def created(finding: Finding) -> list[dict[str, Any]]:
    """Every order the finding's suggestions would leave: created, or a draft updated."""
    return [
        action.resource
        for suggestion in finding.suggestions
        for action in suggestion.actions
        if action.type in ("create", "update") and action.resource is not None
    ]


def code_of(resource: dict[str, Any]) -> str | None:
    codings = resource["medicationCodeableConcept"].get("coding", [])
    return codings[0]["code"] if codings else None


def replaced_ids(suggestion: Any) -> list[str]:
    """The drafts a suggestion takes away: deleted, or updated in place (same id)."""
    return sorted(
        a.resource_id if a.type == "delete" else f"{a.resource['resourceType']}/{a.resource['id']}"
        for a in suggestion.actions
        if a.type == "delete" or (a.type == "update" and a.resource is not None)
    )
