"""Queue helpers of the console; the ranking itself is :mod:`finduo.review`'s."""

from __future__ import annotations

from datetime import UTC, datetime

# Contests (GDPR Art. 22(3)) go to the top: a person must answer them.
CONTEST_PRIORITY = 1e9


def waited_hours(created_at: datetime, now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    return max((now - created_at).total_seconds() / 3600.0, 0.0)


__all__ = ["CONTEST_PRIORITY", "waited_hours"]
