"""FHIR JSON for line and product switches: the old regimen's orders in a chosen state (open,
stopped, completed, or stopped the same day as the new draft), its doses every cycle up to the
last one, and the new regimen drafted at the next cycle.

A 57-year-old woman, 70 kg and 165 cm (BSA 1.79 m²), HER2 IHC 3+, ER/PR 0 %, metastatic for
600 days, a normal LVEF 15 days ago: nothing else in her record should draw a card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.scenarios import fhir_builders as fb
from tests.scenarios.safety.builders import (
    Resource,
    _code,
    days_ago,
    early_breast_cancer,
    echo,
    her2_positive,
    metastatic,
    receptor_status,
    size,
    woman,
)

OPEN = "open"
STOPPED = "stopped"
COMPLETED = "completed"
SAME_DAY = "same-day"  # stopped today, the day the new regimen is drafted
DOSES_ONLY = "doses-only"  # every cycle's order left out: administrations alone
CLOSED = (STOPPED, COMPLETED, SAME_DAY)
STATES = (OPEN, *CLOSED)


@dataclass(frozen=True)
class Old:
    """One drug of the old regimen: its dose per cycle (as written) and its cycle."""

    drug: str
    dose: float
    unit: str = "mg"
    every: int = 21


@dataclass(frozen=True)
class New:
    drug: str
    dose: float
    unit: str = "mg"
    every: int = 21
    per_day: int = 1  # twice daily: tucatinib, capecitabine


def old_course(
    old: Old, *, state: str, last_dose: float, cycles: int = 8, order_id: str | None = None
) -> list[Resource]:
    """The order of `old` in `state` and its administrations, the last `last_dose` days ago."""
    rxnorm, text = _code(old.drug)
    first = last_dose + old.every * (cycles - 1)
    status = {OPEN: "active", COMPLETED: "completed", SAME_DAY: "stopped"}.get(state, "stopped")
    end = {COMPLETED: days_ago(last_dose), SAME_DAY: days_ago(0.1)}.get(state)
    order = fb.medication_request(
        rxnorm,
        text,
        status=status,
        authored=days_ago(first + 1),
        start=days_ago(first),
        end=end,
        dose=old.dose,
        unit=old.unit,
        interval_days=old.every,
        resource_id=order_id or f"old-{old.drug}",
    )
    given = [
        fb.administration(
            rxnorm, text, when=days_ago(first - i * old.every), dose=old.dose, unit=old.unit
        )
        for i in range(cycles)
    ]
    return given if state == DOSES_ONLY else [order, *given]


def chart(*courses: Sequence[Resource], lvef: float = 62, early: bool = False) -> list[Resource]:
    """Metastatic for 600 days; `early`: early breast cancer diagnosed 250 days ago."""
    disease = early_breast_cancer(250) if early else metastatic(600)
    return [
        woman(57),
        her2_positive(260 if early else 700),
        receptor_status("er", 0, days=260 if early else 700),
        receptor_status("pr", 0, days=260 if early else 700),
        *disease,
        echo(lvef, days=15),
        *size(),
        *(r for course in courses for r in course),
    ]


def drafts(*new: New) -> list[Resource]:
    out = []
    for item in new:
        rxnorm, text = _code(item.drug)
        order = fb.draft_order(
            rxnorm,
            text,
            dose=item.dose,
            unit=item.unit,
            interval_days=item.every,
            resource_id=f"draft-{item.drug}",
        )
        if item.per_day > 1:
            timing = {"repeat": {"frequency": item.per_day, "period": 1, "periodUnit": "d"}}
            order["dosageInstruction"][0]["timing"] = timing
        out.append(order)
    return out


def topics(cards: Sequence[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in cards]


TRASTUZUMAB = Old("trastuzumab", 420)
PERTUZUMAB = Old("pertuzumab", 420)
T_DXD = Old("fam-trastuzumab-deruxtecan", 378)
T_DM1 = Old("ado-trastuzumab-emtansine", 252)
PHESGO = Old("pertuzumab-trastuzumab-sc", 600)
AC = (Old("doxorubicin", 107), Old("cyclophosphamide", 1074))
EC = (Old("epirubicin", 161), Old("cyclophosphamide", 1074))
HER2CLIMB = (
    New("tucatinib", 300, every=1, per_day=2),
    New("trastuzumab", 560),
    New("capecitabine", 1790, every=1, per_day=2),
)


@dataclass(frozen=True)
class Switch:
    """A correct change of line or product, drafted at the next cycle: the rule it concerns
    and the doses right for 70 kg and 1.79 m² (loading where the new drug is new)."""

    name: str
    old: tuple[Old, ...]
    new: tuple[New, ...]
    rule: str
    early: bool = False


SWITCHES = (
    Switch(
        "THP to T-DXd", (TRASTUZUMAB, PERTUZUMAB), (New("fam-trastuzumab-deruxtecan", 378),), "C9"
    ),
    Switch(
        "THP to T-DM1", (TRASTUZUMAB, PERTUZUMAB), (New("ado-trastuzumab-emtansine", 252),), "C9"
    ),
    Switch("T-DXd to HER2CLIMB", (T_DXD,), HER2CLIMB, "C9"),
    Switch("T-DXd to T-DM1", (T_DXD,), (New("ado-trastuzumab-emtansine", 252),), "C9"),
    Switch("T-DM1 to HER2CLIMB", (T_DM1,), HER2CLIMB, "C9"),
    Switch(
        "Phesgo to IV trastuzumab + pertuzumab",
        (PHESGO,),
        (New("trastuzumab", 420), New("pertuzumab", 420)),
        "duplicate-her2-antibody",
    ),
    Switch(
        "IV trastuzumab + pertuzumab to Phesgo",
        (TRASTUZUMAB, PERTUZUMAB),
        (New("pertuzumab-trastuzumab-sc", 600),),
        "duplicate-her2-antibody",
    ),
    Switch(
        "IV to subcutaneous trastuzumab",
        (TRASTUZUMAB,),
        (New("trastuzumab-sc", 600),),
        "duplicate-her2-antibody",
        early=True,
    ),
    Switch(
        "AC to paclitaxel + trastuzumab + pertuzumab",
        AC,
        (New("trastuzumab", 560), New("pertuzumab", 840), New("paclitaxel", 143, every=7)),
        "C3",
        early=True,
    ),
    Switch(
        "AC to weekly paclitaxel + trastuzumab",
        AC,
        (New("trastuzumab", 280, every=7), New("paclitaxel", 143, every=7)),
        "C3",
        early=True,
    ),
    Switch(
        "EC to docetaxel + trastuzumab + pertuzumab",
        EC,
        (New("trastuzumab", 560), New("pertuzumab", 840), New("docetaxel", 134)),
        "C3",
        early=True,
    ),
    Switch(
        "THP to T-DXd with pertuzumab continued",
        (TRASTUZUMAB, PERTUZUMAB),
        (New("fam-trastuzumab-deruxtecan", 378), New("pertuzumab", 420)),
        "C9",
    ),
)


def switch_chart(switch: Switch, state: str, *, last_dose: float = 21) -> list[Resource]:
    courses = [old_course(o, state=state, last_dose=last_dose) for o in switch.old]
    return chart(*courses, early=switch.early)
