"""C7, the HER2-low part: is the patient in a T-DXd label population, not only HER2-low?

T-DXd is labelled for unresectable or metastatic HER2-low disease after chemotherapy for
metastatic disease or relapse within 6 months of adjuvant chemotherapy (DESTINY-Breast04),
and for HR-positive HER2-low or HER2-ultralow disease after at least one endocrine therapy
for metastatic disease (DESTINY-Breast06). A HER2-low result alone is not the indication.

The populations are the regimen table's (`regimens.json` `her2_low`, read through its
loader), so the label wording and the 6-month window live in one place. This module says
which populations the HER2 subtype and HR status allow, and which prior therapy on file
places the patient in one; therapy of unknown setting is reported, never counted, and therapy
given in the early (adjuvant) setting that does not count is named with the reason (a relapse
on adjuvant tamoxifen is not "endocrine therapy for metastatic disease"), so the card does not
read as though the record held no therapy at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from cards.catalog import Her2LowPopulation, catalog
from cards.knowledge import KnowledgeError
from fhir_mappings import DAYS_PER_MONTH, DrugExposure, PatientFacts, TherapySetting


@dataclass(frozen=True)
class Requirement:
    drug_class: str  # the mapping's class of the prior therapy
    words: str  # as a card says what is missing
    short: str  # the same, where two requirements are named together


REQUIREMENTS = {
    "prior-metastatic-chemotherapy": Requirement(
        "chemotherapy", "chemotherapy for metastatic disease", "chemotherapy"
    ),
    "prior-metastatic-endocrine": Requirement(
        "endocrine", "endocrine therapy for metastatic disease", "endocrine therapy"
    ),
}


@dataclass(frozen=True)
class PopulationCheck:
    """Which label populations apply, which one the record places the patient in, and what
    is missing or undetermined."""

    applicable: tuple[Her2LowPopulation, ...]
    met: tuple[tuple[Her2LowPopulation, tuple[DrugExposure, ...]], ...]
    unplaced: tuple[DrugExposure, ...]  # required therapy on file whose setting is unknown
    early: tuple[DrugExposure, ...] = ()  # required-class therapy of the early setting, not met

    @property
    def unmet(self) -> tuple[Requirement, ...]:
        return tuple(requirement(p) for p in self.applicable) if not self.met else ()

    def missing_phrase(self) -> str:
        """'chemotherapy for metastatic disease', or 'metastatic chemotherapy or endocrine
        therapy' when either route would do."""
        unmet = list(dict.fromkeys(self.unmet))
        if len(unmet) == 1:
            return unmet[0].words
        return "metastatic " + " or ".join(r.short for r in unmet)


def requirement(population: Her2LowPopulation) -> Requirement:
    try:
        return REQUIREMENTS[population.requires]
    except KeyError as exc:  # a new label route must not be silently read as met
        raise KnowledgeError(
            f"regimens.json her2_low: population {population.id} requires "
            f"{population.requires!r}, which the safety rule C7 does not know"
        ) from exc


def _relapse_after_adjuvant_chemotherapy(facts: PatientFacts) -> tuple[DrugExposure, ...]:
    """(Neo)adjuvant chemotherapy that ended within the label window before the relapse."""
    since = facts.disease.metastatic_since
    if since is None:
        return ()
    months = catalog().her2_low.adjuvant_chemotherapy_relapse_months
    window = timedelta(days=months * DAYS_PER_MONTH)
    found = []
    for e in facts.therapy.of_class(REQUIREMENTS["prior-metastatic-chemotherapy"].drug_class):
        ended = e.last_dose or e.end
        if (
            e.setting is TherapySetting.EARLY
            and ended is not None
            and timedelta(0) <= since - ended <= window
        ):
            found.append(e)
    return tuple(found)


def _continued_into_metastatic(
    facts: PatientFacts, drug_class: str, continued_days: float
) -> tuple[DrugExposure, ...]:
    """Therapy started in the early setting and still given at least `continued_days` after
    the metastatic diagnosis: given for metastatic disease too (letrozole kept on for months
    after the relapse), unlike a course stopped when the relapse was found."""
    since = facts.disease.metastatic_since
    if since is None:
        return ()
    found = []
    for e in facts.therapy.of_class(drug_class):
        dates = [d for d in (e.last_dose, e.end) if d is not None and d <= facts.as_of]
        if e.active:
            dates.append(facts.as_of)
        if (
            e.setting is TherapySetting.EARLY
            and dates
            and max(dates) - since >= timedelta(days=continued_days)
        ):
            found.append(e)
    return tuple(found)


def _qualifying(
    facts: PatientFacts, population: Her2LowPopulation, continued_days: float
) -> tuple[DrugExposure, ...]:
    needed = requirement(population)
    metastatic = tuple(
        e
        for e in facts.therapy.of_class(needed.drug_class)
        if e.setting is TherapySetting.METASTATIC
    )
    if metastatic:
        return metastatic
    if population.requires == "prior-metastatic-endocrine":
        return _continued_into_metastatic(facts, needed.drug_class, continued_days)
    return _relapse_after_adjuvant_chemotherapy(facts)


def check_population(facts: PatientFacts, subtype: str, continued_days: float) -> PopulationCheck:
    """`subtype`: 'her2-low' or 'her2-ultralow' (the mapping's negative subtype value);
    `continued_days`: how long endocrine therapy begun in the early setting must go on after
    the metastatic diagnosis to count as therapy for metastatic disease."""
    hr = facts.hormone_receptors.hr_positive
    applicable = tuple(
        p
        for p in catalog().her2_low.populations
        if subtype in p.subtypes and (not p.hr_positive_only or hr is True)
    )
    met = tuple((p, q) for p in applicable for q in [_qualifying(facts, p, continued_days)] if q)
    classes = {requirement(p).drug_class for p in applicable}
    unplaced = tuple(
        e
        for e in facts.therapy.exposures
        if e.classes & classes and e.setting is TherapySetting.UNKNOWN
    )
    early = tuple(
        e
        for e in facts.therapy.exposures
        if e.classes & classes and e.setting is TherapySetting.EARLY
    )
    return PopulationCheck(applicable=applicable, met=met, unplaced=unplaced, early=early)


def population_texts(populations: Sequence[Her2LowPopulation]) -> str:
    return " ".join(f"{p.text}." for p in populations)


def all_population_texts() -> str:
    return population_texts(catalog().her2_low.populations)
