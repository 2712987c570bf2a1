"""Decide and render: facts and draft orders in, CDS Hooks cards out. Pure, no I/O.

Imports run one way: `cds_service -> cards -> fhir_mappings`; never back.
"""

from cards.engine import Evaluation, answer, evaluate
from cards.hook_input import DataGap, Hook, HookInput
from cards.identifiers import Identifiers
from cards.knowledge import (
    CardsConfig,
    KnowledgeError,
    default_thresholds,
    knowledge_version,
    load_all_tables,
    load_table,
)
from cards.lvef_course import LvefCourse, lvef_course

__all__ = [
    "CardsConfig",
    "DataGap",
    "Evaluation",
    "Hook",
    "HookInput",
    "Identifiers",
    "KnowledgeError",
    "LvefCourse",
    "answer",
    "default_thresholds",
    "evaluate",
    "knowledge_version",
    "load_all_tables",
    "load_table",
    "lvef_course",
]
