"""The unsigned orders of an order-select / order-sign hook (`context.draftOrders`).

The Bundle may lack `type` (the sandbox omits it) and hold MedicationRequests, ServiceRequests
and anything else. An order is "selected" when its Type/id is in `context.selections`; on
order-sign every order is being signed, so every order is selected. The medication is resolved
like history (codes, a contained Medication, one in the draft Bundle or in the prefetched
resources), else from the reference's display through the name fallback (Epic, cds-hooks-notes
§1.10). Draft resources are read leniently and never rejected: the sandbox sends `category` as an
object, and a draft may not name its medication yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fhir_mappings.doses import dose_from_dosages, dose_text, interval_days, with_strength
from fhir_mappings.fhir_json import as_object, as_objects, as_text, parse_datetime, status_code
from fhir_mappings.medications import drug_info, recognise_with
from fhir_mappings.model import DraftOrder, Evidence, MedicationConcept
from fhir_mappings.resource_set import ResourceSet
from fhir_mappings.strength import product_strength_mg

_SIGN_HOOKS = frozenset({"order-sign"})


def read_draft_orders(
    draft_orders: Mapping[str, Any] | None,
    selections: Sequence[str],
    *,
    hook: str,
    resources: Sequence[Mapping[str, Any]] = (),
) -> tuple[DraftOrder, ...]:
    bundle = as_object(draft_orders)
    if bundle is None:
        return ()
    entries = [
        e["resource"]
        for e in as_objects(bundle.get("entry"))
        if isinstance(e.get("resource"), Mapping)
    ]
    index = _LazyIndex([*resources, bundle])
    chosen = {s.strip() for s in selections if isinstance(s, str)}
    return tuple(_order(r, index, chosen, hook in _SIGN_HOOKS) for r in entries)


class _LazyIndex:
    """The ResourceSet of the drafts and the prefetch, built on the first reference to follow:
    most orders code their medication, and a 5,000-resource record should not be indexed
    twice per call for nothing."""

    def __init__(self, resources: list[Any]) -> None:
        self._resources: list[Any] = resources
        self._index: ResourceSet | None = None

    def resolve(
        self, reference: str | None, container: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any] | None:
        if self._index is None:
            self._index = ResourceSet(self._resources)
        return self._index.resolve(reference, container)


def _selected(reference: str, chosen: set[str]) -> bool:
    """Exact Type/id, or an absolute URL that ends with it."""
    if not reference:
        return False
    return reference in chosen or any(s.endswith("/" + reference) for s in chosen)


def _order(
    resource: Mapping[str, Any], index: _LazyIndex, chosen: set[str], sign: bool
) -> DraftOrder:
    rtype = as_text(resource.get("resourceType")) or "Resource"
    rid = as_text(resource.get("id"))
    reference = f"{rtype}/{rid}" if rid else ""
    medication = recognise_with(resource, index.resolve)
    dosages = as_objects(resource.get("dosageInstruction"))
    dose = dose_from_dosages(dosages)
    if dose is not None and dose.mg is None:
        dose = with_strength(dose, product_strength_mg(resource, index.resolve))
    when = parse_datetime(resource.get("authoredOn"))
    evidence = Evidence(
        resource_type=rtype,
        resource_id=rid,
        code=medication.code if medication else None,
        display=_display(medication),
        when=when,
        value=dose_text(dose),
    )
    return DraftOrder(
        reference=reference,
        resource_type=rtype,
        selected=sign or _selected(reference, chosen),
        medication=medication,
        dose=dose,
        interval_days=interval_days(dosages),
        status=status_code(resource),
        evidence=evidence,
    )


def _display(medication: MedicationConcept | None) -> str | None:
    """The order's own medication text; for an order coded only (an NDC, an RxCUI), the name of
    the drug its code names, as a card shows it (never the code system's URL)."""
    if medication is None:
        return None
    return medication.text or (drug_info(medication.drug).display if medication.drug else None)
