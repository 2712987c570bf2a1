"""End to end in the real CDS Hooks sandbox: the third-party reference client, served in place
from the shared fixtures, drives the service (HER2CDS_AUTH=required, trusting the sandbox's
published key) over a real FHIR server holding synthetic patients, in Debian's chromium.

What a clinician does there: open the patient (patient-view), draft an oral drug in Rx View
(order-select) and accept a suggestion, sign an order in Rx Sign (order-sign) and dismiss a
card with a reason. The service's own feedback database must then hold what was done.
Screenshots are kept in test-artefacts/ (BROWSER_ARTEFACTS).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, Response, Route

from tests.e2e.sandbox_patients import (
    lvef_fall_on_trastuzumab,
    not_concerned,
    on_capecitabine,
    thp_stopped_with_chemotherapy,
)
from tests.scenarios.harness import response_validator
from tests.support.browser import save_screenshot
from tests.support.card_language import language_problems
from tests.support.card_sources import ALLOWED_HOSTS, host, source_problems
from tests.support.sandbox import SANDBOX_APP, SandboxStack, sandbox_stack

pytestmark = pytest.mark.integration

THP_STOPPED = "sbx-thp-stopped"  # HER2 therapy stopped with the chemotherapy
LVEF_FALL = "sbx-lvef-fall"  # on trastuzumab + pertuzumab, LVEF 62 % -> 45 %
NOT_CONCERNED = "sbx-no-cancer"  # no breast cancer on file
ON_CAPECITABINE = "sbx-on-capecitabine"  # later line, capecitabine current
WAIT_MS = 30_000  # how long to wait for the sandbox to call the service and render
PATIENT_VIEW = "/cds-services/her2-breast-cancer-patient-view"
ORDER_SELECT = "/cds-services/her2-breast-cancer-order-select"
ORDER_SIGN = "/cds-services/her2-breast-cancer-order-sign"
CARD = '[class*="decision-card"]'


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxStack]:
    if not (SANDBOX_APP / "index.html").is_file():
        pytest.fail(
            f"the CDS Hooks sandbox build is not at {SANDBOX_APP}: this test serves it in place "
            "from ../shared (or $HER2CDS_SHARED_DIR); it never runs without it"
        )
    patients = [
        *thp_stopped_with_chemotherapy(THP_STOPPED),
        *lvef_fall_on_trastuzumab(LVEF_FALL),
        *not_concerned(NOT_CONCERNED),
        *on_capecitabine(ON_CAPECITABINE),
    ]
    with sandbox_stack(patients, tmp_path_factory.mktemp("sandbox")) as running:
        yield running


def _label_page(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<p>label or article</p>")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (the sandbox keeps settings in local storage). The primary sources'
    hosts answer with a stub page: the test machine has no internet, and only the URL a link
    opens matters here."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    for allowed in ALLOWED_HOSTS:
        context.route(f"https://{allowed}/**", _label_page)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def _post_to(path: str, *, containing: str = "") -> Callable[[Response], bool]:
    def matches(response: Response) -> bool:
        request = response.request
        return (
            request.method == "POST"
            and response.url.endswith(path)
            and containing in (request.post_data or "")
        )

    return matches


def _cards(response: Response) -> list[dict[str, Any]]:
    """The cards of a service answer, which must follow the project's response schema and
    cite primary sources only."""
    assert response.status == 200
    document = response.json()
    response_validator().validate(document)
    assert source_problems(document["cards"]) == []
    assert language_problems(document["cards"]) == []
    return list(document["cards"])


def _draft(request: Request) -> dict[str, Any]:
    body = json.loads(request.post_data or "{}")
    return body["context"]["draftOrders"]["entry"][0]["resource"]


def _open_patient(page: Page, stack: SandboxStack, patient_id: str) -> list[dict[str, Any]]:
    """Launch the sandbox on a patient; the cards the service answered patient-view with."""
    with page.expect_response(_post_to(PATIENT_VIEW), timeout=WAIT_MS) as answer:
        page.goto(stack.launch_url(patient_id))
    return _cards(answer.value)


def _pick_medication(page: Page, typed: str, option: str) -> None:
    """The medication field is controlled and debounced: set the whole value in one input
    event, then pick the product from the sandbox's own list."""
    page.locator("input[name=medication-input]").fill(typed)
    page.get_by_role("button", name=option, exact=True).click()


