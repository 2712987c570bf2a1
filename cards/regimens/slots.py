"""Which parts of a regimen the drafts and current therapy already have, and which are missing."""

from __future__ import annotations

from collections.abc import Iterable

from cards.catalog import Catalog, Regimen, Slot
from cards.regimens.drug_terms import drug_name


def missing_slots(
    regimen: Regimen, present: frozenset[str], *, chemotherapy_phase: bool = True
) -> tuple[Slot, ...]:
    """Slots no present drug fills; the chemotherapy slots only while chemotherapy runs."""
    return tuple(
        slot
        for slot in regimen.slots
        if not (slot.filled_by & present) and (chemotherapy_phase or not slot.chemotherapy_phase)
    )


def present_names(regimen: Regimen, present: frozenset[str], catalog: Catalog) -> str:
    """The present drugs in slot order: "trastuzumab + docetaxel"."""
    seen: list[str] = []
    for slot in regimen.slots:
        for drug in sorted(slot.filled_by & present):
            name = drug_name(drug, catalog)
            if name not in seen:
                seen.append(name)
    return " + ".join(seen)


def covers(regimen: Regimen, drugs: Iterable[str]) -> bool:
    """Every one of `drugs` has a place in the regimen."""
    return all(drug in regimen.drugs for drug in drugs)


def recognise(
    regimens: Iterable[Regimen], setting: str, drafted: frozenset[str], present: frozenset[str]
) -> Regimen | None:
    """The complete regimen of the setting that the drafts belong to: every drafted drug has
    a place in it and every slot is filled (drafted or being given). The fullest one wins, so
    TCHP is recognised over THP when carboplatin is drafted too."""
    complete = [
        r
        for r in regimens
        if setting in r.settings
        and drafted
        and covers(r, drafted)
        and not missing_slots(r, present)
    ]
    return max(complete, key=lambda r: len(r.slots), default=None)


def and_list(items: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]
