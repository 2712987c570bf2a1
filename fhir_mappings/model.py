"""The clinical facts a rule may read, each with the data it came from.

This module is the contract between `fhir_mappings` (which builds these objects from raw FHIR
JSON) and `cards` (which reads them). Every object is frozen: once built, facts do not change
under a rule's feet. Dates are timezone-aware UTC datetimes; a fact without a date is `None`
("undated"), never "recent". Drug identities are the string ids of the drug table in
`fhir_mappings/data/medications.json` (e.g. ``"trastuzumab"``, ``"fam-trastuzumab-deruxtecan"``)
and drug classes the class ids of that table (e.g. ``"her2-directed"``, ``"anthracycline"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fhir_mappings.model_biomarkers import (
    Her2Assessment as Her2Assessment,
)
from fhir_mappings.model_biomarkers import (
    Her2Call as Her2Call,
)
from fhir_mappings.model_biomarkers import (
    Her2NegativeSubtype as Her2NegativeSubtype,
)
from fhir_mappings.model_biomarkers import (
    Her2Result as Her2Result,
)
from fhir_mappings.model_biomarkers import (
    Her2TestKind as Her2TestKind,
)
from fhir_mappings.model_biomarkers import (
    HormoneReceptors as HormoneReceptors,
)
from fhir_mappings.model_biomarkers import (
    IhcScore as IhcScore,
)
from fhir_mappings.model_biomarkers import (
    ReceptorCall as ReceptorCall,
)
from fhir_mappings.model_biomarkers import (
    ReceptorStatus as ReceptorStatus,
)


@dataclass(frozen=True)
class Evidence:
    """Where a fact came from, in words a card can show ("LVEF 48 % on 2026-03-02")."""

    resource_type: str
    resource_id: str | None
    code: str | None  # "system|code" of the coding that matched, or None for a text match
    display: str | None  # the code's display or the resource's text, raw (escape before rendering)
    when: datetime | None  # effective/onset/authored date; None = undated
    value: str | None = None  # the value as a clinician would read it ("3+", "48 %", "72.5 kg")


@dataclass(frozen=True)
class DataQualityNote:
    """A resource that was skipped or read with doubt. Never contains patient identifiers."""

    resource_type: str
    message: str


# --- Demographics and pregnancy -------------------------------------------------------------


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Demographics:
    sex: Sex
    age_years: int | None
    # not male (female, or sex not recorded) and within the configured age window; None: age unknown
    reproductive_potential: bool | None
    evidence: tuple[Evidence, ...] = ()


class PregnancyState(StrEnum):
    PREGNANT = "pregnant"  # active pregnancy condition, positive hCG or status "pregnant"
    NOT_PREGNANT = "not-pregnant"  # negative hCG or status "not pregnant"
    UNKNOWN = "unknown"  # nothing on file (see `last_checked`)


@dataclass(frozen=True)
class PregnancyStatus:
    state: PregnancyState
    last_checked: datetime | None  # date of the newest pregnancy status / hCG / condition
    evidence: tuple[Evidence, ...] = ()


# --- Cardiac function ------------------------------------------------------------------------


@dataclass(frozen=True)
class LvefMeasurement:
    percent: float
    when: datetime | None
    preliminary: bool
    method: str | None  # display of the method-specific code ("by US", "by Nuclear blood pool")
    evidence: Evidence


@dataclass(frozen=True)
class LvefSeries:
    measurements: tuple[LvefMeasurement, ...]  # newest first; undated last
    baseline: LvefMeasurement | None  # last LVEF before the first dose of the current regimen
    current_regimen_start: datetime | None  # the first dose the baseline was taken against

    @property
    def latest(self) -> LvefMeasurement | None:
        return self.measurements[0] if self.measurements else None


# --- Body size -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyMeasurement:
    value: float  # kg, cm or m2
    unit: str  # "kg" | "cm" | "m2"
    when: datetime | None
    evidence: Evidence


class BsaMethod(StrEnum):
    MOSTELLER = "mosteller"
    RECORDED = "recorded"


@dataclass(frozen=True)
class BodySize:
    weights: tuple[BodyMeasurement, ...]  # newest first
    heights: tuple[BodyMeasurement, ...]  # newest first
    bsa_m2: float | None
    bsa_method: BsaMethod | None
    bsa_evidence: tuple[Evidence, ...] = ()  # the weight and height (or recorded BSA) used

    @property
    def weight(self) -> BodyMeasurement | None:
        return self.weights[0] if self.weights else None

    @property
    def height(self) -> BodyMeasurement | None:
        return self.heights[0] if self.heights else None


# --- Medications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MedicationConcept:
    """What a MedicationRequest/Administration/Statement names, recognised against the table."""

    drug: str | None  # drug id from medications.json; None = not a drug we know
    classes: frozenset[str]  # class ids, e.g. {"her2-directed", "trastuzumab-class"}
    components: tuple[str, ...]  # drug ids of a combination product (Phesgo: pertuzumab, ...)
    route: str | None  # "iv" | "sc" | "oral" when the product or order says so
    matched_by: str  # "rxnorm-ingredient" | "rxnorm-product" | "ndc" | "snomed" | "name" | "none"
    text: str | None  # the order's own medication text, raw (escape before rendering)
    code: str | None = None  # "system|code" that matched
    also_named: tuple[str, ...] = ()  # other drug ids the order's words name (coded trastuzumab,
    # written "Kadcyla"; or several drugs in one text when `drug` is None): §0.1 #9 mix-ups


@dataclass(frozen=True)
class Dose:
    """A dose as written: the amount and the unit it was given in."""

    value: float
    unit: str  # "mg", "mg/kg", "mg/m2", "[iU]" ...
    mg: float | None = None  # the absolute amount in mg when known or computable


@dataclass(frozen=True)
class DoseEvent:
    """One administration (or one dated order of a dose)."""

    when: datetime | None
    dose: Dose | None
    mg_per_m2: float | None  # the dose per m2 of BSA when given or computable (anthracyclines)
    evidence: Evidence


class TherapySetting(StrEnum):
    EARLY = "early"  # (neo)adjuvant: before the metastatic diagnosis
    METASTATIC = "metastatic"
    UNKNOWN = "unknown"  # undated, or no metastatic diagnosis date to compare with


@dataclass(frozen=True)
class RecordEnd:
    """An order or statement that ends a drug's exposure (see `fhir_mappings.exposure`)."""

    when: datetime | None  # the date it ends the exposure; None when the record gives none
    reason: str  # "order stopped", "statement not-taken", "order ended (end date passed)" ...
    evidence: Evidence
    dated: bool = True  # False: the record gives no date; `when` is then the last dose


