"""Queue order: the case's own priority raised by the time it has waited.

A referral's base priority is set when it is opened: amount at risk × the
uncertainty of its pd, ``pd × (1 − pd)`` (see the engine). Waiting raises it
linearly: a case that has waited one day counts twice, two days three times,
so that no case starves behind newer large ones.
"""

from __future__ import annotations

from datetime import UTC, datetime

WAIT_DOUBLING_HOURS = 24.0
# Contests (GDPR Art. 22(3)) go to the top: a person must answer them.
CONTEST_PRIORITY = 1e9


def waited_hours(created_at: datetime, now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    return max((now - created_at).total_seconds() / 3600.0, 0.0)


def effective_priority(base: float, hours: float) -> float:
    """``base × (1 + hours / 24)``: doubles after a day of waiting."""
    return base * (1.0 + hours / WAIT_DOUBLING_HOURS)


__all__ = [
    "CONTEST_PRIORITY",
    "WAIT_DOUBLING_HOURS",
    "effective_priority",
    "waited_hours",
]
