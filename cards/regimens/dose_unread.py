"""dose-check, when the drafted dose cannot be read in mg: say so, never guess.

An oral order written as "2 {tbl}" or the sandbox's "1 {pill}" is read in mg only with the
product strength (a Medication's ingredient strength, or a product code with its strength in
the medication table: fhir_mappings.strength). Without it, or in a unit the service does not
read, the number is not a dose in mg: the card names the unit as drafted and the label dose for
this patient, and asks for a check by hand: information for tablets of an oral drug (the order
may well be right), a warning for any other drug or unit.
"""

from __future__ import annotations

from cards.catalog import Drug
from cards.drafts import Drafted
from cards.findings import Finding, Indicator
from cards.knowledge import override_reasons
from cards.phrasing import fit
from cards.regimens.doses import normalise_unit, regimen_dose_text, written_dose
from cards.regimens.situation import Situation
from cards.sources import cite_all
from fhir_mappings import Evidence, TherapySetting, count_unit

RULE = "dose-check"
TOPIC = "Dose check against the computed dose"


def _unread(drafted: Drafted, drug: Drug) -> bool:
    dose = drafted.order.dose
    if dose is None or dose.mg is not None:
        return False
    unit = normalise_unit(dose.unit)
    if unit == "ml":  # a volume: read only for products dosed by volume (Phesgo)
        return not any(s.volume_maintenance_ml for s in drug.schedules)
    return unit is None


def unread_dose_finding(sit: Situation, drafted: Drafted, drug: Drug) -> Finding | None:
    """The card for a drafted dose whose mg cannot be known; None when it can."""
    if not drug.check_dose or not drug.schedules or not _unread(drafted, drug):
        return None
    order = drafted.order
    assert order.dose is not None
    written = written_dose(order.dose)
    counted = count_unit(order.dose.unit) is not None
    setting = "metastatic" if sit.setting is TherapySetting.METASTATIC else "early"
    schedules = [s for s in drug.schedules if not s.settings or setting in s.settings]
    listed = "; ".join(dict.fromkeys(regimen_dose_text(drug, s, sit.body) for s in schedules))
    # tablets of an oral drug without a known strength are routine: information. A count of
    # an infused or injected drug, or a unit not read at all, is a warning (shown at signing).
    routine = counted and drug.route == "oral"
    why = (
        f"The draft gives the {drug.short} dose as {written}, and neither the order's "
        "medication nor its product code gives the strength of one unit, so the dose in mg "
        "cannot be known."
        if routine
        else f"The draft gives the {drug.short} dose as {written}, a unit this service does "
        f"not read as a dose in mg of {drug.short} ({drug.route.upper()})."
    )
    short = drug.short[0].upper() + drug.short[1:]
    evidence = order.evidence or Evidence(
        order.resource_type, order.reference.partition("/")[2] or None, None, drug.display, None
    )
    return Finding(
        rule=RULE,
        indicator=Indicator.INFO if routine else Indicator.WARNING,
        summary=fit(
            f"{short} dose not checked: drafted as {written}, not readable as mg",
            f"{short} dose not checked: the drafted unit is not readable as mg",
        ),
        reasoning=(
            why,
            f"Label dose(s) for this patient: {listed}.",
            "Check the dose by hand, or order the product by a code that carries its strength "
            "(e.g. an RxNorm clinical drug) or in mg.",
        ),
        citations=cite_all([src for s in schedules for src in s.sources], rule=RULE, topic=TOPIC),
        data_used=(evidence,),
        override_reasons=override_reasons("dose"),
        safety=True,
        dedup_key=f"dose:{order.reference or drug.id}",
        doses_for=frozenset({drug.id}),
        extra={"verdict": "dose-unreadable"},
    )