class CurrentBasis(StrEnum):
    """Why a drug is, or is not, current (`fhir_mappings.exposure.exposure_state`)."""

    OPEN_ORDER = "open-order"  # current: an active/on-hold order (or an active statement)
    RECENT_DOSE = "recent-dose"  # current: last dose within its cycle + grace, nothing says not
    RECORD_ENDED = "record-ended"  # not current: an order or statement ended it
    LAPSED = "lapsed"  # not current: no open order, last dose longer ago than cycle + grace
    NOT_GIVEN = "not-given"  # not current: no open order and no dose on file (or future-dated)


@dataclass(frozen=True)
class ExposureState:
    """Whether a drug is current, why, and the records that say so."""

    current: bool
    basis: CurrentBasis
    when: datetime | None  # the open order's date, the last dose, or the record's end date
    last_dose: datetime | None
    why: str  # in a clinician's words, dated: "order stopped 2026-10-30 (last given 2026-10-24)"
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class DrugExposure:
    """Everything on file about one drug: orders, administrations and statements together.

    Whether it is *current* is not a field: it depends on the drug's cycle, which the rules
    know. `fhir_mappings.exposure.exposure_state` decides it from `open_orders`, `record_end`
    and `last_dose`; every rule asks it (see that module for the definition).
    """

    drug: str
    classes: frozenset[str]
    start: datetime | None
    end: datetime | None  # validityPeriod end, last administration, effectivePeriod end; None
    # while running or when no end is on file (never guessed from the start, §1.2)
    last_dose: datetime | None
    status: str  # newest FHIR status on file: active | on-hold | completed | stopped | ...
    active: bool  # a record still running (open order, administration in progress); whether
    # the drug is *current* is `fhir_mappings.exposure.exposure_state`'s answer, not this flag
    setting: TherapySetting
    doses: tuple[DoseEvent, ...] = ()  # newest first
    evidence: tuple[Evidence, ...] = ()
    open_orders: tuple[Evidence, ...] = ()  # active/on-hold orders and active statements, newest
    # first: what keeps the drug current, and what a "close the previous orders" card deletes
    record_end: RecordEnd | None = None  # the newest order/statement of the last course that
    # ends it (stopped, completed, cancelled, not-taken, or a past end date), unless a dose
    # was given after it; None while an order is open or when nothing on file ends it


