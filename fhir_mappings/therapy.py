"""Therapy history: what each drug was, when, in which setting, and how much anthracycline.

Orders (MedicationRequest), administrations and statements are read together per drug. Within a
drug, records further apart than `course_gap_days` are separate courses, so a drug restarted after
a break can open a new regimen or line while `DrugExposure` still sums up the whole drug.

- Setting (§1.2): a course is metastatic if it started on/after the metastatic diagnosis (less a
  small grace), early if it started (or, undated at the start, ended) before; unknown otherwise.
- Lines: HER2-directed courses in the metastatic setting; drugs starting within `line_window_days`
  of a line's first drug join it, a HER2 agent new to the line starts the next one. Formulations
  of the same agents (IV trastuzumab + pertuzumab -> Phesgo) continue the line.
- Cumulative anthracycline dose (§3.6) from administrations only: mg/m2 as given, mg divided by
  the current BSA (stated in a note: the BSA of the day is not known), others counted as
  uncounted.
- End dates (§1.2 "If the dates are missing, say so on the card. Do not guess."): an end date, the
  last dose given or a statement's period end; a finished order without one has no end, and a
  data-quality note says the end date is not on file.
- Drafts, withdrawn records and administrations not done are not history (drafts come from
  `read_draft_orders`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from fhir_mappings.chronology import earliest, latest, newest_first, oldest_first
from fhir_mappings.config import MappingConfig
from fhir_mappings.doses import dose_from_dosages, dose_text
from fhir_mappings.exposure import open_orders, record_end
from fhir_mappings.fhir_json import (
    JsonObject,
    as_objects,
    as_text,
    parse_datetime,
    period,
    status_code,
)
from fhir_mappings.medications import drug_info, recognise_with
from fhir_mappings.model import (
    AnthracyclineTotal,
    Dose,
    DoseEvent,
    DrugExposure,
    Evidence,
    MedicationConcept,
    TherapyHistory,
    TherapyLine,
    TherapySetting,
)
from fhir_mappings.resource_set import NoteBook, ResourceSet, read_leniently

_NOT_HISTORY = frozenset(
    {"entered-in-error", "cancelled", "draft", "not-done", "not-taken", "intended"}
)
_ACTIVE = frozenset({"active", "on-hold", "in-progress"})
# not history, but they say a drug was stopped or will not be given (fhir_mappings.exposure)
_ENDERS = frozenset({("MedicationRequest", "cancelled"), ("MedicationStatement", "not-taken")})
_MEDICATION_TYPES = ("MedicationRequest", "MedicationAdministration", "MedicationStatement")
_TRASTUZUMAB_BASED = "trastuzumab-class"  # ASCO rec. 5.0 "trastuzumab-based" therapy
_HER2 = "her2-directed"
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class MedicationRecord:
    """One order, administration or statement of a drug we know."""

    drug: str
    classes: frozenset[str]
    resource_type: str
    status: str | None
    start: datetime | None
    end: datetime | None
    administered: datetime | None  # MedicationAdministration only
    dose: Dose | None
    active: bool
    evidence: Evidence

    @property
    def date(self) -> datetime | None:
        return self.administered or self.start or self.end

    @property
    def last_date(self) -> datetime | None:
        dates = [d for d in (self.start, self.end, self.administered) if d is not None]
        return max(dates) if dates else None


@dataclass(frozen=True)
class Course:
    """Records of one drug without a long gap: one treatment course."""

    drug: str
    classes: frozenset[str]
    records: tuple[MedicationRecord, ...]  # oldest first
    start: datetime | None
    end: datetime | None
    last_known: datetime | None
    active: bool
    setting: TherapySetting = TherapySetting.UNKNOWN


@dataclass(frozen=True)
class TherapyBuild:
    """The history for `PatientFacts` plus what LVEF and disease facts need from it."""

    history: TherapyHistory
    regimen_start: datetime | None  # first dose of the current HER2-directed regimen
    adjuvant_trastuzumab_end: datetime | None


def medication_records(
    resources: ResourceSet, now: datetime, notes: NoteBook, *, enders: bool = False
) -> tuple[MedicationRecord, ...]:
    """The orders, administrations and statements that are history; with `enders`, instead
    the ones that are not history but end an exposure (a cancelled order, a statement
    not-taken: see `fhir_mappings.exposure`)."""
    records = []
    for resource in resources.of_type(*_MEDICATION_TYPES):
        status = status_code(resource)
        if resource.get("doNotPerform") is True:
            continue
        ending = (as_text(resource.get("resourceType")), status) in _ENDERS
        if ending is not enders or (not enders and status in _NOT_HISTORY):
            continue
        concept = recognise_with(resource, resources.resolve)
        if concept is None or concept.drug is None:
            continue
        read_leniently(resource, notes)
        records.append(_record(resource, concept, status, now, notes))
    return tuple(records)


def _record(
    resource: JsonObject,
    concept: MedicationConcept,
    status: str | None,
    now: datetime,
    notes: NoteBook,
) -> MedicationRecord:
    rtype = as_text(resource.get("resourceType")) or "Resource"
    administered = None
    if rtype == "MedicationAdministration":
        administered = parse_datetime(resource.get("effectiveDateTime"))
        start, end = period(resource.get("effectivePeriod"))
        administered = administered or start
        # an administration still running has no end yet; a finished one ends when it was given
        start, end = administered, end or (None if status in _ACTIVE else administered)
        dose = dose_from_dosages(as_objects(resource.get("dosage")))
    elif rtype == "MedicationStatement":
        start, end = period(resource.get("effectivePeriod"))
        start = parse_datetime(resource.get("effectiveDateTime")) or start
        dose = dose_from_dosages(as_objects(resource.get("dosage")))
    else:
        start, end = _request_period(resource)
        dose = dose_from_dosages(as_objects(resource.get("dosageInstruction")))
    active = status in _ACTIVE and (end is None or end >= now)
    evidence = Evidence(
        resource_type=rtype,
        resource_id=as_text(resource.get("id")),
        code=concept.code,
        display=concept.text or drug_info(concept.drug or "").display,
        when=administered or start,
        value=dose_text(dose),
    )
    return MedicationRecord(
        drug=concept.drug or "",
        classes=concept.classes,
        resource_type=rtype,
        status=status,
        start=start,
        end=end,
        administered=administered,
        dose=dose,
        active=active,
        evidence=evidence,
    )


def _request_period(resource: JsonObject) -> tuple[datetime | None, datetime | None]:
    """Start and end of an order: dosing bounds and validity period, else when it was written."""
    starts, ends = [], []
    for dosage in as_objects(resource.get("dosageInstruction")):
        timing = dosage.get("timing")
        for item in as_objects(timing):
            for repeat in as_objects(item.get("repeat")):
                s, e = period(repeat.get("boundsPeriod"))
                starts.append(s)
                ends.append(e)
    for dispense in as_objects(resource.get("dispenseRequest")):
        s, e = period(dispense.get("validityPeriod"))
        starts.append(s)
        ends.append(e)
    start = earliest(starts) or parse_datetime(resource.get("authoredOn"))
    return start, latest(ends)


def courses_of(
    records: Iterable[MedicationRecord], config: MappingConfig, notes: NoteBook
) -> tuple[Course, ...]:
    """Records per drug split where the gap exceeds `course_gap_days`; undated ones apart."""
    by_drug: dict[str, list[MedicationRecord]] = {}
    for record in records:
        by_drug.setdefault(record.drug, []).append(record)
    gap = timedelta(days=config.course_gap_days)
    courses: list[Course] = []
    for drug_records in by_drug.values():
        undated = [r for r in drug_records if r.date is None]
        group: list[MedicationRecord] = []
        last: datetime | None = None
        for record in oldest_first(drug_records, lambda r: r.date):
            date = record.date
            if group and last is not None and date is not None and date - last > gap:
                courses.append(_course(group, notes))
                group = []
            group.append(record)
            last = latest((last, record.last_date))
        if group:
            courses.append(_course(group, notes))
        if undated:
            courses.append(_course(undated, notes))
    return tuple(courses)


def _course(records: Sequence[MedicationRecord], notes: NoteBook) -> Course:
    """One course; its end is known only when an end date or a dose covers its last record.

    §1.2 times the 12-month rule from the end of adjuvant trastuzumab and says "If the dates are
    missing, say so on the card. Do not guess." So a finished order without an end date (or a
    finished order dated after the last dose on file) leaves the end unknown, with a note, rather
    than taking the order's start or an earlier dose for the end.
    """
    end = latest(r.end or r.administered for r in records)
    last_known = latest(r.last_date for r in records)
    active = any(r.active for r in records)
    if end is not None and last_known is not None and last_known > end:
        end = None  # a record after the last known end: the course went on, for how long unknown
    if end is None and last_known is not None and not active:
        last = next(r for r in records if r.last_date == last_known)
        status = last.status or "no status"
        notes.add(last.resource_type, f"{status} without an end date: end date not on file")
    return Course(
        drug=records[0].drug,
        classes=records[0].classes,
        records=tuple(records),
        start=earliest(r.start or r.administered for r in records),
        end=end,
        last_known=last_known,
        active=active,
    )


def setting_of(
    course: Course, metastatic_since: datetime | None, config: MappingConfig
) -> TherapySetting:
    if metastatic_since is None:
        return TherapySetting.UNKNOWN
    cut = metastatic_since - timedelta(days=config.metastatic_grace_days)
    if course.start is not None:
        return TherapySetting.METASTATIC if course.start >= cut else TherapySetting.EARLY
    if course.end is not None and course.end < cut:
        return TherapySetting.EARLY
    return TherapySetting.UNKNOWN


def therapy_history(
    resources: ResourceSet,
    *,
    now: datetime,
    metastatic_since: datetime | None,
    bsa_m2: float | None,
    config: MappingConfig,
    notes: NoteBook,
) -> TherapyBuild:
    records = medication_records(resources, now, notes)
    enders = medication_records(resources, now, notes, enders=True)
    courses = tuple(
        replace(c, setting=setting_of(c, metastatic_since, config))
        for c in courses_of(records, config, notes)
    )
    dose_events = {id(r): _dose_event(r, bsa_m2) for r in records}
    drugs = dict.fromkeys(r.drug for r in records)
    exposures = tuple(
        newest_first(
            (_exposure(d, courses, dose_events, enders, now) for d in drugs), lambda e: e.start
        )
    )
    her2 = [c for c in courses if _HER2 in c.classes and c.start is not None]
    regimens = group_lines(her2, config)
    metastatic = group_lines([c for c in her2 if c.setting is TherapySetting.METASTATIC], config)
    lines = tuple(
        TherapyLine(n, frozenset(c.drug for c in line), line[0].start, _line_end(line))
        for n, line in enumerate(metastatic, start=1)
    )
    anthracyclines = _anthracycline_totals(records, dose_events, bsa_m2, notes)
    return TherapyBuild(
        history=TherapyHistory(exposures, lines, anthracyclines),
        regimen_start=regimens[-1][0].start if regimens else None,
        adjuvant_trastuzumab_end=_adjuvant_trastuzumab_end(courses, notes),
    )


def _dose_event(record: MedicationRecord, bsa_m2: float | None) -> DoseEvent | None:
    if record.dose is None:
        return None
    per_m2 = None
    if record.dose.unit == "mg/m2":
        per_m2 = record.dose.value
    elif record.dose.mg is not None and bsa_m2 and "anthracycline" in record.classes:
        per_m2 = record.dose.mg / bsa_m2
    return DoseEvent(record.administered or record.start, record.dose, per_m2, record.evidence)


def _exposure(
    drug: str,
    courses: Sequence[Course],
    dose_events: dict[int, DoseEvent | None],
    enders: Sequence[MedicationRecord],
    now: datetime,
) -> DrugExposure:
    own = [c for c in courses if c.drug == drug]
    dated = oldest_first(own, lambda c: c.start)
    last_course = dated[-1] if dated else own[-1]
    records = [r for c in own for r in c.records]
    since = last_course.start
    own_enders = [
        r for r in enders if r.drug == drug and r.last_date and since and r.last_date >= since
    ]  # fmt: skip
    newest = newest_first(records, lambda r: r.date)
    events = [e for e in (dose_events[id(r)] for r in newest) if e is not None]
    return DrugExposure(
        drug=drug,
        classes=own[0].classes,
        start=earliest(c.start for c in own),
        end=last_course.end,
        last_dose=latest(r.administered for r in records),
        status=newest[0].status or "unknown",
        active=any(c.active for c in own),
        setting=last_course.setting,
        doses=tuple(events),
        evidence=tuple(r.evidence for r in newest),
        open_orders=open_orders(records),
        record_end=record_end(last_course.records, own_enders, now),
    )


def _agents(drug: str) -> frozenset[str]:
    """The agents a product delivers: Phesgo is pertuzumab + trastuzumab, Hylecta trastuzumab."""
    info = drug_info(drug)
    return frozenset(info.components or info.refines or (drug,))


def group_lines(courses: Sequence[Course], config: MappingConfig) -> list[list[Course]]:
    """Courses into lines (or regimens): a window from the line's start, or a new agent later."""
    window = timedelta(days=config.line_window_days)
    lines: list[list[Course]] = []
    for course in oldest_first(courses, lambda c: c.start):
        if lines:
            current = lines[-1]
            agents = frozenset().union(*(_agents(c.drug) for c in current))
            within = _days_apart(current[0].start, course.start) <= window
            if within or _agents(course.drug) <= agents:
                current.append(course)
                continue
        lines.append([course])
    return lines


