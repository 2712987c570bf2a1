"""Patient stories for the regimen scenarios, as the FHIR JSON an EHR sends.

Thin on top of the shared `tests/scenarios/fhir_builders.py`: a drug is named by its id and
coded with an RxNorm code the terminology table knows; days are counted back from `NOW`.
Card helpers pick the regimen rules' cards out of a response by their source topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from cards import CardsConfig
from tests.scenarios import fhir_builders as fb
from tests.scenarios.harness import run_hook

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

# drug id -> (RxNorm code, text). T-DXd has no ingredient code: its SCD/SBD is used.
DRUGS: dict[str, tuple[str | None, str]] = {
    "trastuzumab": ("224905", "trastuzumab"),
    "trastuzumab-sc": ("2119714", "trastuzumab and hyaluronidase-oysk 600 MG in 5 ML"),
    "pertuzumab": ("1298944", "pertuzumab"),
    "pertuzumab-trastuzumab-sc": (None, "Phesgo (pertuzumab, trastuzumab, and hyaluronidase-zzxf)"),
    "ado-trastuzumab-emtansine": ("1371041", "ado-trastuzumab emtansine"),
    "fam-trastuzumab-deruxtecan": ("2267576", "fam-trastuzumab deruxtecan-nxki 100 MG Injection"),
    "tucatinib": ("2361290", "tucatinib 150 MG Oral Tablet"),
    "lapatinib": ("480167", "lapatinib"),
    "margetuximab": (None, "margetuximab-cmkb (Margenza)"),
    "neratinib": ("1940643", "neratinib"),
    "docetaxel": ("72962", "docetaxel"),
    "paclitaxel": ("56946", "paclitaxel"),
    "capecitabine": ("194000", "capecitabine"),
    "vinorelbine": ("39541", "vinorelbine"),
    "letrozole": ("72965", "letrozole"),
    "fulvestrant": ("282357", "fulvestrant"),
    "abemaciclib": (None, "abemaciclib (Verzenio)"),
    "anastrozole": ("84857", "anastrozole"),
    "doxorubicin": ("3639", "doxorubicin"),
    "cyclophosphamide": ("3002", "cyclophosphamide"),
    "gemfibrozil": ("310459", "gemfibrozil 600 MG Oral Tablet"),
    "loperamide": ("978006", "loperamide hydrochloride 2 MG Oral Capsule"),
}

REGIMEN_TOPICS = {
    "C10",
    "C11",
    "dose-check",
    "C12-first-line",
    "C12-second-line",
    "C12-later-lines",
    "C12-line-undetermined",
    "C12-hr-endocrine",
    "C12-her2-maintenance",
    "adjuvant-duration",
    "course-limit",
    "starting-dose",
    "supportive-care",
    "C12-her2-low",
    "C12-early-stage",
    "C12-summary",
}


def ago(days: float) -> str:
    return fb.days_before(NOW, days)


def body_size(*, kg: float | None = 70, cm: float | None = 165, days: float = 3) -> list[dict]:
    resources = []
    if kg is not None:
        resources.append(fb.weight(kg, when=ago(days)))
    if cm is not None:
        resources.append(fb.height(cm, when=ago(days)))
    return resources


def receptors(*, er: float, pr: float) -> list[dict[str, Any]]:
    return [
        fb.receptor("er", percent=er, when=ago(400)),
        fb.receptor("pr", percent=pr, when=ago(400)),
    ]


def her2_positive_mbc(
    *,
    metastatic_days: float = 60,
    diagnosis_days: float = 900,
    brain: bool = False,
    hr_positive: bool | None = None,
    kg: float | None = 70,
    cm: float | None = 165,
    weighed_days: float = 3,
) -> list[dict[str, Any]]:
    """A woman of 56 with HER2-positive (IHC 3+) breast cancer, metastatic for
    `metastatic_days`, with a normal LVEF this month (so the cardiac rules stay quiet)."""
    resources: list[dict[str, Any]] = [
        fb.patient(),
        fb.breast_cancer(onset=ago(diagnosis_days)),
        fb.her2_ihc("3+", when=ago(diagnosis_days - 5)),
        fb.metastatic_breast_cancer(onset=ago(metastatic_days)),
        fb.lvef(62, when=ago(20)),
        *body_size(kg=kg, cm=cm, days=weighed_days),
    ]
    if brain:
        resources.append(fb.brain_metastases(onset=ago(metastatic_days)))
    if hr_positive is not None:
        resources.extend(receptors(er=80 if hr_positive else 0, pr=40 if hr_positive else 0))
    return resources


def given(drug: str, days: float, dose: float | None = None, unit: str = "mg") -> dict[str, Any]:
    """A completed administration `days` ago."""
    code, text = DRUGS[drug]
    return fb.administration(code, text, when=ago(days), dose=dose, unit=unit)


def cycles(drug: str, *days: float, dose: float | None = None, unit: str = "mg") -> list[dict]:
    return [given(drug, d, dose, unit) for d in days]


def ordered(
    drug: str,
    *,
    start_days: float | None,
    end_days: float | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """A past order (history), e.g. adjuvant trastuzumab from `start_days` to `end_days` ago."""
    code, text = DRUGS[drug]
    return fb.medication_request(
        code,
        text,
        status=status,
        authored=ago(start_days) if start_days is not None else None,
        start=ago(start_days) if start_days is not None else None,
        end=ago(end_days) if end_days is not None else None,
    )


def draft(
    drug: str,
    dose: float | None = None,
    unit: str = "mg",
    *,
    every: int | None = 21,
    per_day: int | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    """A draft order every `every` days, or `per_day` times a day (oral drugs: 2 = twice daily)."""
    code, default_text = DRUGS[drug]
    order = fb.draft_order(
        code,
        text or default_text,
        dose=dose,
        unit=unit,
        interval_days=None if per_day else every,
        resource_id=None,
    )
    if per_day and dose is not None:
        timing = {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}}
        order["dosageInstruction"][0]["timing"] = timing
    return order


def order_select(
    resources: Sequence[dict[str, Any]],
    *drafts: dict[str, Any],
    selected: Iterable[dict] = (),
    config: CardsConfig | None = None,
) -> list[dict[str, Any]]:
    """order-select with every draft selected (or only `selected`)."""
    chosen = list(selected) or list(drafts)
    return run_hook(
        "order-select",
        resources,
        now=NOW,
        draft_orders=fb.draft_bundle(*drafts),
        selections=fb.selections(*chosen),
        config=config,
    )


def order_sign(
    resources: Sequence[dict[str, Any]], *drafts: dict[str, Any], config: CardsConfig | None = None
) -> list[dict]:
    return run_hook(
        "order-sign", resources, now=NOW, draft_orders=fb.draft_bundle(*drafts), config=config
    )


def patient_view(resources: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return run_hook("patient-view", resources, now=NOW)


def topic(card: dict[str, Any]) -> str:
    return str(card["source"]["topic"]["code"])


def regimen_cards(cards: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cards the regimen rules made (the safety rules' cards are theirs to test)."""
    return [c for c in cards if topic(c) in REGIMEN_TOPICS]


