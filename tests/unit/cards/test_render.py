"""The one renderer: hook policy, de-duplication, order, the card cap, escaping, the spec."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import jsonschema
import pytest

from cards.findings import Citation, Finding, Indicator, OverrideReason, Suggestion
from cards.hook_input import Hook
from cards.render import render_cards, select_findings
from cards.suggestions import create, service_request
from fhir_mappings import Evidence

CITATION = Citation("Label", "https://example.org/label", "C0", "Test rule")


def finding(
    rule: str,
    indicator: Indicator,
    *,
    safety: bool = True,
    dedup_key: str = "",
    summary: str | None = None,
    evidence: tuple[Evidence, ...] = (),
    withholds: frozenset[str] = frozenset(),
    doses_for: frozenset[str] = frozenset(),
) -> Finding:
    return Finding(
        rule=rule,
        indicator=indicator,
        summary=summary or f"{rule} {indicator.value}",
        reasoning=("Because.",),
        citations=(CITATION,),
        data_used=evidence,
        safety=safety,
        dedup_key=dedup_key,
        withholds=withholds,
        doses_for=doses_for,
    )


@cache
def response_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("cds_service").joinpath("schemas/response.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def test_order_sign_shows_only_safety_findings_that_are_not_info() -> None:
    found = [
        finding("guidance", Indicator.INFO, safety=False),
        finding("safety-info", Indicator.INFO),
        finding("dose", Indicator.WARNING, safety=False),
        finding("lvef", Indicator.CRITICAL),
    ]
    kept = select_findings(found, Hook.ORDER_SIGN, max_cards=6)
    assert [f.rule for f in kept] == ["lvef"]
    assert len(select_findings(found, Hook.ORDER_SELECT, max_cards=6)) == 4


def test_duplicates_keep_the_most_severe() -> None:
    found = [
        finding("a", Indicator.WARNING, dedup_key="same"),
        finding("b", Indicator.CRITICAL, dedup_key="same"),
        finding("c", Indicator.INFO, dedup_key="same"),
    ]
    kept = select_findings(found, Hook.ORDER_SELECT, max_cards=6)
    assert [(f.rule, f.indicator) for f in kept] == [("b", Indicator.CRITICAL)]


def test_most_severe_first_and_safety_before_guidance() -> None:
    found = [
        finding("i", Indicator.INFO, safety=False),
        finding("w-guidance", Indicator.WARNING, safety=False),
        finding("c", Indicator.CRITICAL),
        finding("w-safety", Indicator.WARNING),
    ]
    assert [f.rule for f in select_findings(found, Hook.ORDER_SELECT, 6)] == [
        "c",
        "w-safety",
        "w-guidance",
        "i",
    ]


def test_the_cap_cuts_info_cards_only() -> None:
    alerts = [finding(f"w{i}", Indicator.WARNING) for i in range(5)]
    alerts += [finding(f"c{i}", Indicator.CRITICAL) for i in range(3)]
    infos = [finding(f"i{i}", Indicator.INFO) for i in range(4)]
    kept = select_findings(alerts + infos, Hook.ORDER_SELECT, max_cards=6)
    assert len(kept) == 8 and all(f.indicator is not Indicator.INFO for f in kept)
    kept = select_findings(alerts[:2] + infos, Hook.ORDER_SELECT, max_cards=6)
    assert [f.rule for f in kept] == ["w0", "w1", "i0", "i1", "i2", "i3"]
    kept = select_findings(alerts[:3] + infos, Hook.ORDER_SELECT, max_cards=6)
    assert [f.rule for f in kept][-1] == "i2"


def test_request_text_in_evidence_is_escaped() -> None:
    hostile = Evidence(
        resource_type="MedicationRequest",
        resource_id="x",
        code=None,
        display='<img src=x onerror="alert(1)"> [click](javascript:alert(1)) **bold** | pipe',
        when=None,
        value="<script>",
    )
    cards = render_cards(
        [finding("x", Indicator.WARNING, evidence=(hostile,))],
        Hook.ORDER_SELECT,
        max_cards=6,
        knowledge_version="test",
    )
    detail = cards[0]["detail"]
    assert "<img" not in detail and "<script>" not in detail
    assert "&lt;img" in detail and "&lt;script&gt;" in detail
    assert "](javascript" not in detail  # the link syntax is broken by escaping
    assert "\\*\\*bold\\*\\*" in detail and "\\| pipe" in detail
    assert "undated" in detail  # a fact without a date says so


def test_long_summaries_are_cut_below_140_characters() -> None:
    long = "LVEF " + "very " * 40 + "low."
    cards = render_cards(
        [finding("x", Indicator.WARNING, summary=long)],
        Hook.ORDER_SELECT,
        max_cards=6,
        knowledge_version="test",
    )
    assert len(cards[0]["summary"]) < 140
    assert cards[0]["summary"].endswith("…")


def test_rendered_cards_follow_the_spec() -> None:
    echo = service_request(
        patient_id="p1",
        code_system="http://loinc.org",
        code="34552-0",
        display="Cardiac echo study",
        reason="LVEF overdue",
    )
    full = Finding(
        rule="C1",
        indicator=Indicator.WARNING,
        summary="Order an echocardiogram",
        reasoning=("Overdue.",),
        citations=(CITATION,),
        suggestions=(
            Suggestion("Order echo", (create(echo, "Order an echocardiogram"),), True),
            Suggestion("Order MUGA", (create(echo, "Order a MUGA scan"),)),
        ),
        override_reasons=(OverrideReason("x", "Reviewed", "https://example.org/or"),),
        safety=True,
    )
    response = {
        "cards": render_cards(
            [full, finding("i", Indicator.INFO)],
            Hook.ORDER_SELECT,
            max_cards=6,
            knowledge_version="2026.11.0",
        )
    }
    response_validator().validate(response)
    card = response["cards"][0]
    assert card["selectionBehavior"] == "at-most-one"
    assert card["suggestions"][0]["isRecommended"] is True
    assert "isRecommended" not in card["suggestions"][1]
    assert card["uuid"] != response["cards"][1]["uuid"]
    assert "2026.11.0" in card["source"]["label"] and card["source"]["topic"]["code"] == "C0"


@pytest.mark.parametrize("hook", list(Hook))
def test_no_findings_no_cards(hook: Hook) -> None:
    assert render_cards([], hook, max_cards=6, knowledge_version="x") == []


def test_a_critical_withhold_silences_dosing_advice_for_the_same_drugs() -> None:
    trastuzumab, docetaxel = frozenset({"trastuzumab"}), frozenset({"docetaxel"})
    withhold = finding(
        "C2", Indicator.CRITICAL, summary="Withhold trastuzumab", withholds=trastuzumab
    )
    reload = finding(
        "dose-check", Indicator.WARNING, summary="Re-load trastuzumab", doses_for=trastuzumab
    )
    other = finding("dose-check", Indicator.WARNING, summary="Docetaxel dose", doses_for=docetaxel)
    kept = select_findings([reload, withhold, other], Hook.ORDER_SELECT, 6)
    assert [f.summary for f in kept] == ["Withhold trastuzumab", "Docetaxel dose"]
    as_warning = finding(
        "C2", Indicator.WARNING, summary="Withhold trastuzumab", withholds=trastuzumab
    )
    kept = select_findings([reload, as_warning], Hook.ORDER_SELECT, 6)
    assert len(kept) == 2  # only a critical withhold silences dosing advice


def test_sources_are_absolute_links_and_plain_text_in_detail() -> None:
    from cards.sources import cite_all

    cited = cite_all(["G1", "herceptin-dosing", "L1"], rule="C0", topic="Test rule")
    card = render_cards(
        [
            Finding(
                rule="C0",
                indicator=Indicator.WARNING,
                summary="Sources",
                reasoning=("Because.",),
                citations=cited,
            )
        ],
        Hook.ORDER_SELECT,
        max_cards=6,
        knowledge_version="test",
    )[0]
    response_validator().validate({"cards": [card]})
    # two aliases of the Herceptin label are one source
    assert card["links"] == [
        {
            "label": "ASCO 2022 guideline, advanced HER2+ breast cancer",
            "url": "https://doi.org/10.1200/JCO.22.00519",
            "type": "absolute",
        },
        {"label": "Herceptin US label", "url": cited[1].url, "type": "absolute"},
    ]
    assert card["source"]["url"] == "https://doi.org/10.1200/JCO.22.00519"
    assert (
        card["source"]["label"]
        == "ASCO 2022 guideline, advanced HER2+ breast cancer (HER2 CDS test)"
    )
    # no Markdown link (the sandbox would navigate its frame away) and no bare URL
    assert "](" not in card["detail"] and "http" not in card["detail"]
    assert "- Giordano SH, Franzoi MAB, Temin S, et al. Systemic Therapy" in card["detail"]
    assert "doi:10.1200/JCO.22.00519" in card["detail"]
    assert "- US prescribing information, Herceptin (trastuzumab), Genentech" in card["detail"]


def test_a_notice_without_a_source_url_has_no_link() -> None:
    notice = Citation("HER2 CDS service", "", "C0", "Check could not run")
    card = render_cards(
        [
            Finding(
                rule="C0",
                indicator=Indicator.WARNING,
                summary="Could not run",
                reasoning=("Because.",),
                citations=(notice,),
            )
        ],
        Hook.ORDER_SELECT,
        max_cards=6,
        knowledge_version="test",
    )[0]
    response_validator().validate({"cards": [card]})
    assert "url" not in card["source"] and "links" not in card
