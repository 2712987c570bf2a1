"""Whether a HER2-directed drug is starting or already under way, for the checks the labels
ask for before starting (C5: verify the pregnancy status; C8: a resolved ILD history before
T-DXd) and that would only train overrides if repeated at every cycle.

A drug is under way when it, or a product that delivers the same antibody (Phesgo after IV
trastuzumab and pertuzumab), was given or ordered with the order still open within
`her2_line_course_gap_days`. A first dose, or a restart after a longer gap (adjuvant therapy
years ago, now metastatic), is a start.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from cards.catalog import catalog
from cards.knowledge import CardsConfig
from fhir_mappings import PatientFacts

GAP_KEY = "her2_line_course_gap_days"


def under_way(facts: PatientFacts, config: CardsConfig, drug_id: str) -> bool:
    """The drug (or the same antibody) given, or ordered and still open, within the gap."""
    known = catalog()
    moieties = known.provides(drug_id)
    gap = timedelta(days=config.threshold(GAP_KEY))
    for exposure in facts.therapy.exposures:
        if exposure.drug != drug_id and not moieties & known.provides(exposure.drug):
            continue
        if exposure.active:
            return True
        dates = [d for d in (exposure.last_dose, exposure.end) if d is not None]
        if dates and facts.as_of - max(dates) <= gap:
            return True
    return False


def all_under_way(facts: PatientFacts, config: CardsConfig, drug_ids: Iterable[str]) -> bool:
    """Every drug of the order under way: no drug of this line is starting."""
    ids = list(drug_ids)
    return bool(ids) and all(under_way(facts, config, d) for d in ids)
