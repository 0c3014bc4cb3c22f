"""Figures of the overview: volume, straight-through, referral, approval and
override rates for a period, override rates per reviewer and reason code, and
the queue's age.

Definitions (per decision made in the period):

* straight-through rate: decided without a person (approve or decline);
* referral rate: referred to a person;
* approval rate: approved in the end, by the machine or by a reviewer, among
  decisions that are final (automatic ones and resolved referrals);
* override rate: resolutions in the period that differ from the machine's
  recommendation, among all resolutions in the period.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from finduo.console.queueing import waited_hours
from finduo.store.records import CaseFilter


@dataclass(frozen=True)
class ResolutionFact:
    """What the overview needs of one resolution (read from its audit event)."""

    ts: datetime
    reviewer: str
    reason_code: str
    outcome: str
    is_override: bool
    decision_id: str | None


@dataclass(frozen=True)
class PeriodStats:
    volume: int
    automatic: int
    referred: int
    approved_final: int
    final: int
    resolved: int
    overrides: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def straight_through_rate(self) -> float | None:
        return self._rate(self.automatic, self.volume)

    @property
    def referral_rate(self) -> float | None:
        return self._rate(self.referred, self.volume)

    @property
    def approval_rate(self) -> float | None:
        return self._rate(self.approved_final, self.final)

    @property
    def override_rate(self) -> float | None:
        return self._rate(self.overrides, self.resolved)


@dataclass(frozen=True)
class GroupRate:
    key: str
    resolved: int
    overrides: int

    @property
    def rate(self) -> float | None:
        return self.overrides / self.resolved if self.resolved else None


def decisions_since(store: Any, since: datetime) -> list[Any]:
    out: list[Any] = []
    while True:
        page = store.list_decisions(since=since, limit=1000, offset=len(out))
        out.extend(page)
        if len(page) < 1000:
            return out


def resolutions_since(store: Any, since: datetime) -> list[ResolutionFact]:
    """Resolutions from their audit events (one query, no personal data)."""
    facts = []
    for event in store.audit_events(subject_type="case", limit=1_000_000):
        if event.action != "case.resolved" or event.ts < since:
            continue
        body = event.payload
        facts.append(
            ResolutionFact(
                ts=event.ts,
                reviewer=event.actor,
                reason_code=str(body.get("reason_code")),
                outcome=str(body.get("outcome")),
                is_override=bool(body.get("is_override")),
                decision_id=body.get("decision_id"),
            )
        )
    return facts


def period_stats(
    decisions: Iterable[Any], resolutions: list[ResolutionFact], since: datetime
) -> PeriodStats:
    chosen = [d for d in decisions if d.created_at >= since]
    resolved_here = {r.decision_id: r for r in resolutions if r.decision_id}
    automatic = sum(1 for d in chosen if d.outcome != "refer")
    referred = len(chosen) - automatic
    approved = sum(1 for d in chosen if d.outcome == "approve")
    final = automatic
    for d in chosen:
        r = resolved_here.get(d.decision_id)
        if d.outcome == "refer" and r is not None:
            final += 1
            approved += r.outcome == "approve"
    in_period = [r for r in resolutions if r.ts >= since]
    return PeriodStats(
        volume=len(chosen),
        automatic=automatic,
        referred=referred,
        approved_final=approved,
        final=final,
        resolved=len(in_period),
        overrides=sum(r.is_override for r in in_period),
    )


def grouped(resolutions: list[ResolutionFact], key: str) -> list[GroupRate]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in resolutions:
        slot = counts[getattr(r, key)]
        slot[0] += 1
        slot[1] += r.is_override
    return sorted(
        (GroupRate(k, v[0], v[1]) for k, v in counts.items()),
        key=lambda g: (-g.resolved, g.key),
    )


def daily_counts(
    decisions: Iterable[Any], days: int, today: date
) -> dict[str, list[int]]:
    """Decisions per day and outcome over the last ``days`` days (oldest first)."""
    first = today - timedelta(days=days - 1)
    out = {o: [0] * days for o in ("approve", "refer", "decline")}
    for d in decisions:
        i = (d.created_at.astimezone(UTC).date() - first).days
        if 0 <= i < days and d.outcome in out:
            out[d.outcome][i] += 1
    return out


@dataclass(frozen=True)
class QueueAge:
    open: int
    median_hours: float
    max_hours: float


def queue_age(store: Any) -> QueueAge:
    cases = store.list_cases(CaseFilter(status="open", limit=100_000))
    hours = [waited_hours(c.created_at) for c in cases]
    if not hours:
        return QueueAge(0, 0.0, 0.0)
    return QueueAge(len(hours), statistics.median(hours), max(hours))


__all__ = [
    "GroupRate",
    "PeriodStats",
    "QueueAge",
    "ResolutionFact",
    "daily_counts",
    "decisions_since",
    "grouped",
    "period_stats",
    "queue_age",
    "resolutions_since",
]
