"""What would have changed the outcome: counterfactuals verified by re-deciding.

For a declined or referred application we look for the smallest changes to
inputs the applicant can act on (borrow less, borrow for a shorter term, bring
a guarantor, ...) that lead to approval under the active policy. Every
candidate is decided again by the same engine that decided the original —
model and rules together — so a suggestion is only made when the engine
really approves the changed application; nothing is inferred from the model
alone.

The search is exhaustive over a small grid: first every single change, then
every pair of changes on two different inputs, ordered by cost. Costs are
relative: a numeric change costs its share of the original value (or of the
training range), a categorical step costs what :class:`Actionable` says.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from finduo.decisions import Decision
from finduo.policy.evaluate import QUALITY_SAMPLE

logger = logging.getLogger(__name__)

Decide = Callable[[Mapping[str, Any]], Decision]


@dataclass(frozen=True, slots=True)
class Actionable:
    """An input the applicant can change, and in which direction.

    ``kind="lower"``/``"higher"``: a numeric input tried at the values of
    ``steps`` (fractions of the current value for amounts, absolute values for
    durations: see ``absolute``). ``kind="choice"``: a categorical input tried
    at each of ``options`` (ordered from cheapest to dearest; each costs
    ``option_cost`` times its position + 1). ``kind="raise"``: an ordered
    categorical input (``options`` from worst to best) tried only at the
    categories above the current one, each step up costing ``option_cost``.
    """

    feature: str
    kind: Literal["lower", "higher", "choice", "raise"]
    steps: tuple[float, ...] = ()
    absolute: bool = False
    options: tuple[str, ...] = ()
    option_cost: float = 0.5
    minimum: float | None = None


# German credit: what an applicant can change before applying again.
GERMAN_CREDIT_ACTIONABLE: tuple[Actionable, ...] = (
    Actionable(
        "credit_amount",
        "lower",
        steps=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2),
        minimum=250,
    ),
    Actionable(
        "duration_months",
        "lower",
        steps=(48, 36, 30, 24, 18, 12, 9, 6),
        absolute=True,
        minimum=4,
    ),
    Actionable("other_debtors", "choice", options=("guarantor", "co-applicant")),
    # Pay off other instalment plans first.
    Actionable("other_instalment_plans", "choice", options=("none",), option_cost=0.6),
    # Have the salary paid into the checking account.
    Actionable(
        "checking_account",
        "choice",
        options=(">= 200 DM or salary",),
        option_cost=0.7,
    ),
    # Build up savings, one band at a time.
    Actionable(
        "savings",
        "raise",
        options=(
            "no savings or unknown",
            "< 100 DM",
            "100 to < 500 DM",
            "500 to < 1000 DM",
            ">= 1000 DM",
        ),
        option_cost=0.4,
    ),
)


@dataclass(frozen=True, slots=True)
class Change:
    feature: str
    old: Any
    new: Any
    cost: float


@dataclass(frozen=True, slots=True)
class Counterfactual:
    """A set of changes and the engine's decision on the changed application."""

    changes: tuple[Change, ...]
    decision: Decision
    cost: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost", sum(c.cost for c in self.changes))

    def apply(self, application: Mapping[str, Any]) -> dict[str, Any]:
        changed = dict(application)
        for change in self.changes:
            changed[change.feature] = change.new
        return changed


def candidates(action: Actionable, application: Mapping[str, Any]) -> list[Change]:
    """The changes of one input that the search tries, each with its cost."""
    if action.feature not in application:
        return []
    current = application[action.feature]
    out: list[Change] = []
    if action.kind == "choice":
        for i, option in enumerate(o for o in action.options if o != current):
            out.append(
                Change(action.feature, current, option, action.option_cost * (i + 1))
            )
        return out
    if action.kind == "raise":
        if current not in action.options:
            return out
        start = action.options.index(current)
        for rank, option in enumerate(action.options[start + 1 :], start=1):
            out.append(
                Change(action.feature, current, option, action.option_cost * rank)
            )
        return out
    try:
        value = float(current)
    except (TypeError, ValueError):
        return []
    if value == 0:
        return out
    seen: set[float] = set()
    for step in action.steps:
        new = step if action.absolute else value * step
        if isinstance(current, int) or float(current).is_integer():
            new = float(round(new))
        if action.minimum is not None and new < action.minimum:
            continue
        if action.kind == "lower" and new >= value:
            continue
        if action.kind == "higher" and new <= value:
            continue
        if new in seen:
            continue
        seen.add(new)
        typed: Any = int(new) if isinstance(current, int) else new
        out.append(
            Change(action.feature, current, typed, abs(value - new) / abs(value))
        )
    return out


def is_approval(decision: Decision) -> bool:
    """Whether the engine approves outright (a quality-control sample aside).

    A random quality-control referral is no verdict on the application, so an
    application referred only for that, with an approving recommendation,
    counts as approved.
    """
    if decision.outcome == "approve":
        return True
    return (
        decision.outcome == "refer"
        and decision.recommendation == "approve"
        and bool(decision.referral_reasons)
        and all(r == QUALITY_SAMPLE for r in decision.referral_reasons)
    )


def counterfactuals(
    decide: Decide,
    application: Mapping[str, Any],
    actionable: Sequence[Actionable] = GERMAN_CREDIT_ACTIONABLE,
    *,
    limit: int = 3,
    max_changes: int = 2,
) -> list[Counterfactual]:
    """The cheapest sets of changes that the engine approves, cheapest first.

    Parameters
    ----------
    decide : callable
        The active engine's ``decide`` (application mapping -> Decision).
    application : mapping
        The application as decided (raw inputs).
    actionable : sequence of Actionable
        Inputs the applicant can change; inputs not in the application are
        skipped.
    limit : int, default 3
        Most counterfactuals returned; at most one per set of inputs changed.
    max_changes : int, default 1 or 2
        Largest number of inputs changed together (1 or 2).

    Returns
    -------
    list of Counterfactual
        Each verified: ``decision`` is the engine's answer on the changed
        application. Empty when nothing within the grid leads to approval.
    """
    per_feature = [c for a in actionable if (c := candidates(a, application))]
    found: dict[tuple[str, ...], Counterfactual] = {}
    tried = 0

    def attempt(changes: tuple[Change, ...]) -> None:
        nonlocal tried
        key = tuple(sorted(c.feature for c in changes))
        if key in found:
            return
        # A cheaper counterfactual on a subset of these inputs makes this moot.
        if any(set(k) < set(key) for k in found):
            return
        changed = dict(application)
        for c in changes:
            changed[c.feature] = c.new
        tried += 1
        decision = decide(changed)
        if is_approval(decision):
            found[key] = Counterfactual(changes, decision)

    for options in per_feature:
        for change in sorted(options, key=lambda c: c.cost):
            before = len(found)
            attempt((change,))
            if len(found) > before:
                break
    if max_changes >= 2:
        pairs = [
            (a, b)
            for fa, fb in itertools.combinations(per_feature, 2)
            for a in fa
            for b in fb
        ]
        for a, b in sorted(pairs, key=lambda p: p[0].cost + p[1].cost):
            attempt((a, b))
    logger.debug("counterfactual search: %d candidates decided", tried)
    return sorted(found.values(), key=lambda cf: cf.cost)[:limit]


__all__ = [
    "GERMAN_CREDIT_ACTIONABLE",
    "Actionable",
    "Change",
    "Counterfactual",
    "Decide",
    "candidates",
    "counterfactuals",
    "is_approval",
]
