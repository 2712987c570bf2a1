"""The LVEF course as a server-side SVG (no script, no network): each reading with its date
and modality, the baseline, the label withhold thresholds of the HER2 drugs given, shaded
periods of HER2-directed and anthracycline therapy, today and the next due date.

Elements carry classes and data- attributes (reading, baseline, threshold, period, next-due)
so a test can check what is drawn; every label is escaped."""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from cards import LvefCourse

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 48, 170, 34, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
COLOURS = {"her2": "#2f6fb3", "anthracycline": "#c0392b"}


def _day(when: datetime) -> str:
    return when.date().isoformat()


def _modality(text: str | None) -> str:
    if not text:
        return "method not coded"
    return text.removeprefix("by ")


class _Axes:
    def __init__(self, course: LvefCourse) -> None:
        moments = [r.when for r in course.readings] + [course.as_of]
        moments += [p.start for p in course.periods]
        if course.next_due is not None:
            moments.append(course.next_due)
        self.start = min(moments) - timedelta(days=20)
        self.end = max(moments) + timedelta(days=20)
        values = [r.percent for r in course.readings] + [t.percent for t in course.thresholds]
        self.low = max(0.0, min([*values, 40.0]) - 5)
        self.high = min(100.0, max([*values, 70.0]) + 5)

    def x(self, when: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        return LEFT + PLOT_W * (when - self.start).total_seconds() / span

    def y(self, percent: float) -> float:
        return TOP + PLOT_H * (self.high - percent) / (self.high - self.low)


def _grid(axes: _Axes) -> list[str]:
    parts = []
    tick = int(axes.low // 10 * 10) + 10
    while tick <= axes.high:
        y = axes.y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick} %</text>'
        )
        tick += 10
    month = datetime(axes.start.year, axes.start.month, 1, tzinfo=axes.start.tzinfo)
    months = []
    while month <= axes.end:
        if month >= axes.start:
            months.append(month)
        month = datetime(
            month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=month.tzinfo
        )
    step = max(1, len(months) // 8)
    for when in months[::step]:
        x = axes.x(when)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H + 4}" '
            f'stroke="#888"/><text x="{x:.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle" '
            f'font-size="11">{when:%b %Y}</text>'
        )
    return parts


def _periods(course: LvefCourse, axes: _Axes) -> list[str]:
    parts = []
    rows: dict[str, int] = {}
    for period in course.periods:
        end = period.end or course.as_of
        x1, x2 = axes.x(period.start), axes.x(max(end, period.start + timedelta(days=1)))
        row = rows.setdefault(period.drug, len(rows))
        colour = COLOURS[period.kind]
        ongoing = "ongoing" if period.end is None else _day(period.end)
        title = f"{period.drug}: {_day(period.start)} to {ongoing}"
        parts.append(
            f'<g class="period period-{period.kind}" data-drug={quoteattr(period.drug)} '
            f'data-start="{_day(period.start)}" data-end="{ongoing}">'
            f"<title>{escape(title)}</title>"
            f'<rect x="{x1:.1f}" y="{TOP}" width="{x2 - x1:.1f}" height="{PLOT_H}" '
            f'fill="{colour}" fill-opacity="0.08"/>'
            f'<rect x="{x1:.1f}" y="{TOP + PLOT_H + 22 + 4 * (row % 4)}" width="{x2 - x1:.1f}" '
            f'height="3" fill="{colour}"/>'
            f'<text x="{x1 + 3:.1f}" y="{TOP - 6 - 11 * (row % 2)}" font-size="10" '
            f'fill="{colour}">{escape(period.drug)}</text></g>'
        )
    return parts


def _lines(course: LvefCourse, axes: _Axes) -> list[str]:
    parts = []
    for t in course.thresholds:
        y = axes.y(t.percent)
        label = f"{t.drug}: withhold, {t.percent:g} %"
        parts.append(
            f'<g class="threshold" data-percent="{t.percent:g}" data-drug={quoteattr(t.drug)}>'
            f"<title>{escape(f'{t.drug} label: withhold at {t.words}')}</title>"
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b03a2e" '
            f'stroke-dasharray="5 4"/><text x="{LEFT + PLOT_W + 6}" y="{y + 4:.1f}" '
            f'font-size="10" fill="#b03a2e">{escape(label)}</text></g>'
        )
    if course.baseline is not None:
        b = course.baseline
        y = axes.y(b.percent)
        parts.append(
            f'<g class="baseline" data-percent="{b.percent:g}" data-date="{_day(b.when)}">'
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#1e8449"/>'
            f'<text x="{LEFT + PLOT_W + 6}" y="{y + 4:.1f}" font-size="10" fill="#1e8449">'
            f"baseline {b.percent:g} % ({_day(b.when)})</text></g>"
        )
    return parts


def _readings(course: LvefCourse, axes: _Axes) -> list[str]:
    points = [(axes.x(r.when), axes.y(r.percent), r) for r in course.readings]
    parts = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#333" stroke-width="1.5"/>')
    for x, y, r in points:
        modality = _modality(r.modality)
        words = f"LVEF {r.percent:g} % on {_day(r.when)}, {modality}"
        if r.preliminary:
            words += " (preliminary)"
        parts.append(
            f'<g class="reading" data-percent="{r.percent:g}" data-date="{_day(r.when)}" '
            f"data-modality={quoteattr(modality)}><title>{escape(words)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{"#fff" if r.preliminary else "#333"}"'
            f' stroke="#333"/><text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" '
            f'font-size="11">{r.percent:g} %</text><text x="{x:.1f}" y="{y + 18:.1f}" '
            f'text-anchor="middle" font-size="9" fill="#555">{escape(modality)}</text></g>'
        )
    return parts


def _marks(course: LvefCourse, axes: _Axes) -> list[str]:
    today = axes.x(course.as_of)
    parts = [
        f'<line class="today" x1="{today:.1f}" x2="{today:.1f}" y1="{TOP}" y2="{TOP + PLOT_H}" '
        f'stroke="#888" stroke-dasharray="2 3"/><text x="{today:.1f}" y="{TOP + PLOT_H + 38}" '
        'text-anchor="middle" font-size="10" fill="#666">today</text>'
    ]
    if course.next_due is not None:
        x = axes.x(course.next_due)
        overdue = course.next_due < course.as_of
        colour = "#c0392b" if overdue else "#7d3c98"
        words = f"{'overdue since' if overdue else 'next LVEF due'} {_day(course.next_due)}"
        parts.append(
            f'<g class="next-due" data-date="{_day(course.next_due)}" '
            f'data-overdue="{str(overdue).lower()}"><line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" '
            f'y2="{TOP + PLOT_H}" stroke="{colour}" stroke-width="2"/><text x="{x - 4:.1f}" '
            f'y="{TOP + 12}" text-anchor="end" font-size="11" fill="{colour}">{words}</text></g>'
        )
    return parts


def lvef_svg(course: LvefCourse, title: str) -> str:
    if not course.readings:
        body = (
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14">'
            "No LVEF on file</text>"
        )
    else:
        axes = _Axes(course)
        body = "".join(
            _periods(course, axes)
            + _grid(axes)
            + _lines(course, axes)
            + _readings(course, axes)
            + _marks(course, axes)
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label={quoteattr(title)} '
        'font-family="sans-serif">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>{body}</svg>'
    )
