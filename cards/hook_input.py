"""What the service hands to the rules for one hook call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import TypeVar, cast

from cards.drafts import DraftedOrders
from fhir_mappings import DraftOrder, PatientFacts

T = TypeVar("T")


class Hook(StrEnum):
    PATIENT_VIEW = "patient-view"
    ORDER_SELECT = "order-select"
    ORDER_SIGN = "order-sign"


@dataclass(frozen=True)
class DataGap:
    """Data a rule would need that could not be obtained (prefetch said so, or the FHIR
    server failed). Rules that depend on it say so on a warning card instead of staying
    silent."""

    key: str  # the prefetch key, e.g. "lvef"
    what: str  # "LVEF observations"
    reason: str  # "the FHIR server timed out" (no identifiers, no URLs)


@dataclass(frozen=True)
class HookInput:
    hook: Hook
    patient_id: str  # context.patientId, for the subject of suggested resources
    facts: PatientFacts
    orders: tuple[DraftOrder, ...] = ()
    gaps: tuple[DataGap, ...] = ()

    def gap(self, key: str) -> DataGap | None:
        return next((g for g in self.gaps if g.key == key), None)

    @cached_property
    def selected_orders(self) -> tuple[DraftOrder, ...]:
        """Every order being selected/signed, whether or not it names a drug we know."""
        return tuple(o for o in self.orders if o.selected)

    @cached_property
    def drafted(self) -> DraftedOrders:
        """The drafts naming a known drug, by class: what both rule families ask
        (`cards.drafts`), read once per call."""
        return DraftedOrders(self.orders)

    @cached_property
    def per_call(self) -> dict[str, tuple[object, object]]:
        """Results rules share within this call, each kept with the config it was made under
        (see `once`)."""
        return {}

    def once(self, key: str, config: object, make: Callable[[], T]) -> T:
        """`make()`, made once per call and config and shared by the rules that ask: the
        regimen rules' reading of the call (`cards.regimens.situation`) and its line of
        therapy, one review of each draft for dose-check and C11."""
        made = self.per_call.get(key)
        if made is None or made[0] is not config:
            made = (config, make())
            self.per_call[key] = made
        return cast(T, made[1])

    def forget_per_call(self) -> None:
        """Drop what `once` kept, once the rules are done: it refers back to this call."""
        self.__dict__.pop("per_call", None)
