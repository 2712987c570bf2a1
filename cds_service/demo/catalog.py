"""What the demo page shows besides cards: a header for the chosen sample patient and the drugs
its order panel offers (every drug of the regimen table, with a starting dose for this
patient that the clinician edits). The starting dose is a convenience of the demo, not advice:
the service's own cards judge whatever is drafted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cards import load_table
from fhir_mappings import PatientFacts, drug_info

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ROUTES = {"iv": "intravenous", "sc": "subcutaneous", "oral": "oral", "im": "intramuscular"}


def _day(when: datetime | None) -> str | None:
    return when.date().isoformat() if when else None


def header(facts: PatientFacts, name: str, birth_date: str | None) -> dict[str, Any]:
    """Who the patient is and what the record says, each fact with its date."""
    her2 = facts.her2
    er, pr = facts.hormone_receptors.er, facts.hormone_receptors.pr
    body = facts.body
    current = [
        {"drug": drug_info(e.drug).display, "since": _day(e.start)}
        for e in facts.therapy.exposures
        if e.active
    ]
    return {
        "name": name,
        "sex": facts.demographics.sex.value,
        "age": facts.demographics.age_years,
        "birthDate": birth_date,
        "her2": {"call": her2.call.value, "date": _day(her2.as_of)},
        "er": {"call": er.call.value, "percent": er.percent, "date": _day(er.when)},
        "pr": {"call": pr.call.value, "percent": pr.percent, "date": _day(pr.when)},
        "metastaticSince": _day(facts.disease.metastatic_since),
        "weightKg": body.weight.value if body.weight else None,
        "weightDate": _day(body.weight.when) if body.weight else None,
        "heightCm": body.height.value if body.height else None,
        "bsa": round(body.bsa_m2, 2) if body.bsa_m2 else None,
        "activeOrders": current,
    }


def _coding(drug_id: str) -> dict[str, str] | None:
    info = drug_info(drug_id)
    if info.rxnorm_code:
        display = info.rxnorm_code_display or info.display  # RxNorm's own words for its code
        return {"system": RXNORM, "code": info.rxnorm_code, "display": display}
    return None  # named by text only, as the service's own suggestions do


def _starting_dose(
    basis: str, schedule: Mapping[str, Any], facts: PatientFacts, given: bool
) -> float | None:
    per_unit = schedule.get("maintenance") if given else None
    per_unit = per_unit or schedule.get("loading") or schedule.get("maintenance")
    if per_unit is None:
        return None
    if basis == "fixed":
        return float(per_unit)
    size = facts.body.weight.value if basis == "mg/kg" and facts.body.weight else None
    if basis == "mg/m2":
        size = facts.body.bsa_m2
    return None if size is None else float(round(per_unit * size))


def drug_catalog(facts: PatientFacts) -> list[dict[str, Any]]:
    """Each drug of the regimen table: code, route, schedules and a starting dose in mg."""
    drugs: Mapping[str, Any] = load_table("regimens")["drugs"]
    catalog = []
    for drug_id, entry in drugs.items():
        given = facts.therapy.of_drug(drug_id) is not None
        schedules = []
        for schedule in entry.get("schedules", ()):
            interval = float(schedule["interval_days"])
            schedules.append(
                {
                    "id": schedule["id"],
                    "intervalDays": interval,
                    "timesPerDay": round(1 / interval) if interval < 1 else None,
                    "dose": _starting_dose(entry["basis"], schedule, facts, given),
                }
            )
        catalog.append(
            {
                "id": drug_id,
                "display": drug_info(drug_id).display,
                "text": drug_info(drug_id).display,
                "coding": _coding(drug_id),
                "route": ROUTES.get(entry.get("route", ""), entry.get("route")),
                "basis": entry["basis"],
                "schedules": schedules or [{"id": "q3w", "intervalDays": 21.0, "dose": None}],
                "given": given,
            }
        )
    return catalog