def card_of(cards: Iterable[dict[str, Any]], rule: str) -> dict[str, Any]:
    found = [c for c in cards if topic(c) == rule]
    assert len(found) == 1, [(topic(c), c["summary"]) for c in cards]
    return found[0]


def topics(cards: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(topic(c) for c in regimen_cards(cards))


def created(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The orders the suggestions would leave: new ones, and drafts updated in place."""
    return [
        action["resource"]
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action["type"] in ("create", "update")
    ]


def deleted(card: dict[str, Any]) -> list[str]:
    """The drafts the suggestions take away: deleted, or replaced by an update of the same id
    (a replacement is an update, so a one-draft client applies it whole)."""
    return [
        action["resourceId"]
        if action["type"] == "delete"
        else f"{action['resource']['resourceType']}/{action['resource']['id']}"
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action["type"] == "delete" or action["type"] == "update"
    ]


def updated(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        action["resource"]
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action["type"] == "update"
    ]


def dose_mg(resource: dict[str, Any]) -> float:
    return float(resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"])


def drug_text(resource: dict[str, Any]) -> str:
    return str(resource["medicationCodeableConcept"]["text"])


def rxnorm(resource: dict[str, Any]) -> str | None:
    codings = resource["medicationCodeableConcept"].get("coding", [])
    return codings[0]["code"] if codings else None


def reference(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def her2_negative_mbc(
    ihc: str,
    *,
    note: str | None = None,
    ish_negative: bool = False,
    hr_positive: bool | None = None,
    metastatic_days: float = 200,
) -> list[dict[str, Any]]:
    """Metastatic breast cancer with a HER2-negative IHC result (0, 1+, or 2+ with ISH)."""
    ihc_result = fb.her2_ihc(ihc, when=ago(300))
    if note:
        ihc_result["note"] = [{"text": note}]
    resources: list[dict[str, Any]] = [
        fb.patient(),
        fb.breast_cancer(onset=ago(900)),
        ihc_result,
        fb.metastatic_breast_cancer(onset=ago(metastatic_days)),
        *body_size(),
    ]
    if ish_negative:
        resources.extend(fb.her2_ish(ratio=1.1, copies=2.1, when=ago(298)))
    if hr_positive is not None:
        resources.extend(receptors(er=80 if hr_positive else 0, pr=40 if hr_positive else 0))
    return resources


def gastric_cancer(*, onset_days: float = 300) -> dict[str, Any]:
    return fb.condition("363349007", onset=ago(onset_days), display="Malignant tumor of stomach")
