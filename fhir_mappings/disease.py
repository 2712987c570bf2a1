"""Disease setting: breast cancer, metastatic disease and since when, brain metastases.

Metastatic disease is read from secondary-cancer / metastasis Conditions (SNOMED, ICD-10-CM),
from a stage IV stage group and from an M1 category or a distant-metastasis site other than
"None" (Synthea records stage IV this way and never as a Condition, §5.6). The date of the
metastatic diagnosis is the earliest of these. The interval from the end of (neo)adjuvant
trastuzumab-based therapy (T-DM1 and T-DXd included) to that date decides first- vs second-line
recommendations (§1.2, ASCO 5.0/5.1). It is negative when that therapy was still given after the
metastatic date, and None when either date is missing: a card must say so, never guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fhir_mappings.answers import result_meaning
from fhir_mappings.calendar_days import DAYS_PER_MONTH
from fhir_mappings.conditions import ConditionsByConcept
from fhir_mappings.model import DiseaseSetting, Evidence
from fhir_mappings.observations import ObservationsByConcept, value_codings, value_text
from fhir_mappings.terminology import text_mentions

_OTHER_TRASTUZUMAB_CANCERS = {"gastric-cancer": "gastric", "nsclc": "non-small cell lung"}


@dataclass(frozen=True)
class MetastaticFindings:
    breast_cancer: bool
    metastatic: bool
    since: datetime | None
    brain: bool
    other_cancers: tuple[str, ...]
    evidence: tuple[Evidence, ...]


def metastatic_findings(
    conditions: ConditionsByConcept, observations: ObservationsByConcept
) -> MetastaticFindings:
    evidence: list[Evidence] = []
    dates: list[datetime] = []
    metastatic = False
    for condition in conditions.get("metastatic", ()):
        metastatic = True
        evidence.append(condition.evidence("metastatic"))
        if condition.when is not None:
            dates.append(condition.when)
    brain = bool(conditions.get("brain-metastasis"))
    for concept, meaning in (
        ("stage-group", "stage-4"),
        ("distant-metastases-category", "m1"),
    ):
        for obs in observations.get(concept, ()):
            if result_meaning(obs.resource, (meaning,)) == meaning:
                metastatic = True
                evidence.append(obs.evidence(value_text(obs.resource)))
                if obs.when is not None:
                    dates.append(obs.when)
    for obs in observations.get("distant-metastasis-site", ()):
        site = value_text(obs.resource)
        no_site = result_meaning(obs.resource, ("no-distant-metastasis", "not-assessed"))
        if no_site is None and (site or value_codings(obs.resource)):
            metastatic = True
            brain = brain or text_mentions(site, "brain-site")
            evidence.append(obs.evidence(site))
            if obs.when is not None:
                dates.append(obs.when)
    breast = conditions.get("breast-cancer", ())
    other = tuple(
        name for concept, name in _OTHER_TRASTUZUMAB_CANCERS.items() if conditions.get(concept)
    )
    return MetastaticFindings(
        breast_cancer=bool(breast),
        metastatic=metastatic,
        since=min(dates) if dates else None,
        brain=brain,
        other_cancers=other,
        evidence=(*(c.evidence("breast-cancer") for c in breast), *evidence),
    )


def months_between(earlier: datetime | None, later: datetime | None) -> float | None:
    if earlier is None or later is None:
        return None
    return (later - earlier).total_seconds() / 86400.0 / DAYS_PER_MONTH


def disease_setting(
    findings: MetastaticFindings, adjuvant_trastuzumab_end: datetime | None
) -> DiseaseSetting:
    return DiseaseSetting(
        breast_cancer=findings.breast_cancer,
        metastatic=findings.metastatic,
        metastatic_since=findings.since,
        brain_metastases=findings.brain,
        other_trastuzumab_cancers=findings.other_cancers,
        adjuvant_trastuzumab_end=adjuvant_trastuzumab_end,
        months_adjuvant_end_to_recurrence=months_between(adjuvant_trastuzumab_end, findings.since),
        evidence=findings.evidence,
    )
