"""One hook call seen from the regimen rules: the patient, the drafts, the body size.

Every regimen rule starts from the same reading of the request, so they agree on what is
drafted, what is already being given and who the rules concern at all: a patient with breast
cancer. Gastric cancer on trastuzumab, or no cancer, concerns none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from cards.catalog import Catalog, catalog
from cards.current import current_in_class
from cards.drafts import Drafted
from cards.hook_input import Hook, HookInput
from cards.knowledge import CardsConfig
from cards.regimens.body_size import DosingBody, dosing_body
from fhir_mappings import Evidence, Her2Call, PatientFacts, TherapySetting

HER2_DIRECTED = "her2-directed"
TAXANE = "taxane"
CHEMOTHERAPY = "chemotherapy"
ENDOCRINE = "endocrine"
CDK46 = "cdk46-inhibitor"
HER2_TKI = "her2-tki"
TRASTUZUMAB_BASED = "trastuzumab-class"  # ASCO rec. 5.0 "trastuzumab-based"; do not substitute
SYSTEMIC = frozenset({HER2_DIRECTED, TAXANE, CHEMOTHERAPY, ENDOCRINE, CDK46})


@dataclass(frozen=True)
class Situation:
    hook_input: HookInput
    config: CardsConfig
    catalog: Catalog

    @property
    def facts(self) -> PatientFacts:
        return self.hook_input.facts

    @property
    def hook(self) -> Hook:
        return self.hook_input.hook

    @cached_property
    def body(self) -> DosingBody:
        return dosing_body(self.facts.body)

    # What is drafted: `cards.drafts`, the one reading both rule families use.
    @property
    def drafts(self) -> tuple[Drafted, ...]:
        return self.hook_input.drafted.all

    @property
    def selected(self) -> tuple[Drafted, ...]:
        return self.hook_input.drafted.selected

    def drafted_ids(self, *classes: str) -> frozenset[str]:
        """Drug ids of all draft orders (of any of `classes`, when given)."""
        return self.hook_input.drafted.ids(*classes)

    def selected_with(self, classes: frozenset[str]) -> tuple[Drafted, ...]:
        return self.hook_input.drafted.selected_with(classes)

    @property
    def setting(self) -> TherapySetting:
        return TherapySetting.METASTATIC if self.facts.disease.metastatic else TherapySetting.EARLY

    def active_ids(self, *classes: str) -> frozenset[str]:
        """Drugs being given now in the patient's current setting: current by the one
        definition (`cards.current`: an open order, or a last dose within the cycle plus the
        grace where no order or statement says it stopped)."""
        active = current_in_class(self.facts, *classes, config=self.config, setting=self.setting)
        return frozenset(e.drug for e in active)

    @cached_property
    def received(self) -> frozenset[str]:
        """Every drug on file, in any setting and any status."""
        return frozenset(e.drug for e in self.facts.therapy.exposures)

    def received_moieties(self) -> frozenset[str]:
        return frozenset(m for d in self.received for m in self.catalog.provides(d))

    def present_ids(self) -> frozenset[str]:
        """Drafted now or already being given: what a regimen already has."""
        return self.drafted_ids() | self.active_ids()

    @property
    def breast_cancer(self) -> bool:
        return self.facts.disease.breast_cancer

    @property
    def her2_positive_mbc(self) -> bool:
        disease = self.facts.disease
        return (
            disease.breast_cancer
            and disease.metastatic
            and self.facts.her2.call is Her2Call.POSITIVE
        )

    @property
    def hr_positive(self) -> bool | None:
        return self.facts.hormone_receptors.hr_positive

    def receptor_evidence(self) -> tuple[Evidence, ...]:
        facts = self.facts
        return (
            facts.her2.basis
            + facts.hormone_receptors.er.evidence
            + facts.hormone_receptors.pr.evidence
            + facts.disease.evidence
        )


def situation(hook_input: HookInput, config: CardsConfig) -> Situation:
    """The call as the regimen rules read it, one per call and config: what it derives
    (the dosing body, the drugs received, the line) is worked out once for all of them."""
    return hook_input.once(
        "regimens.situation",
        config,
        lambda: Situation(hook_input=hook_input, config=config, catalog=catalog()),
    )