def _days_apart(first: datetime | None, then: datetime | None) -> timedelta:
    if first is None or then is None:
        return timedelta.max
    return then - first


def _line_end(line: Sequence[Course]) -> datetime | None:
    if any(c.active for c in line):
        return None
    return latest(c.end or c.last_known for c in line)


def _adjuvant_trastuzumab_end(courses: Sequence[Course], notes: NoteBook) -> datetime | None:
    """The end of the last early-setting trastuzumab-based course, or None when not on file.

    ASCO rec. 5.0/5.1 (§1.2) time the relapse from the end of adjuvant *trastuzumab-based*
    therapy, so every trastuzumab-based antibody counts (the `trastuzumab-class` class:
    trastuzumab IV/SC, Phesgo, and T-DM1 after residual disease (KATHERINE) or T-DXd
    (DESTINY-Breast05)); pertuzumab alone, margetuximab and the TKIs (extended adjuvant
    neratinib) do not. The rule needs the real end date: when it is missing the card must say
    so, so neither the course's start nor an earlier course's end stands in for it.
    """
    early = [
        c for c in courses if _TRASTUZUMAB_BASED in c.classes and c.setting is TherapySetting.EARLY
    ]
    if not early:
        return None
    last = max(early, key=lambda c: c.last_known or c.start or _EPOCH)
    if last.end is None:
        notes.add(
            "Medication",
            "end of early-setting trastuzumab-based therapy not on file: "
            "interval to the recurrence not computed",
        )
    return last.end


