"""Sex, age and reproductive potential from the Patient resource.

Reproductive potential is what the labels' embryo-fetal warnings turn on (§3.8). The data we read
do not record menopause or sterilisation, so a configurable age window stands in for it
(`MappingConfig.reproductive_age_min/max`, a design choice). A sex the record does not give as
female or male (`unknown`, `other`, no `gender`) is not read as male: missing data is not normal,
so such a patient within the window (or of unknown age) may be of reproductive potential.
"""

from __future__ import annotations

from datetime import datetime

from fhir_mappings.config import MappingConfig
from fhir_mappings.fhir_json import as_text
from fhir_mappings.model import Demographics, Evidence, Sex
from fhir_mappings.resource_set import NoteBook, ResourceSet, read_leniently

_SEXES = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.OTHER, "unknown": Sex.UNKNOWN}


def age_in_years(birth_date: str | None, now: datetime) -> int | None:
    """Completed years at `now`; a year-only or year-month birth date counts from its start."""
    if not birth_date:
        return None
    parts = birth_date.split("T")[0].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        datetime(year, month, day)
    except (ValueError, IndexError):
        return None
    age = now.year - year - ((now.month, now.day) < (month, day))
    return age if 0 <= age <= 130 else None


def demographics(
    resources: ResourceSet, now: datetime, config: MappingConfig, notes: NoteBook
) -> Demographics:
    patients = resources.of_type("Patient")
    if not patients:
        return Demographics(Sex.UNKNOWN, None, None)
    ids = {as_text(p.get("id")) for p in patients}
    if len(ids) > 1:
        notes.add("Patient", "several different Patient resources: the first one is used")
    patient = patients[0]
    read_leniently(patient, notes)
    gender = as_text(patient.get("gender"))
    sex = _SEXES.get(gender.lower(), Sex.UNKNOWN) if gender else Sex.UNKNOWN
    birth = as_text(patient.get("birthDate"))
    age = age_in_years(birth, now)
    if birth and age is None:
        notes.add("Patient", "birthDate could not be read")
    potential: bool | None
    if sex is Sex.MALE:
        potential = False
    elif age is not None:  # a woman, or a sex not recorded as female or male
        potential = config.reproductive_age_min <= age <= config.reproductive_age_max
    else:
        potential = None
    shown = ", ".join(p for p in (sex.value, f"{age} years" if age is not None else None) if p)
    evidence = Evidence("Patient", as_text(patient.get("id")), None, None, None, shown)
    return Demographics(sex, age, potential, (evidence,))
