"""The override report page in Debian's headless Chromium, served by `her2-cds serve`: the
chart and tables render, and the page asks the network for nothing but itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from tests.service.report_seed import seed
from tests.support.browser import save_screenshot
from tests.support.service_process import running_services

pytestmark = pytest.mark.integration


def test_the_report_page_renders_in_chromium(tmp_path: Path, browser: Any) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    engine = create_engine(url)
    seed(engine, url)
    engine.dispose()
    env = {"HER2CDS_DATABASE_URL": url, "HER2CDS_REPORT_PAGE": "true"}
    with running_services(env, workers=1) as urls:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        requested: list[str] = []
        context.on("request", lambda r: requested.append(r.url))
        page = context.new_page()
        target = f"{urls[0]}/report?since=2026-11-01&until=2026-11-30"
        response = page.goto(target)
        assert response is not None and response.status == 200
        chart = page.locator("#override-chart")
        assert chart.is_visible()
        bars = chart.locator("rect.bar")
        assert bars.count() == 4
        box = bars.first.bounding_box()
        assert box is not None and box["width"] == pytest.approx(300, abs=1)  # C3: 75% of 400
        assert page.locator("#rules tr").count() == 5  # header + four rules
        first = page.locator("#rules tr").nth(1).locator("td").all_inner_texts()
        assert first[:7] == ["C3", "warning", "4", "1", "3", "0", "75%"]
        assert page.locator("#weeks tr").count() == 3
        assert "10 cards shown" in page.locator("#summary").inner_text()
        save_screenshot(page, "override-report")
        page.get_by_label("From").fill("2026-11-09")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**/report?since=2026-11-09*")
        assert "5 cards shown from 2026-11-09" in page.locator("#summary").inner_text()
        assert {r.split("?")[0] for r in requested} == {f"{urls[0]}/report"}
        context.close()
