"""HER2 status by the ASCO/CAP 2018 algorithm (affirmed 2023), over every tissue result on file.

Each result gets the call it supports on its own (§4.1-§4.3): an IHC score, a dual-probe ISH
group read with its concomitant IHC (same specimen, else the closest IHC in time), a single-probe
ISH count, or a laboratory's interpretation (LA codes, SNOMED qualifiers, `interpretation`, words
such as Synthea's "greater than 2.2"). A ratio without the average HER2 copy number, as a
number or as words, fixes no ASCO/CAP group and is never read as group 1 or 5: only IHC 3+
(positive) or IHC 0/1+ with a ratio below the cut-off (negative) decide it; otherwise the copy
number is needed. The cut-offs (2.0, 4.0, 6.0) come from `data/her2_ish.json`.

The final call follows the reference's design choice (§4.5): any positive result makes the
patient eligible for HER2-targeted therapy and is reported with the discordance; otherwise the
newest result decides, and HER2-low / ultralow / 0 comes from the newest negative result.
Serum HER2 is a tumour marker, never tissue status (§0.1 #7).

The steps live in `her2_ihc.py` (IHC, interpretations, diagnoses), `her2_ish.py` (ISH and its
cut-offs) and `her2_call.py` (the final call); this module puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence

from fhir_mappings.chronology import newest_first
from fhir_mappings.conditions import CodedCondition
from fhir_mappings.config import MappingConfig
from fhir_mappings.her2_call import final_call, superseded_ihc
from fhir_mappings.her2_ihc import from_diagnosis, ihc_result, interpretation_result
from fhir_mappings.her2_ish import (
    RatioBound,
    bound_result,
    ish_counts,
    ish_result,
    word_with_concomitant,
)
from fhir_mappings.model import (
    Her2Assessment,
    Her2Result,
)
from fhir_mappings.observations import (
    ObservationsByConcept,
)
from fhir_mappings.resource_set import NoteBook


def assess_her2(
    observations: ObservationsByConcept,
    diagnoses: Sequence[CodedCondition],
    config: MappingConfig,
    notes: NoteBook,
) -> Her2Assessment:
    ihc = [r for r in (ihc_result(o, notes) for o in observations.get("her2-ihc", ())) if r]
    scored = [s for s in ihc if s.result.ihc_score is not None]
    interpretations = [r.result for r in ihc if r.result.ihc_score is None]
    interpretations += [
        r
        for r in (
            interpretation_result(o, notes) for o in observations.get("her2-interpretation", ())
        )
        if r
    ]
    word_results: list[tuple[Her2Result, str | None]] = []
    bounds: list[RatioBound] = []
    counts = ish_counts(observations, word_results, bounds, notes)
    ish = [ish_result(c, scored, config) for c in counts]
    ish += [word_with_concomitant(r, ref, scored, config) for r, ref in word_results]
    ish += [bound_result(b, scored, config) for b in bounds]
    results = [s.result for s in scored] + interpretations + [r for r, _ in ish]
    consumed = {id(used) for _, used in ish if used is not None}
    superseded = superseded_ihc(scored, consumed, interpretations + [r for r, _ in ish], config)
    if not results:
        results = [r for r in (from_diagnosis(c) for c in diagnoses) if r]
    ordered = tuple(newest_first(results, lambda r: r.when))
    reasoning = [r.reasoning for r in ordered if r.reasoning]
    if observations.get("her2-serum"):
        reasoning.append("serum HER2 on file: a tumour marker, not used for tissue HER2 status")
    deciding = [r for r in results if id(r) not in superseded]
    return final_call(ordered, tuple(newest_first(deciding, lambda r: r.when)), reasoning)
