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
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pandas as pd

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


def decisions_since(store: Any, since: datetime) -> pd.DataFrame:
    """Id, time and outcome of every decision since ``since`` (column-wise read)."""
    from finduo.store.analytics import decision_frame

    return decision_frame(
        store,
        since=since,
        with_flags=False,
        columns=("decision_id", "created_at", "outcome"),
        ordered=False,
    )


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
    decisions: pd.DataFrame, resolutions: list[ResolutionFact], since: datetime
) -> PeriodStats:
    chosen = decisions[decisions["created_at"] >= since]
    outcome = chosen["outcome"]
    automatic = int((outcome != "refer").sum())
    approved = int((outcome == "approve").sum())
    final = automatic
    # A referral's final outcome is its resolution (the first, from the audit).
    resolved_here: dict[str, str] = {}
    for r in resolutions:
        if r.decision_id and r.decision_id not in resolved_here:
            resolved_here[r.decision_id] = r.outcome
    referred_ids = chosen.loc[outcome == "refer", "decision_id"]
    for decision_id in referred_ids:
        final_outcome = resolved_here.get(str(decision_id))
        if final_outcome is not None:
            final += 1
            approved += final_outcome == "approve"
    in_period = [r for r in resolutions if r.ts >= since]
    return PeriodStats(
        volume=len(chosen),
        automatic=automatic,
        referred=len(chosen) - automatic,
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
    decisions: pd.DataFrame, days: int, today: date
) -> dict[str, list[int]]:
    """Decisions per day and outcome over the last ``days`` days (oldest first)."""
    first = today - timedelta(days=days - 1)
    out = {o: [0] * days for o in ("approve", "refer", "decline")}
    if decisions.empty:
        return out
    day = decisions["created_at"].dt.tz_convert(UTC).dt.date
    counts = decisions.groupby([day, decisions["outcome"]]).size()
    for key, n in counts.items():
        when, outcome = cast(tuple[date, str], key)
        i = (when - first).days
        if 0 <= i < days and outcome in out:
            out[outcome][i] += int(n)
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