@dataclass(frozen=True)
class TherapyLine:
    """A HER2-directed line of therapy in the metastatic setting."""

    number: int  # 1 = first line
    drugs: frozenset[str]
    start: datetime | None
    end: datetime | None  # None while ongoing


@dataclass(frozen=True)
class AnthracyclineTotal:
    """Cumulative dose of one anthracycline from administrations."""

    drug: str
    mg_per_m2: float
    administrations: int
    uncounted: int  # administrations whose dose could not be converted to mg/m2
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class TherapyHistory:
    exposures: tuple[DrugExposure, ...]
    metastatic_lines: tuple[TherapyLine, ...]  # HER2-directed lines after metastatic diagnosis
    anthracyclines: tuple[AnthracyclineTotal, ...]

    def of_drug(self, drug: str) -> DrugExposure | None:
        return next((e for e in self.exposures if e.drug == drug), None)

    def of_class(self, drug_class: str) -> tuple[DrugExposure, ...]:
        return tuple(e for e in self.exposures if drug_class in e.classes)


# --- Disease setting and conditions ----------------------------------------------------------


@dataclass(frozen=True)
class DiseaseSetting:
    breast_cancer: bool
    metastatic: bool
    metastatic_since: datetime | None  # date of metastatic diagnosis / recurrence
    brain_metastases: bool
    other_trastuzumab_cancers: tuple[str, ...]  # e.g. ("gastric",)
    # End of the last (neo)adjuvant trastuzumab-based therapy (ASCO rec. 5.0 "trastuzumab-based"):
    # every drug of the `trastuzumab-class` class in the early setting, i.e. trastuzumab IV/SC,
    # Phesgo, T-DM1 (KATHERINE) and T-DXd (DESTINY-Breast05); not pertuzumab alone, margetuximab
    # or the TKIs. None when there is none, and also when its end date is not on file (a
    # data-quality note says so; §1.2 "Do not guess"). The name stays for compatibility.
    adjuvant_trastuzumab_end: datetime | None
    # Months from `adjuvant_trastuzumab_end` to `metastatic_since`; None when either is missing.
    # Negative when that therapy was still given after the metastatic date (still running when
    # the metastatic disease was recorded, or the metastatic date recorded late): check the dates.
    months_adjuvant_end_to_recurrence: float | None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ConditionFlags:
    heart_failure: tuple[Evidence, ...] = ()  # heart failure, cardiomyopathy, LV dysfunction
    interstitial_lung_disease: tuple[Evidence, ...] = ()  # ILD / pneumonitis


