"""What the advice says beside a guideline's preference: caveats from ASCO/CAP and the labels.

- ER 1-10 % is "ER Low Positive" (ASCO/CAP 2020): hormone-receptor-positive advice names it
  "ER-low" and says that data on endocrine benefit are limited. ER-negative, PgR-positive
  disease gets the matching caveat (PgR is mainly prognostic in ER-positive cancer).
- The ASCO 12-month rule (rec. 5.0) treats recurrence within 12 months of adjuvant
  trastuzumab-based therapy as second line, with T-DXd preferred; the US T-DXd label's
  HER2-positive indication covers recurrence during or within 6 months of completing
  (neo)adjuvant therapy. Advice for a recurrence at 7-12 months says so.

The texts, windows and sources live in `cards/data/label_caveats.json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from cards.knowledge import KnowledgeError, load_table
from cards.regimens.situation import Situation
from cards.sources import source_ids
from fhir_mappings import DAYS_PER_MONTH, ReceptorCall

POSITIVE = frozenset({ReceptorCall.POSITIVE, ReceptorCall.LOW_POSITIVE})


@dataclass(frozen=True)
class Caveats:
    er_low_name: str
    er_low: str
    pgr_only: str
    receptor_sources: tuple[str, ...]
    window_months: float
    window_within: str
    window_beyond: str
    window_sources: tuple[str, ...]


@cache
def caveats() -> Caveats:
    raw = cast(Mapping[str, Any], load_table("label_caveats"))
    er, pgr, window = raw["er_low"], raw["pgr_only"], raw["relapse_label_window"]
    table = Caveats(
        er_low_name=str(er["name"]),
        er_low=str(er["caveat"]),
        pgr_only=str(pgr["caveat"]),
        receptor_sources=tuple(dict.fromkeys([*er["sources"], *pgr["sources"]])),
        window_months=float(window["months"]),
        window_within=str(window["within"]),
        window_beyond=str(window["beyond"]),
        window_sources=tuple(str(s) for s in window["sources"]),
    )
    unknown = [s for s in (*table.receptor_sources, *table.window_sources) if s not in source_ids()]
    if unknown:
        raise KnowledgeError(f"label_caveats.json names unknown sources {unknown}")
    return table


def er_low(sit: Situation) -> bool:
    return sit.facts.hormone_receptors.er.call is ReceptorCall.LOW_POSITIVE


def _pgr_only(sit: Situation) -> bool:
    receptors = sit.facts.hormone_receptors
    return receptors.er.call is ReceptorCall.NEGATIVE and receptors.pr.call in POSITIVE


def hr_label(sit: Situation) -> str:
    """'HR+', or 'HR+ (ER-low)' when ER is 1-10 %: the name a summary gives the disease."""
    return f"HR+ ({caveats().er_low_name})" if er_low(sit) else "HR+"


def receptor_caveats(sit: Situation) -> tuple[str, ...]:
    """The paragraph that goes before any hormone-receptor-positive advice, if one applies."""
    if sit.hr_positive is not True:
        return ()
    table = caveats()
    if er_low(sit):
        percent = sit.facts.hormone_receptors.er.percent
        shown = f" (ER {percent:g} %)" if percent is not None else ""
        return (f"**{table.er_low_name}{shown}.** {table.er_low}",)
    if _pgr_only(sit):
        return (table.pgr_only,)
    return ()


def caveat_sources(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """The sources of the caveats these paragraphs state, for the card's citations."""
    said = " ".join(paragraphs)
    table = caveats()
    sources: list[str] = []
    if table.er_low in said or table.pgr_only in said:
        sources.extend(table.receptor_sources)
    if table.window_within in said or table.window_beyond in said:
        sources.extend(table.window_sources)
    return tuple(sources)


def relapse_months(sit: Situation) -> float | None:
    """Months from the end of (neo)adjuvant trastuzumab-based therapy to the recurrence."""
    disease = sit.facts.disease
    if disease.months_adjuvant_end_to_recurrence is not None:
        return disease.months_adjuvant_end_to_recurrence
    end, recurrence = disease.adjuvant_trastuzumab_end, disease.metastatic_since
    if end is None or recurrence is None:
        return None
    return (recurrence - end).days / DAYS_PER_MONTH


def _early_relapse_months(sit: Situation) -> float | None:
    months = relapse_months(sit)
    limit = sit.config.threshold("adjuvant_relapse_second_line_months")
    if months is None or months < 0 or months > limit:
        return None
    return months


def _months_text(months: float) -> str:
    return f"{months:.1f}".removesuffix(".0")


def relapse_window(sit: Situation) -> tuple[str, ...]:
    """The label's window beside the 12-month rule, for a recurrence within 12 months."""
    months = _early_relapse_months(sit)
    if months is None:
        return ()
    table = caveats()
    text = table.window_within if months <= table.window_months else table.window_beyond
    return (
        f"Recurrence {_months_text(months)} months after the end of (neo)adjuvant "
        f"trastuzumab-based therapy. {text}",
    )


def beyond_label_window(sit: Situation) -> tuple[str, str] | None:
    """('8.3 months', 'the US label covers ≤6 months') for a summary, when the recurrence
    came after the label's window but within the guideline's 12 months."""
    months = _early_relapse_months(sit)
    limit = caveats().window_months
    if months is None or months <= limit:
        return None
    return f"{_months_text(months)} months", f"the US label covers ≤{limit:g} months"
