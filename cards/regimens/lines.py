"""Which line of therapy a HER2-positive metastatic patient is in, decided only from facts.

The line counts the HER2-directed lines for metastatic disease that have ended, plus one when
the metastatic recurrence came within 12 months (`adjuvant_relapse_second_line_months`) of the
end of (neo)adjuvant trastuzumab-based therapy, T-DM1 included (ASCO 2022 rec. 5.0: follow the
second-line recommendations). The last line is current while
it is active or ended recently (`line_current_days`): records often show every cycle as
completed, and the next cycle of the same regimen is not a new line. A current line is
continued by drafts that add no new HER2-directed drug (pertuzumab may still join trastuzumab
in the first line: `lines.first.may_join` of the regimen table); a draft with a new
HER2-directed drug starts the next line. Progression
itself is rarely recorded, so a change of HER2-directed drug is what marks it.

When the data cannot decide (adjuvant trastuzumab-based therapy without an end date, or an
adjuvant order still open more than 12 months before the recurrence, no date of the metastatic
diagnosis, HER2 therapy that cannot be placed before or after it), the answer is "undetermined"
with what is missing. A guess here would pick the wrong regimen. Adjuvant therapy recorded up to
or after the metastatic date is second line whichever date is off (recurrence during it, or
within 12 months of it), with the dates to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cards.catalog import Catalog
from cards.phrasing import format_date
from cards.regimens.data_gaps import described, medication_gaps
from cards.regimens.drug_terms import names
from cards.regimens.situation import HER2_DIRECTED, TRASTUZUMAB_BASED, Situation
from fhir_mappings import DAYS_PER_MONTH, DrugExposure, Evidence, TherapyLine, TherapySetting

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


class LineKind(StrEnum):
    FIRST = "first"
    SECOND = "second"
    LATER = "later"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class LineAssessment:
    kind: LineKind
    number: int | None  # guideline line (1, 2, 3, ...); None when undetermined
    prior_metastatic_lines: int  # HER2-directed lines for metastatic disease that have ended
    early_relapse: bool  # recurrence <= 12 months after adjuvant trastuzumab
    ongoing: TherapyLine | None
    continuing: bool  # the drafts continue the ongoing line
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    unclear_because: str = ""  # for a summary, when undetermined: "... not on file"

    @property
    def name(self) -> str:
        return line_name(self.number)

    @property
    def adjective(self) -> str:
        """ "third-line" (as in "third-line options")."""
        return self.name.replace(" line", "-line")


def line_name(number: int | None) -> str:
    """ "first line", "third line", "line 7"."""
    if number is None:
        return "undetermined line"
    ordinal = ORDINALS.get(number)
    return f"{ordinal} line" if ordinal else f"line {number}"


def _adjuvant_trastuzumab(sit: Situation) -> tuple[DrugExposure, ...]:
    """Early-setting trastuzumab-based therapy on file: the same class the mapping times
    `adjuvant_trastuzumab_end` from (trastuzumab IV/SC, Phesgo, T-DM1, T-DXd)."""
    return tuple(
        e
        for e in sit.facts.therapy.exposures
        if e.setting is TherapySetting.EARLY and TRASTUZUMAB_BASED in e.classes
    )


@dataclass(frozen=True)
class _Relapse:
    early: bool | None  # None: cannot be decided
    reason: str
    missing: tuple[str, ...] = ()
    because: str = ""


def _adjuvant_names(sit: Situation, adjuvant: tuple[DrugExposure, ...]) -> str:
    return names((e.drug for e in adjuvant), sit.catalog) if adjuvant else "HER2 therapy"


def _still_running(
    sit: Situation,
    adjuvant: tuple[DrugExposure, ...],
    end: datetime,
    recurrence: datetime,
    months: float,
) -> _Relapse:
    """An adjuvant HER2 order still marked active after the metastatic date whose last record is
    more than the limit before it: an order never closed, or therapy given without records. The
    card says which dates the record has (review 2: "still given" was claimed for an order last
    given years before the recurrence)."""
    limit = sit.config.threshold("adjuvant_relapse_second_line_months")
    return _Relapse(
        None,
        f"(Neo)adjuvant {_adjuvant_names(sit, adjuvant)} is still marked active after the "
        f"metastatic diagnosis date ({format_date(recurrence)}), but its last record is "
        f"{format_date(end)}, {months:.0f} months before it. If the order was only never "
        f"closed, the recurrence came more than {limit:g} months after adjuvant therapy and the "
        "first-line recommendations apply; if therapy went on without records, they may not. "
        "Check the record and close the order.",
        ("Whether the (neo)adjuvant HER2 order still marked active ended, and when",),
        f"an adjuvant HER2 order is still marked active (last record {format_date(end)})",
    )


def _during_adjuvant(
    sit: Situation,
    adjuvant: tuple[DrugExposure, ...],
    end: datetime,
    recurrence: datetime,
    limit: float,
) -> str:
    """Adjuvant HER2 therapy recorded up to or after the metastatic date, no more than `limit`
    months before it: whichever date is off (recurrence during adjuvant therapy, or a metastatic
    date recorded late, or an adjuvant order left open), the recurrence is within `limit` months
    of that therapy, so the line is second, never first (pharmacist review finding 8)."""
    return (
        f"(Neo)adjuvant {_adjuvant_names(sit, adjuvant)} was still on file when the metastatic "
        f"disease was recorded: last record {format_date(end)}, metastatic diagnosis "
        f"{format_date(recurrence)}. Whether the disease recurred during adjuvant therapy or a "
        f"date was recorded late, the recurrence is within {limit:g} months of (neo)adjuvant "
        "trastuzumab-based therapy, so the second-line recommendations apply (ASCO rec. 5.0); "
        "check the dates in the record."
    )


def _relapse(sit: Situation) -> _Relapse:
    """ASCO rec. 5.0/5.1: how long after adjuvant trastuzumab-based therapy the disease recurred.

    The end date comes from the mapping (`adjuvant_trastuzumab_end`), which leaves it unknown
    rather than guess when the record has no end; early-setting therapy on file without that
    date is "undetermined", never timed from some other date. An interval below zero means the
    therapy was still given after the metastatic date (recurrence during adjuvant therapy, or a
    metastatic date recorded late): the record cannot tell which, so that is undetermined too.
    """
    disease = sit.facts.disease
    limit = sit.config.threshold("adjuvant_relapse_second_line_months")
    adjuvant = _adjuvant_trastuzumab(sit)
    end = disease.adjuvant_trastuzumab_end
    if end is None and not adjuvant:
        return _Relapse(False, "No (neo)adjuvant trastuzumab-based therapy is on file.")
    if end is None:
        return _Relapse(
            None,
            f"(Neo)adjuvant {_adjuvant_names(sit, adjuvant)} is on file without the date it ended.",
            ("End date of (neo)adjuvant trastuzumab-based therapy",),
            "end of (neo)adjuvant trastuzumab-based therapy not on file",
        )
    recurrence = disease.metastatic_since
    if recurrence is None:
        return _Relapse(
            None,
            f"(Neo)adjuvant trastuzumab-based therapy ended {format_date(end)}, but the date of "
            "the metastatic diagnosis is not on file.",
            ("Date of the metastatic diagnosis (recurrence)",),
            "date of the metastatic diagnosis not on file",
        )
    months = disease.months_adjuvant_end_to_recurrence
    if months is None:
        months = (recurrence - end).days / DAYS_PER_MONTH
    if months < 0 or any(e.active for e in adjuvant):
        if months <= limit:  # during adjuvant therapy or within the limit of it, either way
            return _Relapse(True, _during_adjuvant(sit, adjuvant, end, recurrence, limit))
        return _still_running(sit, adjuvant, end, recurrence, months)
    interval = (
        f"(Neo)adjuvant trastuzumab-based therapy ended {format_date(end)}, {months:.1f} months "
        f"before the metastatic diagnosis ({format_date(recurrence)})"
    )
    if months <= limit:
        return _Relapse(
            True,
            f"{interval}: within {limit:g} months, so the second-line recommendations apply "
            "(ASCO rec. 5.0).",
        )
    return _Relapse(
        False,
        f"{interval}: more than {limit:g} months, so the first-line recommendations apply "
        "(ASCO rec. 5.1).",
    )


def _line_text(line: TherapyLine, catalog: Catalog) -> str:
    period = f"{format_date(line.start)} to {format_date(line.end) if line.end else 'now'}"
    return f"{names(line.drugs, catalog)} ({period})"


def _kind(number: int) -> LineKind:
    return {1: LineKind.FIRST, 2: LineKind.SECOND}.get(number, LineKind.LATER)


def _evidence(sit: Situation) -> tuple[Evidence, ...]:
    her2_exposures = [e for e in sit.facts.therapy.exposures if HER2_DIRECTED in e.classes]
    return sit.facts.disease.evidence + tuple(ev for e in her2_exposures for ev in e.evidence[:1])


def _undetermined(
    prior_metastatic_lines: int,
    ongoing: TherapyLine | None,
    *,
    reason: str,
    missing: tuple[str, ...],
    evidence: tuple[Evidence, ...],
    because: str,
) -> LineAssessment:
    """No line: the data cannot decide it, for `reason`."""
    return LineAssessment(
        kind=LineKind.UNDETERMINED,
        number=None,
        prior_metastatic_lines=prior_metastatic_lines,
        early_relapse=False,
        ongoing=ongoing,
        continuing=False,
        reasons=(reason,),
        missing=missing,
        evidence=evidence,
        unclear_because=because,
    )


def assess_line(sit: Situation) -> LineAssessment:
    """The line for a HER2-positive metastatic patient, with the facts it rests on; worked
    out once per call (five regimen rules ask)."""
    return sit.hook_input.once("regimens.line", sit.config, lambda: _assess_line(sit))


def _assess_line(sit: Situation) -> LineAssessment:
    facts = sit.facts
    lines = sorted(facts.therapy.metastatic_lines, key=lambda line: line.number)
    recent = timedelta(days=sit.config.threshold("line_current_days"))
    last = lines[-1] if lines else None
    ongoing = last if last and (last.end is None or facts.as_of - last.end <= recent) else None
    completed = [line for line in lines if line is not ongoing]
    evidence = _evidence(sit)
    unknown = _history_unknown(sit, len(completed), ongoing, evidence)
    if unknown is not None:
        return unknown
    relapse = _relapse(sit)
    if relapse.early is None:
        return _undetermined(
            len(completed),
            ongoing,
            reason=relapse.reason,
            missing=relapse.missing,
            evidence=evidence,
            because=relapse.because,
        )
    offset = 1 if relapse.early else 0
    reasons = [relapse.reason]
    if completed:
        listed = "; ".join(_line_text(line, sit.catalog) for line in completed)
        reasons.append(
            f"{len(completed)} earlier HER2-directed line(s) for metastatic disease: {listed}."
        )
    elif not ongoing:
        reasons.append("No HER2-directed therapy for metastatic disease is on file.")
    if ongoing is None:
        number = len(completed) + 1 + offset
        return LineAssessment(
            kind=_kind(number),
            number=number,
            prior_metastatic_lines=len(completed),
            early_relapse=relapse.early,
            ongoing=None,
            continuing=False,
            reasons=tuple(reasons),
            evidence=evidence,
        )
    return _ongoing_line(sit, completed, ongoing, relapse.early, offset, reasons, evidence)


def _history_unknown(
    sit: Situation,
    completed: int,
    ongoing: TherapyLine | None,
    evidence: tuple[Evidence, ...],
) -> LineAssessment | None:
    """Undetermined when earlier HER2 therapy is not known or cannot be dated; else None."""
    gaps = medication_gaps(sit.hook_input)
    if gaps:
        return _undetermined(
            completed,
            ongoing,
            reason=(
                "Part of the medication history could not be obtained, so earlier HER2-directed "
                "therapy (and with it the line) is not known."
            ),
            missing=described(gaps),
            evidence=evidence,
            because="the medication history could not be obtained",
        )
    unplaced = [
        e
        for e in sit.facts.therapy.exposures
        if HER2_DIRECTED in e.classes and e.setting is TherapySetting.UNKNOWN
    ]
    if unplaced:
        return _undetermined(
            completed,
            ongoing,
            reason=(
                f"Earlier HER2-directed therapy ({names((e.drug for e in unplaced), sit.catalog)})"
                " cannot be placed before or after the metastatic diagnosis."
            ),
            missing=("Dates of earlier HER2-directed therapy or of the metastatic diagnosis",),
            evidence=evidence + tuple(ev for e in unplaced for ev in e.evidence[:1]),
            because="earlier HER2 therapy cannot be dated against the metastatic diagnosis",
        )
    return None


def _ongoing_line(
    sit: Situation,
    completed: list[TherapyLine],
    ongoing: TherapyLine,
    early_relapse: bool,
    offset: int,
    reasons: list[str],
    evidence: tuple[Evidence, ...],
) -> LineAssessment:
    """A line is ongoing: the drafts continue it, or add a drug that starts the next line."""
    current = len([line for line in completed if line.number < ongoing.number]) + 1 + offset
    ongoing_moieties = {m for d in ongoing.drugs for m in sit.catalog.provides(d)}
    drafted_moieties = {m for d in sit.drafted_ids(HER2_DIRECTED) for m in sit.catalog.provides(d)}
    may_join = sit.catalog.first_line.may_join if current == 1 else frozenset()
    new = drafted_moieties - ongoing_moieties - may_join
    reasons.append(f"Current {line_name(current)}: {_line_text(ongoing, sit.catalog)}.")
    if new:
        reasons.append(
            f"The draft orders add {names(new, sit.catalog)}, not part of the current line, "
            "so they start the next line."
        )
        return LineAssessment(
            kind=_kind(current + 1),
            number=current + 1,
            prior_metastatic_lines=len(completed) + 1,
            early_relapse=early_relapse,
            ongoing=ongoing,
            continuing=False,
            reasons=tuple(reasons),
            evidence=evidence,
        )
    return LineAssessment(
        kind=_kind(current),
        number=current,
        prior_metastatic_lines=len(completed),
        early_relapse=early_relapse,
        ongoing=ongoing,
        continuing=True,
        reasons=tuple(reasons),
        evidence=evidence,
    )