# --- Draft orders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftOrder:
    """An unsigned order from the hook's draftOrders Bundle."""

    reference: str  # "MedicationRequest/abc" (for delete actions); "" when the order has no id
    resource_type: str
    selected: bool  # named in context.selections (order-select); True for every order-sign order
    medication: MedicationConcept | None  # None for ServiceRequests / orders without a medication
    dose: Dose | None
    interval_days: float | None  # from dosageInstruction timing (7 weekly, 21 q3w)
    status: str | None
    evidence: Evidence | None = None


# --- Records set aside -----------------------------------------------------------------------


@dataclass(frozen=True)
class SetAsideRecord:
    """A record on file that no fact uses, and why: a data-quality problem cards name.

    `concepts` says which facts it would have fed: the concept names of the code tables
    (``"body-weight"``, ``"lvef"``, ``"her2-ihc"``, ``"pregnancy"``, ...), and for medication
    records ``"medication"`` with the drug id and its classes. Empty when none of our tables
    knows the record (it is set aside all the same, and named nowhere).
    """

    concepts: frozenset[str]
    reason: str  # our own words, e.g. "dated after the time of this request"
    evidence: Evidence  # what it was, its value and its date as written


# --- Organ function (laboratory results) -------------------------------------------------


@dataclass(frozen=True)
class LabResult:
    """One laboratory value in its canonical unit (fhir_mappings/data/labs.json, units.json)."""

    analyte: str  # "alt" | "ast" | "bilirubin-total" | "creatinine" | "egfr" | ...
    value: float  # in `unit`
    unit: str  # canonical: "U/L", "mg/dL", "mL/min", "10*9/L"
    when: datetime | None
    upper_limit: float | None  # the Observation's referenceRange.high, in `unit`; None = none given
    evidence: Evidence  # the value as written, with the unit it was reported in


@dataclass(frozen=True)
class CreatinineClearance:
    """Creatinine clearance in mL/min: recorded, or Cockcroft-Gault from creatinine, age, sex
    and actual body weight (`method` says which; the card must say so)."""

    ml_per_min: float
    when: datetime | None  # the date of the creatinine (or the recorded clearance)
    method: str  # "recorded" | "cockcroft-gault"
    evidence: tuple[Evidence, ...]  # the clearance, or the creatinine and weight it came from


@dataclass(frozen=True)
class ChildPugh:
    """A recorded Child-Pugh class (never computed here: ascites and encephalopathy are not
    in the data the service reads)."""

    child_class: str  # "A" | "B" | "C"
    when: datetime | None
    evidence: Evidence


@dataclass(frozen=True)
class LabResults:
    """Every organ-function result on file, newest first per analyte, and the clearance."""

    results: tuple[LabResult, ...] = ()  # newest first within each analyte; undated last
    clearance: CreatinineClearance | None = None
    clearance_note: str | None = None  # why no Cockcroft-Gault could be computed, if so
    child_pugh: ChildPugh | None = None  # the newest recorded Child-Pugh class
    liver_disease: tuple[Evidence, ...] = ()  # cirrhosis, hepatic failure, chronic liver disease

    def of(self, analyte: str) -> tuple[LabResult, ...]:
        return tuple(r for r in self.results if r.analyte == analyte)

    def latest(self, analyte: str) -> LabResult | None:
        return next((r for r in self.results if r.analyte == analyte), None)


# --- The whole ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientFacts:
    as_of: datetime  # the moment the facts were built (the request's "now")
    demographics: Demographics
    her2: Her2Assessment
    hormone_receptors: HormoneReceptors
    lvef: LvefSeries
    body: BodySize
    therapy: TherapyHistory
    disease: DiseaseSetting
    conditions: ConditionFlags
    pregnancy: PregnancyStatus
    # computed on first read (R4B checks are not on the request path): use it as a tuple
    data_quality: Sequence[DataQualityNote] = field(default_factory=tuple)
    set_aside: tuple[SetAsideRecord, ...] = ()  # records no fact used (e.g. future-dated)
    labs: LabResults = field(default_factory=LabResults)  # organ function (fhir_mappings/labs.py)
