"""The demo page in Debian's headless Chromium against `her2-cds serve` (gunicorn, real HTTP):
pick a patient, draft trastuzumab, accept the pertuzumab suggestion (feedback stored), sign
with doxorubicin active and see the critical card; the LVEF chart shows the right points.
Screenshots are kept in test-artefacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from playwright.sync_api import Page, expect

from cds_service import samples
from tests.support.browser import save_screenshot
from tests.support.service_process import running_services

pytestmark = pytest.mark.integration
# The machine is shared: waiting for the page is not what these tests measure.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("demo")
    database = folder / "feedback.sqlite3"
    env = {"HER2CDS_DATABASE_URL": f"sqlite:///{database}", "HER2CDS_AUTH": "off"}
    with running_services(env, workers=1) as urls:
        yield urls[0], database


@pytest.fixture
def page(browser: Any, demo: tuple[str, Path]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{demo[0]}/demo/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    yield page
    context.close()
    assert errors == []


def open_patient(page: Page, patient_id: str) -> None:
    page.click(f"button.patient[data-patient='{patient_id}']")
    expect(page.locator("#patient-header .patient-name")).not_to_be_empty()
    expect(page.locator("#patient-cards .card, #patient-cards .no-cards").first).to_be_visible()


def draft(page: Page, drug: str) -> None:
    page.select_option("#new-drug", drug)
    page.click("#add-order")


def feedback_rows(database: Path) -> list[Any]:
    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            table = sqlalchemy.Table(
                "cds_feedback", sqlalchemy.MetaData(), autoload_with=connection
            )
            return list(connection.execute(sqlalchemy.select(table)).mappings())
    finally:
        engine.dispose()


def test_every_sample_is_listed(page: Page) -> None:
    titles = page.locator("button.patient strong").all_inner_texts()
    assert titles == [s.title for s in samples.samples()]


def test_first_line_draft_trastuzumab_and_accept_pertuzumab(
    page: Page, demo: tuple[str, Path]
) -> None:
    open_patient(page, "her2demo-first-line")
    expect(page.locator("#patient-cards .card[data-rule='C12-summary']")).to_be_visible()
    draft(page, "trastuzumab")
    row = page.locator("#orders tr.order").first
    expect(row.locator(".dose")).to_have_value("560")
    expect(row.locator(".interval")).to_have_value("21")
    expect(row.locator(".route")).to_have_text("intravenous")
    card = page.locator("#order-cards .card[data-rule='C12-first-line']")
    expect(card).to_be_visible()
    expect(card).to_have_class("card card-info")
    save_screenshot(page, "demo-first-line-order-select")
    card.locator("button.suggestion", has_text="pertuzumab").first.click()
    expect(card).to_have_attribute("data-feedback", "accepted")
    drugs = page.locator("#orders tr.order").evaluate_all("rows => rows.map(r => r.dataset.drug)")
    assert "pertuzumab" in drugs and "trastuzumab" in drugs
    rows = feedback_rows(demo[1])
    assert any(r["outcome"] == "accepted" for r in rows)
    save_screenshot(page, "demo-first-line-pertuzumab-accepted")


def test_sign_trastuzumab_with_doxorubicin_active_is_critical(page: Page) -> None:
    open_patient(page, "her2demo-on-doxorubicin")
    draft(page, "trastuzumab")
    expect(page.locator("#order-cards .card[data-rule='C3']")).to_be_visible()
    page.click("#sign")
    critical = page.locator("#sign-cards .card[data-rule='C3']")
    expect(critical).to_be_visible()
    expect(critical).to_have_attribute("data-indicator", "critical")
    expect(critical.locator(".summary")).to_contain_text("doxorubicin")
    save_screenshot(page, "demo-on-doxorubicin-sign-critical")


def test_dismiss_with_a_reason_sends_feedback(page: Page, demo: tuple[str, Path]) -> None:
    open_patient(page, "her2demo-lvef-decline")
    card = page.locator("#patient-cards .card[data-rule='C2']")
    expect(card).to_have_attribute("data-indicator", "critical")
    before = len(feedback_rows(demo[1]))
    card.locator("select.override-reason").select_option(index=1)
    card.locator("button.dismiss").click()
    expect(card).to_be_hidden()
    rows = feedback_rows(demo[1])
    assert len(rows) == before + 1
    assert rows[-1]["outcome"] == "overridden"


def test_lvef_chart_shows_the_readings_baseline_thresholds_and_due_date(page: Page) -> None:
    open_patient(page, "her2demo-lvef-decline")
    readings = page.locator("#lvef-chart g.reading").evaluate_all(
        "gs => gs.map(g => [Number(g.dataset.percent), g.dataset.date, g.dataset.modality])"
    )
    expected = [
        e["resource"]
        for e in samples.bundle("her2demo-lvef-decline")["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "8806-2"
    ]
    by_date = sorted((o["effectiveDateTime"][:10], o["valueQuantity"]["value"]) for o in expected)
    assert [(r[1], r[0]) for r in readings] == by_date  # oldest first, each with its date
    assert [r[0] for r in readings] == [66, 63, 48]
    assert {r[2] for r in readings} == {"2D echo"}
    baseline = page.locator("#lvef-chart g.baseline")
    expect(baseline).to_have_attribute("data-percent", "66")
    thresholds = page.locator("#lvef-chart g.threshold").evaluate_all(
        "gs => gs.map(g => [g.dataset.drug, Number(g.dataset.percent)])"
    )
    assert ["trastuzumab", 50] in thresholds
    periods = page.locator("#lvef-chart g.period-her2").evaluate_all(
        "gs => gs.map(g => g.dataset.drug)"
    )
    assert sorted(periods) == ["pertuzumab", "trastuzumab"]
    due = page.locator("#lvef-chart g.next-due")
    expect(due).to_have_attribute("data-overdue", "false")
    save_screenshot(page, "demo-lvef-decline-chart")


def test_card_markdown_is_rendered_and_html_is_escaped(page: Page) -> None:
    open_patient(page, "her2demo-lvef-decline")
    card = page.locator("#patient-cards .card[data-rule='C2']")
    expect(card.locator(".detail table th").first).to_have_text("Data")
    # Sources are the card's links (opened in a new tab), not Markdown links in the detail.
    expect(card.locator(".links a.card-link[target='_blank']").first).to_be_attached()
    html = page.evaluate(
        "HER2Markdown.render('<img src=x onerror=alert(1)> **b** [x](javascript:alert(1))')"
    )
    assert "<img" not in html and "<strong>b</strong>" in html and "href" not in html
