"""The three CDS services, each declared once; discovery is generated from these declarations.

Prefetch templates use only the spec's query subset (reads; searches by reference, token
and `_count`/`_sort`), R4 syntax (`_sort=-date`), and the code lists of `fhir_mappings`, so
the EHR sends exactly the observations the mapping can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from cards import Hook, Identifiers, knowledge_version
from cds_service.prefetch import PrefetchKey
from fhir_mappings import concept_codes

_PATIENT = "{{context.patientId}}"

# Which observation concepts of the terminology tables each prefetch key carries. Serum HER2
# is left out on purpose: it is never tissue status.
OBSERVATION_GROUPS: Mapping[str, tuple[str, ...]] = {
    "tumor-markers": (
        "her2-ihc",
        "her2-interpretation",
        "her2-ish",
        "her2-ish-ratio",
        "her2-ish-copies",
        "her2-ish-cep17",
        "her2-ish-panel",
        "er-status",
        "er-percent",
        "pr-status",
        "pr-percent",
        "hr-combined",
        "stage-group",
        "distant-metastases-category",
        "distant-metastasis-site",
    ),
    "lvef": ("lvef", "lvef-panel"),
    "body-size": ("body-weight", "body-height", "bsa"),
    "pregnancy": ("pregnancy-status", "hcg-qualitative", "hcg-quantitative"),
    "labs": (
        "alt",
        "ast",
        "bilirubin-total",
        "creatinine",
        "egfr",
        "creatinine-clearance",
        "neutrophils",
        "platelets",
    ),
}


def search_codes(group: str) -> tuple[str, ...]:
    """`system|code` tokens for a group, in table order, each once."""
    tokens = (
        entry.system_code
        for concept in OBSERVATION_GROUPS[group]
        for entry in concept_codes("observations", concept)
    )
    return tuple(dict.fromkeys(tokens))


def _observations(group: str, count: int) -> str:
    codes = ",".join(search_codes(group))
    return f"Observation?patient={_PATIENT}&code={codes}&_sort=-date&_count={count}"


@cache
def prefetch_keys() -> tuple[PrefetchKey, ...]:
    """What every hook needs. Only the Patient is required; the rest degrade to data gaps."""
    return (
        PrefetchKey("patient", f"Patient/{_PATIENT}", "the Patient resource", required=True),
        PrefetchKey(
            "tumorMarkers",
            _observations("tumor-markers", 100),
            "HER2, ER, PR and staging observations",
            newest_first=True,
        ),
        PrefetchKey("lvef", _observations("lvef", 50), "LVEF observations", newest_first=True),
        PrefetchKey(
            "bodySize",
            _observations("body-size", 50),
            "weight and height observations",
            newest_first=True,
        ),
        PrefetchKey(
            "pregnancy",
            _observations("pregnancy", 20),
            "pregnancy status and hCG observations",
            newest_first=True,
        ),
        PrefetchKey(
            "labs",
            _observations("labs", 50),
            "liver, kidney and blood count results",
            newest_first=True,
        ),
        PrefetchKey("conditions", f"Condition?patient={_PATIENT}&_count=200", "conditions"),
        PrefetchKey(
            "medicationRequests",
            f"MedicationRequest?patient={_PATIENT}&status=active,on-hold,completed,stopped"
            "&_count=200",
            "medication orders",
        ),
        PrefetchKey(
            "medicationAdministrations",
            f"MedicationAdministration?patient={_PATIENT}&_count=500",
            "medication administrations",
        ),
        PrefetchKey(
            "medicationStatements",
            f"MedicationStatement?patient={_PATIENT}&_count=200",
            "medication statements",
        ),
    )


@dataclass(frozen=True)
class CdsService:
    id: str
    hook: Hook
    title: str
    description: str

    def discovery(self, identifiers: Identifiers | None = None) -> dict[str, Any]:
        names = identifiers or Identifiers()
        return {
            "hook": self.hook.value,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "prefetch": {key.key: key.template for key in prefetch_keys()},
            "extension": {
                "org.her2-cds-hooks.knowledge-version": knowledge_version(),
                "org.her2-cds-hooks.rule-system": names.rules,
                "org.her2-cds-hooks.override-reason-system": names.override_reasons,
            },
        }


SERVICES: tuple[CdsService, ...] = (
    CdsService(
        id="her2-breast-cancer-order-select",
        hook=Hook.ORDER_SELECT,
        title="HER2+ breast cancer: regimen and safety checks",
        description=(
            "When HER2-directed therapy, taxanes or anthracyclines are selected: the guideline "
            "regimen for this patient's line of therapy with computed doses, dose checks, "
            "cardiac monitoring and label withhold rules, anthracycline, pregnancy, ILD and "
            "HER2 biomarker checks, and the labels' liver, blood-count and renal criteria."
        ),
    ),
    CdsService(
        id="her2-breast-cancer-order-sign",
        hook=Hook.ORDER_SIGN,
        title="HER2+ breast cancer: safety check before signing",
        description=(
            "The last check before signing HER2-directed, taxane or anthracycline orders: "
            "speaks only when something is wrong (LVEF overdue or past a label threshold, "
            "anthracycline concurrency or cumulative dose, pregnancy, ILD, HER2 status, dose, "
            "liver tests, blood counts or creatinine clearance past a label threshold or missing)."
        ),
    ),
    CdsService(
        id="her2-breast-cancer-patient-view",
        hook=Hook.PATIENT_VIEW,
        title="HER2+ breast cancer: treatment and cardiac monitoring summary",
        description=(
            "For patients with breast cancer: HER2 and hormone-receptor status, line of "
            "therapy and the guideline's next step, last LVEF and when the next one is due."
        ),
    ),
)


def find_service(service_id: str) -> CdsService | None:
    return next((s for s in SERVICES if s.id == service_id), None)


def discovery_document(identifiers: Identifiers | None = None) -> Mapping[str, Any]:
    return {"services": [service.discovery(identifiers) for service in SERVICES]}
