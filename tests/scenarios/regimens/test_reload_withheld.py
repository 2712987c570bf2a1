"""No dose advice for a drug a critical card withholds (second review R3): the re-load (C11),
dose-check and C10 findings name the drugs they dose (`doses_for`), so a C2 'withhold
trastuzumab' does not stand next to 're-load trastuzumab 560 mg'."""

from __future__ import annotations

from tests.scenarios import fhir_builders as fb
from tests.scenarios.regimens.builders import (
    ago,
    body_size,
    cycles,
    draft,
    order_select,
    ordered,
    topic,
)


def _early_trastuzumab(latest_lvef: float) -> list[dict]:
    """Adjuvant trastuzumab alone every 3 weeks from 200 days ago (the order still active), last
    given 35 days ago (two weeks late: a re-load is due); LVEF 62 % before the start,
    `latest_lvef` % this week."""
    return [
        fb.patient(),
        fb.breast_cancer(onset=ago(260)),
        fb.her2_ihc("3+", when=ago(255)),
        fb.receptor("er", percent=0, when=ago(255)),
        fb.receptor("pr", percent=0, when=ago(255)),
        fb.observation("2118-8", when=ago(3), value=fb.coded(fb.LOINC, "LA6577-6", "Negative")),
        fb.lvef(62, when=ago(210)),
        fb.lvef(latest_lvef, when=ago(2)),
        *body_size(),
        ordered("trastuzumab", start_days=200, status="active"),
        *cycles("trastuzumab", *range(200, 34, -21), dose=420),
    ]


def test_lvef_fall_to_45_gives_only_the_withhold_card_not_the_reload():
    cards = order_select(_early_trastuzumab(45), draft("trastuzumab", 420))
    assert [topic(c) for c in cards] == ["C2"], [(topic(c), c["summary"]) for c in cards]
    assert cards[0]["indicator"] == "critical"


def test_normal_lvef_keeps_the_reload_card():
    cards = order_select(_early_trastuzumab(60), draft("trastuzumab", 420))
    assert "C11" in [topic(c) for c in cards]
    assert "C2" not in [topic(c) for c in cards]
