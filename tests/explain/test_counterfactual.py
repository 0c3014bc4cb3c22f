"""Counterfactuals on German credit: each suggestion, applied, flips the decision."""

from __future__ import annotations

import pytest

from finduo.decisions.engine import Engine
from finduo.explain import (
    GERMAN_CREDIT_ACTIONABLE,
    candidates,
    counterfactuals,
    is_approval,
)


@pytest.fixture(scope="module")
def not_approved(engine, applications):
    """Held-out applications the engine refers or declines (not for QC only)."""
    out = []
    for app in applications:
        decision = engine.decide(app)
        if not is_approval(decision):
            out.append((app, decision))
    assert len(out) >= 10, "German credit has many non-approved applications"
    return out


@pytest.fixture(scope="module")
def found(engine, not_approved):
    """Counterfactuals of the first 25 non-approved applications (searched once)."""
    return [(app, counterfactuals(engine.decide, app)) for app, _ in not_approved[:25]]


def test_every_counterfactual_really_flips_the_decision(trained, found):
    fresh = Engine(trained.model, trained.policy)  # an independent re-decision
    checked = 0
    for app, cfs in found:
        for cf in cfs:
            decision = fresh.decide(cf.apply(app))

            assert is_approval(decision), (cf.changes, decision.outcome)
            assert cf.decision.outcome == decision.outcome
            checked += 1
    assert checked >= 5


def test_most_declined_or_referred_applications_get_a_counterfactual(found):
    with_one = sum(1 for _, cfs in found if cfs)

    assert with_one >= len(found) // 2


def test_changes_are_actionable_and_in_the_allowed_direction(found):
    for _, cfs in found:
        for cf in cfs:
            for change in cf.changes:
                assert change.feature in {a.feature for a in GERMAN_CREDIT_ACTIONABLE}
                if change.feature in ("credit_amount", "duration_months"):
                    assert change.new < change.old
                elif change.feature == "other_debtors":
                    assert change.new in ("guarantor", "co-applicant")
                elif change.feature == "savings":
                    order = next(
                        a.options
                        for a in GERMAN_CREDIT_ACTIONABLE
                        if a.feature == "savings"
                    )
                    assert order.index(change.new) > order.index(change.old)


def test_a_single_change_is_the_cheapest_on_its_grid(engine, not_approved):
    """For a one-input suggestion, every cheaper change of that input fails."""
    seen = 0
    for app, _ in not_approved[:25]:
        for cf in counterfactuals(engine.decide, app, max_changes=1):
            (change,) = cf.changes
            action = next(
                a for a in GERMAN_CREDIT_ACTIONABLE if a.feature == change.feature
            )
            cheaper = [c for c in candidates(action, app) if c.cost < change.cost]
            for c in cheaper:
                assert not is_approval(engine.decide(dict(app, **{c.feature: c.new})))
            seen += 1
    assert seen >= 3


def test_counterfactuals_are_cheapest_first_and_limited(found):
    for _, cfs in found:
        assert len(cfs) <= 3
        costs = [cf.cost for cf in cfs]
        assert costs == sorted(costs)
        changed = [tuple(sorted(c.feature for c in cf.changes)) for cf in cfs]
        assert len(set(changed)) == len(changed)


def test_an_approved_application_needs_no_change(engine, applications):
    approved = next(a for a in applications if engine.decide(a).outcome == "approve")
    changes = counterfactuals(engine.decide, approved)

    # Every suggestion would be approved too; the console shows none for it.
    assert all(is_approval(cf.decision) for cf in changes)
