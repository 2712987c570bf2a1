"""Drug names for card text and RxNorm codes for suggested orders.

Card text uses our own names (the regimen table's short names, else the terminology table's
display), never the order's free text. Codes come from the terminology table of
`fhir_mappings`, the one place where RxNorm codes are verified.
"""

from __future__ import annotations

from collections.abc import Iterable

from cards.catalog import Catalog
from fhir_mappings import drug_info


def drug_name(drug_id: str, catalog: Catalog) -> str:
    drug = catalog.drug(drug_id)
    if drug:
        return drug.short
    try:
        return drug_info(drug_id).display
    except KeyError:
        return drug_id


def names(drug_ids: Iterable[str], catalog: Catalog, joiner: str = " + ") -> str:
    return joiner.join(drug_name(d, catalog) for d in sorted(set(drug_ids)))


def rxnorm_code(drug_id: str) -> str | None:
    """The RxCUI a suggestion is coded with; None when no verified code exists (T-DXd)."""
    try:
        return drug_info(drug_id).rxnorm_code
    except KeyError:
        return None
