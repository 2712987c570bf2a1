"""The draft orders of one hook call that name a drug we know: the one reading both rule
families use (safety and regimens) of what is drafted, what is selected, and of which class.

An order counts when its medication was recognised as a drug of `medications.json`; an
unrecognised order (a ServiceRequest, a drug we do not know) is no drug of any class. On
order-select the *selected* orders are the ones in `context.selections`; on order-sign every
order is selected (`DraftOrder.selected`). Read once per hook call (`HookInput.drafted`), indexed
by class, so the rules' many questions cost a dictionary look-up each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fhir_mappings import DraftOrder

_NONE: tuple[DraftOrder, ...] = ()


def order_drug(order: DraftOrder) -> str | None:
    """The drug id the order names; None when the order names no drug we know."""
    return order.medication.drug if order.medication else None


@dataclass(frozen=True)
class Drafted:
    """A draft order that names a drug we know."""

    order: DraftOrder
    drug: str
    classes: frozenset[str]

    @property
    def selected(self) -> bool:
        return self.order.selected


class DraftedOrders:
    """The drafts naming a known drug, in the order the request lists them, indexed by class.

    `all`/`selected` are the drafts as `Drafted`; `in_class`/`selected_in_class` the orders
    themselves (what the safety rules cite and delete).
    """

    __slots__ = ("_by_class", "_selected_by_class", "all", "selected")

    def __init__(self, orders: Iterable[DraftOrder]) -> None:
        drafted = tuple(
            Drafted(o, o.medication.drug, o.medication.classes)
            for o in orders
            if o.medication is not None and o.medication.drug
        )
        self.all = drafted
        self.selected = tuple(d for d in drafted if d.order.selected)
        by_class: dict[str, list[DraftOrder]] = {}
        selected_by_class: dict[str, list[DraftOrder]] = {}
        for d in drafted:
            for drug_class in d.classes:
                by_class.setdefault(drug_class, []).append(d.order)
                if d.order.selected:
                    selected_by_class.setdefault(drug_class, []).append(d.order)
        self._by_class = {k: tuple(v) for k, v in by_class.items()}
        self._selected_by_class = {k: tuple(v) for k, v in selected_by_class.items()}

    def in_class(self, drug_class: str) -> tuple[DraftOrder, ...]:
        """Every draft order of `drug_class`, selected or not (the pending order set)."""
        return self._by_class.get(drug_class, _NONE)

    def selected_in_class(self, drug_class: str) -> tuple[DraftOrder, ...]:
        """The orders being selected/signed that belong to `drug_class`."""
        return self._selected_by_class.get(drug_class, _NONE)

    def ids(self, *classes: str) -> frozenset[str]:
        """Drug ids of all drafts (of any of `classes`, when given)."""
        if not classes:
            return frozenset(d.drug for d in self.all)
        return frozenset(d.drug for d in self.all if not d.classes.isdisjoint(classes))

    def selected_with(self, classes: frozenset[str]) -> tuple[Drafted, ...]:
        """The selected drafts of any of `classes`."""
        return tuple(d for d in self.selected if not d.classes.isdisjoint(classes))
