"""The override report as an HTML page with a bar chart of override rates drawn as inline SVG
on the server: no script, no stylesheet or font from the network."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from cds_service.report import OverrideReport, percent, reason_text

CHART_WIDTH = 720
LABEL_WIDTH = 230
BAR_AREA = 400
ROW_HEIGHT = 28
TOP = 30
COLOURS = {"critical": "#b3261e", "warning": "#c26a00", "info": "#1f5fa8"}

# The page loads nothing and runs nothing; the form submits to this page only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: int
    colour: str
    value: str  # "75% of 4 answered" or "no feedback"


def chart(report: OverrideReport) -> tuple[list[Bar], int]:
    """One bar per rule and indicator, in the report's order; the SVG's height."""
    bars = []
    for n, row in enumerate(report.rules):
        rate = row.tally.override_rate
        bars.append(
            Bar(
                label=f"{row.rule} ({row.indicator})",
                y=TOP + n * ROW_HEIGHT,
                width=0 if rate is None else max(1, round(rate * BAR_AREA)),
                colour=COLOURS.get(row.indicator, "#555555"),
                value=(
                    "no feedback"
                    if rate is None
                    else f"{percent(rate)} of {row.tally.answered} answered"
                ),
            )
        )
    return bars, TOP + len(bars) * ROW_HEIGHT + 30


def render_page(report: OverrideReport) -> str:
    bars, height = chart(report)
    return render_template(
        "report.html",
        report=report,
        bars=bars,
        height=height,
        width=CHART_WIDTH,
        label_width=LABEL_WIDTH,
        bar_area=BAR_AREA,
        ticks=[(LABEL_WIDTH + BAR_AREA * p // 100, f"{p}%") for p in (0, 25, 50, 75, 100)],
        percent=percent,
        reasons=lambda tally: reason_text(report, tally.reasons),
    )