def _card_on_page(page: Page, summary: str) -> Any:
    return page.locator(CARD).filter(has_text=summary)


def test_patient_view_shows_the_cards_with_links_that_open_outside_the_app(
    stack: SandboxStack, page: Page
) -> None:
    cards = _open_patient(page, stack, LVEF_FALL)
    assert cards, "an LVEF fall of 17 points on trastuzumab gives patient-view cards"
    for card in cards:
        page.locator(CARD).filter(has_text=card["summary"]).first.wait_for(timeout=WAIT_MS)
    assert page.locator(CARD).count() == len(cards)
    assert any(card["indicator"] == "critical" for card in cards)
    save_screenshot(page, "sandbox-patient-view")

    # A source is a link button that opens the primary source in a new tab; the app stays.
    first = cards[0]
    link = first["links"][0]
    assert host(link["url"]) in ALLOWED_HOSTS
    app_url = page.url
    with page.expect_popup(timeout=WAIT_MS) as popup:
        _card_on_page(page, first["summary"]).get_by_role(
            "button", name=link["label"], exact=True
        ).click()
    assert popup.value.url == link["url"]
    assert page.url == app_url
    # the card's "Source:" label is not a way out in the sandbox: clicking it keeps the app
    _card_on_page(page, first["summary"]).locator('a[class*="source-link"]').click()
    assert page.url == app_url
    # detail names the sources as text: no link inside the rendered detail
    assert _card_on_page(page, first["summary"]).locator("p a, li a, td a").count() == 0


def test_a_patient_the_rules_do_not_concern_gets_no_card(stack: SandboxStack, page: Page) -> None:
    assert _open_patient(page, stack, NOT_CONCERNED) == []
    page.get_by_text("No recommendations to display").wait_for(timeout=WAIT_MS)
    assert page.locator(CARD).count() == 0


def test_rx_view_suggestion_is_accepted_and_applied(stack: SandboxStack, page: Page) -> None:
    _open_patient(page, stack, THP_STOPPED)
    page.get_by_role("button", name="Rx View").click()
    with page.expect_response(
        _post_to(ORDER_SELECT, containing="capecitabine 500 MG Oral Tablet"), timeout=WAIT_MS
    ) as answer:
        _pick_medication(page, "capecitabine", "capecitabine 500 MG Oral Tablet")
    cards = _cards(answer.value)
    # The sandbox drafts the tablet as a count ({pill}): never read as that many mg.
    assert not any("capecitabine 1 mg" in c["summary"].lower() for c in cards)
    # The regimen card (the organ-function card may also ask for a creatinine first).
    [card] = [c for c in cards if c["summary"].startswith("Continue trastuzumab + pertuzumab")]
    assert card.get("suggestions")
    suggestion = card["suggestions"][0]
    created = [a["resource"] for a in suggestion["actions"] if a["type"] == "create"]
    assert created and all(r["medicationCodeableConcept"]["coding"] for r in created)
    shown = _card_on_page(page, card["summary"])
    shown.wait_for(timeout=WAIT_MS)
    save_screenshot(page, "sandbox-rx-view-suggestion")

    codes = [c["code"] for r in created for c in r["medicationCodeableConcept"]["coding"]]
    with (
        page.expect_response(_post_to("/feedback"), timeout=WAIT_MS) as feedback,
        page.expect_response(
            lambda r: (
                _post_to(ORDER_SELECT)(r)
                and any(
                    c.get("code") in codes
                    for c in _draft(r.request)
                    .get("medicationCodeableConcept", {})
                    .get("coding", [])
                )
            ),
            timeout=WAIT_MS,
        ) as after,
    ):
        shown.get_by_role("button", name=suggestion["label"], exact=True).click()
    assert feedback.value.status == 200
    # The sandbox applied the suggestion: its draft is now the suggested, coded medication,
    # and the card that asked for it is gone.
    applied = _draft(after.value.request)
    assert applied["medicationCodeableConcept"]["coding"][0]["code"] in codes
    _card_on_page(page, card["summary"]).wait_for(state="detached", timeout=WAIT_MS)
    save_screenshot(page, "sandbox-rx-view-accepted")
    [row] = [r for r in stack.feedback_rows() if r["card_uuid"] == card["uuid"]]
    assert row["outcome"] == "accepted"
    assert row["service_id"] == "her2-breast-cancer-order-select"
    assert json.loads(row["accepted_suggestions"]) == [suggestion["uuid"]]
    assert row["client_iss"] == "https://sandbox.cds-hooks.org"


