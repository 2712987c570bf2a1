"""FHIR R4 JSON in, clinical facts out. Pure functions: no I/O, no HTTP, no globals.

Imports run one way: `cds_service -> cards -> fhir_mappings`; this package imports neither.

What other packages use:
- `build_patient_facts(resources, now=..., config=...)`: one frozen `PatientFacts`, every fact
  with its evidence; bad data becomes `data_quality` notes, never an exception.
- `read_draft_orders(draft_orders, selections, hook=..., resources=...)`: the hook's unsigned
  orders as `DraftOrder`s.
- `recognise_medication`, `drug_info`, `all_drugs`, `drugs_in_class`, `DrugInfo`: the drug table
  of `data/medications.json` (ids, classes, RxNorm codes for suggestions, display names).
- `exposure_state(exposure, as_of, window_days=..., window_text=...)`: whether a drug is
  current and why: the one definition every rule uses (see `exposure.py`).
- `DAYS_PER_MONTH`, `DAYS_PER_YEAR`: the one month and year length (UCUM's), for every layer.
- `MappingConfig` (the mapping's switches) and `KNOWLEDGE_VERSION` (of the terminology tables);
  `TERMINOLOGY_TABLES`, `load_terminology` and `concept_codes` for the service's start-up and
  discovery (other packages import only from here, never a module of this package).
- `reading_once()`: a context in which each concept's codings are read once (the request
  path wraps facts, drafts and rules in it); the one piece of state, scoped to the block.
The only file reading is the one-time, schema-checked load of `data/*.json` (terminology.py).
"""

from fhir_mappings.calendar_days import DAYS_PER_MONTH, DAYS_PER_YEAR
from fhir_mappings.config import MappingConfig
from fhir_mappings.doses import count_unit
from fhir_mappings.draft_orders import read_draft_orders
from fhir_mappings.drug_screen import drafts_name_a_drug, records_name_a_drug
from fhir_mappings.exposure import exposure_state
from fhir_mappings.fhir_json import reading_once
from fhir_mappings.medications import (
    DrugInfo,
    all_drugs,
    drug_info,
    drugs_in_class,
    recognise_medication,
)
from fhir_mappings.model import (
    AnthracyclineTotal,
    BodyMeasurement,
    BodySize,
    BsaMethod,
    ChildPugh,
    ConditionFlags,
    CreatinineClearance,
    CurrentBasis,
    DataQualityNote,
    Demographics,
    DiseaseSetting,
    Dose,
    DoseEvent,
    DraftOrder,
    DrugExposure,
    Evidence,
    ExposureState,
    Her2Assessment,
    Her2Call,
    Her2NegativeSubtype,
    Her2Result,
    Her2TestKind,
    HormoneReceptors,
    IhcScore,
    LabResult,
    LabResults,
    LvefMeasurement,
    LvefSeries,
    MedicationConcept,
    PatientFacts,
    PregnancyState,
    PregnancyStatus,
    ReceptorCall,
    ReceptorStatus,
    RecordEnd,
    SetAsideRecord,
    Sex,
    TherapyHistory,
    TherapyLine,
    TherapySetting,
)
from fhir_mappings.patient_facts import build_patient_facts
from fhir_mappings.terminology import DATA_FILES as TERMINOLOGY_TABLES
from fhir_mappings.terminology import KNOWLEDGE_VERSION, concept_codes
from fhir_mappings.terminology import load_table as load_terminology

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "KNOWLEDGE_VERSION",
    "TERMINOLOGY_TABLES",
    "AnthracyclineTotal",
    "BodyMeasurement",
    "BodySize",
    "BsaMethod",
    "ChildPugh",
    "ConditionFlags",
    "CreatinineClearance",
    "CurrentBasis",
    "DataQualityNote",
    "Demographics",
    "DiseaseSetting",
    "Dose",
    "DoseEvent",
    "DraftOrder",
    "DrugExposure",
    "DrugInfo",
    "Evidence",
    "ExposureState",
    "Her2Assessment",
    "Her2Call",
    "Her2NegativeSubtype",
    "Her2Result",
    "Her2TestKind",
    "HormoneReceptors",
    "IhcScore",
    "LabResult",
    "LabResults",
    "LvefMeasurement",
    "LvefSeries",
    "MappingConfig",
    "MedicationConcept",
    "PatientFacts",
    "PregnancyState",
    "PregnancyStatus",
    "ReceptorCall",
    "ReceptorStatus",
    "RecordEnd",
    "SetAsideRecord",
    "Sex",
    "TherapyHistory",
    "TherapyLine",
    "TherapySetting",
    "all_drugs",
    "build_patient_facts",
    "concept_codes",
    "count_unit",
    "drafts_name_a_drug",
    "drug_info",
    "drugs_in_class",
    "exposure_state",
    "load_terminology",
    "read_draft_orders",
    "reading_once",
    "recognise_medication",
    "records_name_a_drug",
]
