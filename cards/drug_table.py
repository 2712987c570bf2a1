"""Drug names for the rules' own tables: the one home of a drug's display and short name is the
drug table of `fhir_mappings` (`data/medications.json`); the regimen, safety and anthracycline
tables refer to a drug by its id and take its names from there."""

from __future__ import annotations

from cards.knowledge import KnowledgeError
from fhir_mappings import DrugInfo, drug_info


def known_drug(drug_id: str, table: str) -> DrugInfo:
    """The drug-table entry of an id a rules table names; an id the drug table lacks is a
    broken table and stops start-up."""
    try:
        return drug_info(drug_id)
    except KeyError:
        raise KnowledgeError(
            f"{table}: drug {drug_id!r} is not in fhir_mappings/data/medications.json"
        ) from None
