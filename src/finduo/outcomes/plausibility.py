"""Plausibility of an outcome against its decision, the clock and the bad definition.

An outcome is refused (never stored) when

- it is dated before the day of its decision: nothing can have happened to
  a credit before it was decided;
- it is dated after today: it has not been observed yet;
- it is ``defaulted`` with ``days_past_due`` below the bad definition's
  threshold (``FINDUO_BAD_DAYS_PAST_DUE``, default 90): the definition calls
  an account defaulted once it is that far past due, so the row contradicts
  itself. A ``defaulted`` row without ``days_past_due`` is accepted.

Dates are compared as UTC calendar days, so that an outcome given as a date
(``2026-03-01``, read as midnight UTC) on the day of its decision or today
is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from finduo.errors import RowError
from finduo.outcomes.definition import OutcomeDefinition
from finduo.store import NewOutcome


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date()


def implausible(
    outcome: NewOutcome,
    row: int,
    decided_at: datetime | None,
    *,
    today: date,
    bad_days_past_due: int,
) -> list[RowError]:
    """Every reason to refuse one outcome row; empty when it is plausible.

    ``decided_at`` is None when the decision is unknown (the row is then
    reported as unmatched, not checked against it).
    """
    problems: list[RowError] = []
    observed = _day(outcome.observed_at)
    if decided_at is not None and observed < _day(decided_at):
        problems.append(
            RowError(
                row,
                "observed_at",
                f"must not be before the day of its decision "
                f"({_day(decided_at).isoformat()}); got {observed.isoformat()}",
                outcome.observed_at.isoformat(),
            )
        )
    if observed > today:
        problems.append(
            RowError(
                row,
                "observed_at",
                f"must not be in the future (today is {today.isoformat()}, UTC); "
                f"got {observed.isoformat()}",
                outcome.observed_at.isoformat(),
            )
        )
    dpd = outcome.days_past_due
    if outcome.kind == "defaulted" and dpd is not None and dpd < bad_days_past_due:
        problems.append(
            RowError(
                row,
                "days_past_due",
                f"a 'defaulted' outcome must be at least {bad_days_past_due} days "
                f"past due (the bad definition, FINDUO_BAD_DAYS_PAST_DUE) or leave "
                f"days_past_due empty; got {dpd}",
                dpd,
            )
        )
    return problems


def check_outcomes(
    store: Any,
    outcomes: Sequence[tuple[int, NewOutcome]],
    *,
    now: datetime | None = None,
    definition: OutcomeDefinition | None = None,
) -> Mapping[int, list[RowError]]:
    """The problems of each ``(row, outcome)`` pair that has any, by row.

    The decisions are looked up in ``store`` in one read; ``now`` defaults to
    the current time, ``definition`` to the settings.
    """
    d = definition or OutcomeDefinition()
    today = _day(now or datetime.now(UTC))
    times = store.decision_times(o.decision_id for _, o in outcomes)
    found: dict[int, list[RowError]] = {}
    for row, outcome in outcomes:
        problems = implausible(
            outcome,
            row,
            times.get(outcome.decision_id),
            today=today,
            bad_days_past_due=d.bad_days_past_due,
        )
        if problems:
            found[row] = problems
    return found


__all__ = ["check_outcomes", "implausible"]
