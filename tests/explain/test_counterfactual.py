"""Counterfactuals on German credit: each suggestion, applied, flips the decision."""

from __future__ import annotations

import pytest

from finduo.decisions.engine import Engine
from finduo.explain import Actionable, counterfactuals, is_approval


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


def test_every_counterfactual_really_flips_the_decision(trained, engine, not_approved):
    fresh = Engine(trained.model, trained.policy)  # an independent re-decision
    checked = 0
    for app, _ in not_approved[:25]:
        for cf in counterfactuals(engine.decide, app):
            decision = fresh.decide(cf.apply(app))

            assert is_approval(decision), (cf.changes, decision.outcome)
            assert cf.decision.outcome == decision.outcome
            checked += 1
    assert checked >= 5


def test_some_declined_or_referred_applications_get_a_counterfactual(
    engine, not_approved
):
    found = [counterfactuals(engine.decide, app) for app, _ in not_approved[:25]]

    assert sum(1 for f in found if f) >= 5


def test_changes_are_actionable_and_in_the_allowed_direction(engine, not_approved):
    for app, _ in not_approved[:15]:
        for cf in counterfactuals(engine.decide, app):
            for change in cf.changes:
                assert change.feature in {
                    "credit_amount",
                    "duration_months",
                    "other_debtors",
                }
                if change.feature in ("credit_amount", "duration_months"):
                    assert change.new < change.old
                else:
                    assert change.new in ("guarantor", "co-applicant")


def test_a_single_amount_change_is_the_smallest_on_its_grid(engine, not_approved):
    """The suggested amount approves; the next smaller cut on the grid does not."""
    action = Actionable("credit_amount", "lower", steps=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4))
    seen = 0
    for app, _ in not_approved[:40]:
        found = counterfactuals(engine.decide, app, [action], max_changes=1)
        if not found:
            continue
        (cf,) = found
        (change,) = cf.changes
        steps = [
            s for s in action.steps if round(app["credit_amount"] * s) > change.new
        ]
        for step in steps:
            smaller_cut = dict(app, credit_amount=round(app["credit_amount"] * step))
            assert not is_approval(engine.decide(smaller_cut))
        seen += 1
    assert seen >= 1


def test_counterfactuals_are_cheapest_first_and_limited(engine, not_approved):
    for app, _ in not_approved[:15]:
        found = counterfactuals(engine.decide, app, limit=2)

        assert len(found) <= 2
        costs = [cf.cost for cf in found]
        assert costs == sorted(costs)


def test_an_approved_application_needs_no_change(engine, applications):
    approved = next(a for a in applications if engine.decide(a).outcome == "approve")
    changes = counterfactuals(engine.decide, approved)

    # Every suggestion would be approved too; the console shows none for it.
    assert all(is_approval(cf.decision) for cf in changes)
