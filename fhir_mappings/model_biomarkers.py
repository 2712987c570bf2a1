"""The biomarker facts of the contract in `model.py`: HER2 status by ASCO/CAP and the hormone
receptors. Defined here to keep `model.py` readable; import them from `fhir_mappings` (or
`fhir_mappings.model`, which re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fhir_mappings.model import Evidence


class Her2Call(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    EQUIVOCAL_PENDING_ISH = "equivocal-pending-ish"  # IHC 2+ without an ISH result
    UNKNOWN = "unknown"


class Her2NegativeSubtype(StrEnum):
    LOW = "her2-low"  # IHC 1+, or IHC 2+ with negative ISH
    ULTRALOW = "her2-ultralow"  # IHC 0 with faint/incomplete membrane staining in <=10 %
    ZERO = "her2-0"  # IHC 0 without staining
    UNSPECIFIED = (
        "unspecified"  # negative, but the data do not say which (e.g. interpretation only)
    )


class IhcScore(StrEnum):
    ZERO = "0"
    ONE = "1+"
    TWO = "2+"
    THREE = "3+"


class Her2TestKind(StrEnum):
    IHC = "ihc"
    ISH_DUAL_PROBE = "ish-dual-probe"
    ISH_SINGLE_PROBE = "ish-single-probe"
    INTERPRETATION = "interpretation"  # a final call with no score (LA codes, SNOMED, text)


@dataclass(frozen=True)
class Her2Result:
    """One HER2 test result as reported, with the call it supports on its own."""

    kind: Her2TestKind
    call: Her2Call
    when: datetime | None
    ihc_score: IhcScore | None = None
    membrane_staining: bool | None = None  # IHC 0: faint/incomplete staining present (ultralow)
    ish_ratio: float | None = None  # HER2/CEP17
    ish_copies_per_cell: float | None = None  # average HER2 copies per cell
    ish_group: int | None = None  # ASCO/CAP 2018 dual-probe group 1-5
    specimen: str | None = None  # body site / specimen text when given
    evidence: tuple[Evidence, ...] = ()
    negative_subtype: Her2NegativeSubtype | None = None  # when call is NEGATIVE
    reasoning: str | None = None  # how this result's call was reached


@dataclass(frozen=True)
class Her2Assessment:
    """The ASCO/CAP 2018/2023 final call over every HER2 result on file."""

    call: Her2Call
    negative_subtype: Her2NegativeSubtype | None  # only when call is NEGATIVE
    as_of: datetime | None  # date of the result(s) that decided the call
    results: tuple[Her2Result, ...]  # every tissue result, newest first (undated last)
    discordant: bool  # results disagree over time or specimens
    reasoning: tuple[str, ...] = ()  # e.g. "ISH group 4 with IHC 2+: negative with comment"
    basis: tuple[Evidence, ...] = ()  # evidence of the deciding result(s)


class ReceptorCall(StrEnum):
    POSITIVE = "positive"  # >10 % or reported positive
    LOW_POSITIVE = "low-positive"  # 1-10 %
    NEGATIVE = "negative"  # <1 %
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ReceptorStatus:
    call: ReceptorCall
    percent: float | None
    when: datetime | None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class HormoneReceptors:
    er: ReceptorStatus
    pr: ReceptorStatus

    @property
    def hr_positive(self) -> bool | None:
        """ER+ and/or PR+ (low positive counts); None when neither is known."""
        positive = {ReceptorCall.POSITIVE, ReceptorCall.LOW_POSITIVE}
        if self.er.call in positive or self.pr.call in positive:
            return True
        if self.er.call is ReceptorCall.NEGATIVE and self.pr.call is ReceptorCall.NEGATIVE:
            return False
        return None
