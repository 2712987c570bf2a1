"""The draft orders of one hook call that name a drug we know: the one reading both rule
families use (safety and regimens) of what is drafted, what is selected, and of which class.

An order counts when its medication was recognised as a drug of `medications.json`; an
unrecognised order (a ServiceRequest, a drug we do not know) is no drug of any class. On
order-select the *selected* orders are the ones in `context.selections`; on order-sign every
order is selected (`DraftOrder.selected`). Read once per hook call (`HookInput.drafted`); each
class's drafts are found once, so the rules' many questions cost a dictionary look-up each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fhir_mappings import DraftOrder


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

    __slots__ = ("_in_class", "_selected_in_class", "all", "selected")

    def __init__(self, orders: Iterable[DraftOrder]) -> None:
        self.all = tuple(
            Drafted(o, o.medication.drug, o.medication.classes)
            for o in orders
            if o.medication is not None and o.medication.drug
        )
        self.selected = tuple(d for d in self.all if d.order.selected)
        # each class is looked up once per call, then answered from here
        self._in_class: dict[str, tuple[DraftOrder, ...]] = {}
        self._selected_in_class: dict[str, tuple[DraftOrder, ...]] = {}

    def in_class(self, drug_class: str) -> tuple[DraftOrder, ...]:
        """Every draft order of `drug_class`, selected or not (the pending order set)."""
        found = self._in_class.get(drug_class)
        if found is None:
            found = tuple(d.order for d in self.all if drug_class in d.classes)
            self._in_class[drug_class] = found
        return found

    def selected_in_class(self, drug_class: str) -> tuple[DraftOrder, ...]:
        """The orders being selected/signed that belong to `drug_class`."""
        found = self._selected_in_class.get(drug_class)
        if found is None:
            found = tuple(d.order for d in self.selected if drug_class in d.classes)
            self._selected_in_class[drug_class] = found
        return found

    def ids(self, *classes: str) -> frozenset[str]:
        """Drug ids of all drafts (of any of `classes`, when given)."""
        if not classes:
            return frozenset(d.drug for d in self.all)
        return frozenset(d.drug for d in self.all if not d.classes.isdisjoint(classes))

    def selected_with(self, classes: frozenset[str]) -> tuple[Drafted, ...]:
        """The selected drafts of any of `classes`."""
        return tuple(d for d in self.selected if not d.classes.isdisjoint(classes))
