"""A weight change since the last dose of a drug: the dose was computed on another weight.

Shared by C10 (which asks for a recalculation) and the dose check (which, when the drafted dose
is off because it was not recalculated, says so on its own card, so the two do not repeat each
other).
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.catalog import Drug
from cards.regimens.body_size import weight_on_or_before
from cards.regimens.loading import dose_moiety, exposures_of, last_dose_date
from cards.regimens.situation import Situation
from fhir_mappings import BodyMeasurement


@dataclass(frozen=True)
class WeightChange:
    drug: Drug
    before: BodyMeasurement
    latest: BodyMeasurement
    percent: float


def weight_changes(sit: Situation, drugs: list[Drug]) -> tuple[WeightChange, ...]:
    """Drugs whose last dose was computed on a weight that differs from today's by the limit."""
    latest = sit.body.weight
    if latest is None or latest.when is None:
        return ()
    limit = sit.config.threshold("weight_change_percent")
    changes = []
    for drug in drugs:
        dated = [
            d
            for e in exposures_of(dose_moiety(drug), sit.facts, sit.catalog)
            if (d := last_dose_date(e)) is not None
        ]
        if not dated:
            continue
        before = weight_on_or_before(sit.facts.body, max(dated))
        if before is None or before.when == latest.when or before.value <= 0:
            continue
        percent = abs(latest.value - before.value) / before.value * 100
        if percent >= limit:
            changes.append(WeightChange(drug, before, latest, percent))
    return tuple(changes)