def test_a_replacement_is_an_update_the_sandbox_applies_whole(
    stack: SandboxStack, page: Page
) -> None:
    """The sandbox holds one draft: a replacement must be an update of that draft (same id),
    not a delete and a create, or the clinician is left with an empty form."""
    _open_patient(page, stack, ON_CAPECITABINE)
    page.get_by_role("button", name="Rx View").click()
    with page.expect_response(
        _post_to(ORDER_SELECT, containing="lapatinib 250 MG Oral Tablet"), timeout=WAIT_MS
    ) as answer:
        _pick_medication(page, "lapatinib", "lapatinib 250 MG Oral Tablet")
    draft = _draft(answer.value.request)
    cards = _cards(answer.value)
    # 1 tablet of 250 mg is read as 250 mg (the product strength), not 1 mg
    [card] = [c for c in cards if c["summary"].startswith("Lapatinib 250 mg (1 tablet)")]
    [suggestion] = card["suggestions"]
    [action] = suggestion["actions"]
    assert action["type"] == "update"
    assert action["resource"]["id"] == draft["id"]
    shown = _card_on_page(page, card["summary"])
    shown.wait_for(timeout=WAIT_MS)
    save_screenshot(page, "sandbox-rx-view-update")
    with page.expect_response(
        lambda r: (
            _post_to(ORDER_SELECT)(r)
            and _draft(r.request).get("medicationCodeableConcept", {}).get("text") == "lapatinib"
        ),
        timeout=WAIT_MS,
    ) as after:
        shown.get_by_role("button", name=suggestion["label"], exact=True).click()
    applied = _draft(after.value.request)
    # Applied to the same draft (no empty form), coded. The sandbox takes the medication from
    # a suggestion and keeps its own dose fields (1 {pill} daily): the service then says the
    # dose of the ingredient-coded lapatinib could not be read, never that it is 1 mg.
    assert applied["id"] == draft["id"]
    assert applied["medicationCodeableConcept"]["coding"][0]["code"] == "480167"
    summaries = [c["summary"] for c in _cards(after.value)]
    assert "Lapatinib dose not checked: drafted as 1 tablet, not readable as mg" in summaries
    _card_on_page(page, card["summary"]).wait_for(state="detached", timeout=WAIT_MS)
    save_screenshot(page, "sandbox-rx-view-update-applied")


def test_rx_sign_card_dismissed_with_a_reason_is_stored(stack: SandboxStack, page: Page) -> None:
    _open_patient(page, stack, LVEF_FALL)
    page.get_by_role("button", name="Rx Sign").click()
    _pick_medication(page, "lapatinib", "lapatinib 250 MG Oral Tablet")
    with page.expect_response(
        _post_to(ORDER_SIGN, containing="lapatinib 250 MG Oral Tablet"), timeout=WAIT_MS
    ) as answer:
        page.get_by_role("button", name="Sign Order").click()
    cards = _cards(answer.value)
    [card] = [c for c in cards if c.get("overrideReasons")][:1]
    assert card["indicator"] == "critical"
    assert "lapatinib" in card["summary"]
    shown = _card_on_page(page, card["summary"])
    shown.wait_for(timeout=WAIT_MS)
    save_screenshot(page, "sandbox-rx-sign-card")

    reason = card["overrideReasons"][0]
    shown.get_by_role("group").get_by_role("button").nth(1).click()  # Dismiss's reason menu
    with page.expect_response(_post_to("/feedback"), timeout=WAIT_MS) as feedback:
        page.get_by_role("menuitem").filter(has_text=reason["display"]).click()
    assert feedback.value.status == 200
    shown.wait_for(state="detached", timeout=WAIT_MS)
    save_screenshot(page, "sandbox-rx-sign-dismissed")
    [row] = [r for r in stack.feedback_rows() if r["card_uuid"] == card["uuid"]]
    assert row["service_id"] == "her2-breast-cancer-order-sign"
    assert row["outcome"] == "overridden"
    assert (row["override_system"], row["override_code"]) == (reason["system"], reason["code"])


def test_the_sandbox_is_served_in_place(stack: SandboxStack) -> None:
    # never a copy inside the project
    assert not Path(SANDBOX_APP).resolve().is_relative_to(Path(__file__).resolve().parents[2])