def _anthracycline_totals(
    records: Sequence[MedicationRecord],
    dose_events: dict[int, DoseEvent | None],
    bsa_m2: float | None,
    notes: NoteBook,
) -> tuple[AnthracyclineTotal, ...]:
    totals = []
    given = [
        r for r in records
        if "anthracycline" in r.classes and r.resource_type == "MedicationAdministration"
    ]  # fmt: skip
    for drug in dict.fromkeys(r.drug for r in given):
        own = [r for r in given if r.drug == drug]
        counted = [dose_events[id(r)] for r in own]
        per_m2 = [e.mg_per_m2 for e in counted if e is not None and e.mg_per_m2 is not None]
        if any(
            r.dose is not None and r.dose.unit != "mg/m2" and r.dose.mg is not None for r in own
        ):
            if bsa_m2:
                notes.add(
                    "MedicationAdministration",
                    "anthracycline doses in mg divided by the current BSA",
                )
            else:
                notes.add(
                    "MedicationAdministration",
                    "anthracycline doses in mg not counted: no BSA on file",
                )
        totals.append(
            AnthracyclineTotal(
                drug=drug,
                mg_per_m2=sum(per_m2),
                administrations=len(own),
                uncounted=len(own) - len(per_m2),
                evidence=tuple(r.evidence for r in newest_first(own, lambda r: r.date)),
            )
        )
    return tuple(totals)
