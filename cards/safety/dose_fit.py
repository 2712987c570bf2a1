"""A drafted dose that is another drug's dose: the mix-up a switch card must not hide.

T-DM1 drafted at 420 mg for a 70 kg patient who was on trastuzumab is trastuzumab's 6 mg/kg,
not T-DM1's 3.6 mg/kg: whatever the old orders say, the prescriber most likely meant the old
drug. The draft fits the other drug when, read in that drug's basis (mg/kg, mg/m² or mg), it is
within the dose tolerance (`dose_tolerance_percent`) of one of that drug's label doses, and it
is within the tolerance of none of its own (standard or label-accepted) doses. The doses are
the regimen table's; nothing is read without a weight or BSA to convert with. Matching a draft
to a dose level uses the dose tolerance, not the narrower IV rounding threshold
(`iv_dose_rounding_percent`): a T-DM1 draft 7 % from its own dose is still T-DM1's dose.

A dose the label gives for another cancer (T-DXd 6.4 mg/kg in gastric cancer) is the drug's own
dose only for a patient with that cancer on file; for anyone else it is a named trap, which the
dose check explains. A draft nearer one of its own drug's named traps than the other drug's dose
is that trap (T-DXd 6.4 mg/kg is the gastric dose, not trastuzumab's 6 mg/kg): in breast cancer
the dose check's card says so, and this card does not give a second, different reading of the
same number. Without breast cancer on file the dose check does not judge, and this card stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cards.catalog import Drug, catalog
from cards.hook_input import HookInput
from cards.knowledge import CardsConfig
from cards.regimens.body_size import DosingBody, dosing_body
from cards.regimens.doses import drafted_amount, per_basis_text
from fhir_mappings import DraftOrder

TOLERANCE = "dose_tolerance_percent"


@dataclass(frozen=True)
class DoseFit:
    other: str  # the drug id whose dose the draft is
    drafted: str  # "420 mg (6 mg/kg)"
    other_dose: str  # "6 mg/kg"


def _label_doses(drug: Drug, cancers: tuple[str, ...]) -> list[float]:
    doses: list[float] = []
    for schedule in drug.schedules:
        doses.append(schedule.maintenance)
        if schedule.loading is not None:
            doses.append(schedule.loading)
        doses.extend(a.value for a in schedule.also_accepted if a.applies_to(cancers))
    return doses


def _per_basis(drug: Drug, order: DraftOrder, body: DosingBody) -> float | None:
    """The drafted dose in `drug`'s basis (mg/kg, mg/m² or mg), when it can be read."""
    return None if order.dose is None else drafted_amount(order.dose, drug, body).per_basis


def _near(
    drug: Drug, order: DraftOrder, body: DosingBody, tolerance: float, cancers: tuple[str, ...]
) -> float | None:
    """The label dose of `drug` the order's dose is within the tolerance of, if any."""
    amount = _per_basis(drug, order, body)
    if amount is None:
        return None
    return next((d for d in _label_doses(drug, cancers) if abs(amount - d) <= tolerance * d), None)


def _nearer_own_trap(own: Drug, order: DraftOrder, body: DosingBody, other_dose: float) -> bool:
    """Whether the draft, in its own drug's basis, is nearer one of that drug's named traps than
    the other drug's dose is (both read in the same basis, as the traps are written)."""
    amount = _per_basis(own, order, body)
    if amount is None:
        return False
    gap = abs(amount - other_dose)
    return any(t.near is not None and abs(amount - t.near) < gap for t in own.traps)


def fits_other_drug(
    hook_input: HookInput, order: DraftOrder, others: Iterable[str], config: CardsConfig
) -> DoseFit | None:
    """The first of `others` whose label dose the draft is, when it is none of its own."""
    own = catalog().drug(order.medication.drug if order.medication else None)
    if own is None or order.dose is None:
        return None
    body = dosing_body(hook_input.facts.body)
    tolerance = config.threshold(TOLERANCE) / 100
    cancers = hook_input.facts.disease.other_trastuzumab_cancers
    if _near(own, order, body, tolerance, cancers) is not None:
        return None
    for other_id in others:
        other = catalog().drug(other_id)
        if other is None or other.id == own.id:
            continue
        dose = _near(other, order, body, tolerance, cancers)
        if (
            dose is not None
            and hook_input.facts.disease.breast_cancer  # where the dose check names the trap
            and other.basis == own.basis
            and _nearer_own_trap(own, order, body, dose)
        ):
            continue
        if dose is not None:
            amount = drafted_amount(order.dose, other, body)
            drafted = amount.written
            if amount.per_basis is not None and drafted != per_basis_text(
                amount.per_basis, other.basis
            ):
                drafted += f" ({per_basis_text(round(amount.per_basis, 1), other.basis)})"
            return DoseFit(other.id, drafted, per_basis_text(dose, other.basis))
    return None
