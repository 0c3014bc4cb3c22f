"""Summaries of decided applications against their known outcomes.

Used by ``finduo demo`` on held-out German credit rows: how many were
approved, referred and declined, what share of each group truly went bad,
and what the machine's own approve/decline choice (its recommendation)
would cost under a cost matrix, against approving or declining everyone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from finduo.decisions.model import Decision

OUTCOMES = ("approve", "refer", "decline")


@dataclass(frozen=True)
class GroupRate:
    """Count and observed bad rate of one group of decisions."""

    count: int
    bad: int

    @property
    def bad_rate(self) -> float | None:
        return self.bad / self.count if self.count else None


@dataclass(frozen=True)
class HeldOutSummary:
    """What a batch of decisions did on applications with known outcomes."""

    n: int
    by_outcome_band: dict[tuple[str, str], int]
    by_outcome: dict[str, GroupRate]
    cost_machine: float
    cost_approve_all: float
    cost_decline_all: float
    cost_bad_accepted: float
    cost_good_declined: float


def expected_cost(
    approve: Sequence[bool],
    bad: Sequence[int],
    cost_bad_accepted: float = 5.0,
    cost_good_declined: float = 1.0,
) -> float:
    """Average cost per application of approving where ``approve`` is True.

    Parameters
    ----------
    approve : sequence of bool, length n
        The choice per application.
    bad : sequence of {0, 1}, length n
        The true outcome (1 = bad).
    cost_bad_accepted, cost_good_declined : float
        The cost matrix (German credit: 5 and 1).

    Returns
    -------
    float
        Cost per application; 0.0 for no applications.
    """
    if len(approve) != len(bad):
        raise ValueError(
            f"approve and bad must have the same length; got {len(approve)} "
            f"and {len(bad)}"
        )
    if not bad:
        return 0.0
    total = sum(
        cost_bad_accepted if a and b else cost_good_declined if not a and not b else 0
        for a, b in zip(approve, bad, strict=True)
    )
    return total / len(bad)


def summarise_held_out(
    decisions: Sequence[Decision],
    truth: Mapping[str, int],
    cost_bad_accepted: float = 5.0,
    cost_good_declined: float = 1.0,
) -> HeldOutSummary:
    """Summarise ``decisions`` against ``truth`` (application id -> bad 0/1)."""
    missing = [d.application_id for d in decisions if d.application_id not in truth]
    if missing:
        raise ValueError(f"no known outcome for application(s) {missing[:5]}")
    bad = [int(truth[d.application_id]) for d in decisions]
    counts: Counter[str] = Counter(d.outcome for d in decisions)
    bads: Counter[str] = Counter(
        d.outcome for d, b in zip(decisions, bad, strict=True) if b
    )
    machine = [d.recommendation == "approve" for d in decisions]
    costs = (cost_bad_accepted, cost_good_declined)
    return HeldOutSummary(
        n=len(decisions),
        by_outcome_band=dict(Counter((d.outcome, d.band) for d in decisions)),
        by_outcome={o: GroupRate(counts[o], bads[o]) for o in OUTCOMES},
        cost_machine=expected_cost(machine, bad, *costs),
        cost_approve_all=expected_cost([True] * len(bad), bad, *costs),
        cost_decline_all=expected_cost([False] * len(bad), bad, *costs),
        cost_bad_accepted=cost_bad_accepted,
        cost_good_declined=cost_good_declined,
    )


__all__ = ["GroupRate", "HeldOutSummary", "expected_cost", "summarise_held_out"]
