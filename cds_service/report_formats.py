"""The override report as Markdown, CSV or JSON (the page is cds_service/report_page.py)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cds_service.report import OverrideReport, Tally, percent, reason_text

FORMATS = ("markdown", "csv", "json")


def _period(report: OverrideReport) -> str:
    since = report.since.isoformat() if report.since else "the first call recorded"
    until = report.until.isoformat() if report.until else "today"
    return f"{since} to {until}"


def _cells(tally: Tally) -> list[str]:
    return [str(tally.shown), str(tally.accepted), str(tally.overridden), str(tally.no_feedback)]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: OverrideReport) -> str:
    total = report.total
    lines = [
        "# HER2 CDS override report",
        "",
        f"Cards shown from {_period(report)}: {total.shown}; with feedback: {total.answered}; "
        f"override rate {percent(total.override_rate)} (of cards with feedback).",
        "",
        "## By rule, highest override rate first",
        "",
        "| Rule | Indicator | Shown | Accepted | Overridden | No feedback | Override rate "
        "| Override reasons |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report.rules:
        cells = [row.rule, row.indicator, *_cells(row.tally), percent(row.tally.override_rate)]
        cells.append(reason_text(report, row.tally.reasons))
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    lines += [
        "",
        "## Acceptance by week",
        "",
        "| Week of | Shown | Accepted | Overridden | No feedback | Acceptance rate |",
        "|---|---|---|---|---|---|",
    ]
    for week in report.weeks:
        cells = [week.week_of.isoformat(), *_cells(week.tally)]
        lines.append("| " + " | ".join([*cells, percent(week.tally.acceptance_rate)]) + " |")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "section",
    "rule",
    "indicator",
    "week_of",
    "shown",
    "accepted",
    "overridden",
    "no_feedback",
    "override_rate",
    "acceptance_rate",
    "override_reasons",
)


def _rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"


def to_csv(report: OverrideReport) -> str:
    """One table: `section` is `rule` (per rule and indicator) or `week` (the trend)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rules:
        t = row.tally
        rates = (_rate(t.override_rate), _rate(t.acceptance_rate))
        reasons = reason_text(report, t.reasons)
        writer.writerow(["rule", row.rule, row.indicator, "", *_cells(t), *rates, reasons])
    for week in report.weeks:
        t = week.tally
        rates = (_rate(t.override_rate), _rate(t.acceptance_rate))
        writer.writerow(["week", "", "", week.week_of.isoformat(), *_cells(t), *rates, ""])
    return out.getvalue()


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "shown": tally.shown,
        "accepted": tally.accepted,
        "overridden": tally.overridden,
        "noFeedback": tally.no_feedback,
        "overrideRate": tally.override_rate,
        "acceptanceRate": tally.acceptance_rate,
    }


def to_json(report: OverrideReport) -> str:
    document = {
        "since": report.since.isoformat() if report.since else None,
        "until": report.until.isoformat() if report.until else None,
        "total": _tally(report.total),
        "rules": [
            {
                "rule": row.rule,
                "indicator": row.indicator,
                **_tally(row.tally),
                "overrideReasons": [
                    {"code": code, "display": report.reason_names.get(code), "count": n}
                    for code, n in sorted(row.tally.reasons.items(), key=lambda i: (-i[1], i[0]))
                ],
            }
            for row in report.rules
        ],
        "weeks": [{"weekOf": w.week_of.isoformat(), **_tally(w.tally)} for w in report.weeks],
    }
    return json.dumps(document, indent=2) + "\n"


def render(report: OverrideReport, fmt: str) -> str:
    return {"markdown": to_markdown, "csv": to_csv, "json": to_json}[fmt](report)
