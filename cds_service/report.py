"""The CDS committee's override report: for each rule and indicator, the cards shown and what
the clinicians did with them (accepted, overridden and why, no feedback), the weekly
acceptance trend, the rules overridden most often first.

Built from the audit trail joined to feedback (cds_service.audit). A card's outcome is its
latest feedback (by outcomeTimestamp); a card nobody answered is "no feedback". Rates are
over the cards that got feedback: an EHR that sends none says nothing about the card.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from cds_service.audit import CardShown, HookCall
from cds_service.feedback_store import FeedbackRecord

NO_REASON = "(no reason given)"


class ReportUnavailable(Exception):
    """The database holds no audit trail (not migrated yet)."""


@dataclass
class Tally:
    shown: int = 0
    accepted: int = 0
    overridden: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def no_feedback(self) -> int:
        return self.shown - self.accepted - self.overridden

    @property
    def answered(self) -> int:
        return self.accepted + self.overridden

    @property
    def override_rate(self) -> float | None:
        return self.overridden / self.answered if self.answered else None

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.answered if self.answered else None

    def add(self, outcome: str | None, reason: str | None) -> None:
        self.shown += 1
        if outcome == "accepted":
            self.accepted += 1
        elif outcome == "overridden":
            self.overridden += 1
            self.reasons[reason or NO_REASON] += 1


@dataclass(frozen=True)
class RuleRow:
    rule: str
    indicator: str
    tally: Tally


@dataclass(frozen=True)
class WeekRow:
    week_of: date  # the Monday
    tally: Tally


@dataclass(frozen=True)
class OverrideReport:
    since: date | None
    until: date | None
    rules: list[RuleRow]
    weeks: list[WeekRow]
    total: Tally
    reason_names: Mapping[str, str]  # code -> display, where a client sent one


@dataclass(frozen=True)
class _Card:
    uuid: str
    rule: str
    indicator: str
    called_at: datetime


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cards(engine: Engine, since: date | None, until: date | None) -> list[_Card]:
    query = select(
        CardShown.card_uuid, CardShown.rule_id, CardShown.indicator, HookCall.called_at
    ).join(HookCall, HookCall.id == CardShown.call_id)
    if since is not None:
        query = query.where(HookCall.called_at >= datetime.combine(since, time(), UTC))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        query = query.where(HookCall.called_at < end)
    with engine.connect() as connection:
        return [_Card(u, r, i, _utc(t)) for u, r, i, t in connection.execute(query)]


def _latest_feedback(engine: Engine, uuids: Iterable[str]) -> dict[str, Any]:
    """card uuid -> its latest feedback row (outcome, code, display)."""
    wanted = list(uuids)
    latest: dict[str, Any] = {}
    with engine.connect() as connection:
        for start in range(0, len(wanted), 500):  # bounded IN lists
            query = (
                select(
                    FeedbackRecord.card_uuid,
                    FeedbackRecord.outcome,
                    FeedbackRecord.override_code,
                    FeedbackRecord.override_display,
                )
                .where(FeedbackRecord.card_uuid.in_(wanted[start : start + 500]))
                .order_by(FeedbackRecord.outcome_timestamp, FeedbackRecord.id)
            )
            for row in connection.execute(query):
                latest[row.card_uuid] = row
    return latest


def _every_week(weeks: Iterable[date]) -> list[date]:
    """From the first week to the last, weeks without cards included (a silent week shows)."""
    known = sorted(weeks)
    if not known:
        return []
    count = (known[-1] - known[0]).days // 7 + 1
    return [known[0] + timedelta(weeks=n) for n in range(count)]


def build_report(engine: Engine, *, since: date | None, until: date | None) -> OverrideReport:
    if not {"cds_hook_call", "cds_card_shown"} <= set(inspect(engine).get_table_names()):
        raise ReportUnavailable("the database has no audit trail yet (run her2-cds migrate)")
    cards = _cards(engine, since, until)
    feedback = _latest_feedback(engine, (c.uuid for c in cards))
    by_rule: dict[tuple[str, str], Tally] = defaultdict(Tally)
    by_week: dict[date, Tally] = defaultdict(Tally)
    total = Tally()
    names: dict[str, str] = {}
    for card in cards:
        row = feedback.get(card.uuid)
        outcome = row.outcome if row else None
        reason = row.override_code if row else None
        if row and row.override_code and row.override_display:
            names.setdefault(row.override_code, row.override_display)
        day = card.called_at.date()
        for tally in (
            by_rule[(card.rule, card.indicator)],
            by_week[day - timedelta(days=day.weekday())],
            total,
        ):
            tally.add(outcome, reason)
    rules = sorted(
        (RuleRow(rule, indicator, tally) for (rule, indicator), tally in by_rule.items()),
        key=lambda r: (
            r.tally.override_rate is None,
            -(r.tally.override_rate or 0.0),
            -r.tally.overridden,
            -r.tally.shown,
            r.rule,
            r.indicator,
        ),
    )
    weeks = [WeekRow(week, by_week[week]) for week in _every_week(by_week)]
    return OverrideReport(since, until, rules, weeks, total, names)


def parse_day(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD date, or ValueError with the one-line message to print."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} must be a date (YYYY-MM-DD), not {text!r}") from None


def report_period(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    start, end = parse_day(since, "--since"), parse_day(until, "--until")
    if start is not None and end is not None and start > end:
        raise ValueError("--since must not be after --until")
    return start, end


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def reason_text(report: OverrideReport, reasons: Counter[str]) -> str:
    """'Cardio-oncology reviewed (cardio-ok): 3; other: 1', most frequent first."""
    parts = []
    for code, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        display = report.reason_names.get(code)
        parts.append(f"{display} ({code}): {count}" if display else f"{code}: {count}")
    return "; ".join(parts)
