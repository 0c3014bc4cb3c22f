"""Reason quality on German credit: only worse-than-average attributes, monotone
ordinal characteristics, no model reason repeating a rule or a referral flag."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from finduo.datasets import german
from finduo.decisions.engine import Engine
from finduo.models import RiskModel
from finduo.models.scorecard import ORDINAL, ScorecardModel
from finduo.policy import shipped_policy
from finduo.reasons import top_reasons


def _attribute_points(card: ScorecardModel, feature: str, value: Any) -> float:
    """Points of the scorecard attribute ``value`` falls in."""
    X = card.spec.encode_frame(pd.DataFrame({n: [None] for n in card.spec.names}))
    X[0, card.spec.names.index(feature)] = card.spec.encode_row({feature: value})[
        0, card.spec.names.index(feature)
    ]
    for entry in card.table["characteristics"]:
        if entry["name"] == feature:
            break
    else:  # pragma: no cover - every German input is a characteristic
        raise AssertionError(feature)
    before = card.score_points(X)[0]
    X[0, card.spec.names.index(feature)] = np.nan
    missing = card.score_points(X)[0]
    return float(before - missing + entry["missing"]["points"])


def _mean_points(card: ScorecardModel, feature: str) -> float:
    entry = next(c for c in card.table["characteristics"] if c["name"] == feature)
    counts = np.array([b["count"] for b in entry["bins"]], dtype=float)
    points = np.array([b["points"] for b in entry["bins"]])
    return float(np.average(points, weights=counts))


def test_scorecard_reasons_never_name_a_better_than_average_attribute(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    card = trained["scorecard"]
    assert isinstance(card, ScorecardModel)
    rows = german_frame.drop(columns=[german.TARGET]).to_dict(orient="records")
    X = card.spec.encode_frame(german_frame)

    found = top_reasons(card, X, rows, k=4)

    named = 0
    for row, reasons in zip(rows, found, strict=True):
        for reason in reasons:
            points = _attribute_points(card, reason.feature, row[reason.feature])
            assert points < _mean_points(card, reason.feature), (reason, points)
            named += 1
    assert named > 1000  # reasons are still given, just not favourable ones


def test_no_favourable_savings_or_history_reason_on_german_credit(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    rows = german_frame.drop(columns=[german.TARGET]).to_dict(orient="records")
    favourable = {
        ("savings", ">= 1000 DM"),
        ("savings", "500 to < 1000 DM"),
        ("checking_account", ">= 200 DM or salary"),
        ("credit_history", "all credits at this bank paid duly"),
    }
    for model in trained.values():
        X = model.spec.encode_frame(german_frame)
        for reasons in top_reasons(model, X, rows, k=4):
            for reason in reasons:
                assert (reason.feature, reason.value) not in favourable, (
                    model.kind,
                    reason,
                )


@pytest.mark.parametrize("feature", sorted(ORDINAL))
def test_ordinal_characteristics_score_monotonically(
    trained: dict[str, RiskModel], feature: str
) -> None:
    card = trained["scorecard"]
    assert isinstance(card, ScorecardModel)
    entry = next(c for c in card.table["characteristics"] if c["name"] == feature)
    assert entry.get("ordinal") is True
    points = [_attribute_points(card, feature, value) for value in ORDINAL[feature]]
    steps = np.diff(points)
    # One direction throughout (the data's), never a reversal.
    assert (steps >= -1e-9).all() or (steps <= 1e-9).all(), points
    if feature == "savings":
        assert points[-1] >= points[-2] > points[0]


def test_rule_field_and_flagged_inputs_are_not_model_reasons(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    rows = german_frame.drop(columns=[german.TARGET]).to_dict(orient="records")
    for kind, model in trained.items():
        policy = shipped_policy()
        engine = Engine(model, policy)
        rules = {rule.id: rule for rule in policy.policy.rules}
        # The riskiest applicants: age is among their model reasons unaltered.
        pd_ = model.predict_pd(model.spec.encode_frame(german_frame))
        young = [rows[i] for i in np.argsort(-pd_) if rows[i]["age_years"] < 25][:20]
        for row in young:
            minor = engine.decide({**row, "age_years": 16})
            assert "R01_UNDERAGE" in minor.rules_fired
            age = [r for r in minor.reasons if r.feature == "age_years"]
            assert [r.code for r in age] == ["AGE_UNDER_18"], (kind, minor.reasons)
            for rule_id in minor.rules_fired:
                field = rules[rule_id].field
                on_field = [r for r in minor.reasons if r.feature == field]
                assert all(r.contribution == 0.0 for r in on_field), on_field

            unseen = engine.decide({**row, "purpose": "Möbel für Küche"})
            assert any("Möbel für Küche" in r for r in unseen.referral_reasons)
            assert all(r.feature != "purpose" for r in unseen.reasons), (
                kind,
                unseen.reasons,
            )


def test_exclude_is_per_row_in_the_batch_form(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    model = trained["scorecard"]
    rows = german_frame.drop(columns=[german.TARGET]).to_dict(orient="records")[:50]
    X = model.spec.encode_frame(german_frame.iloc[:50])
    plain = top_reasons(model, X, rows, k=4)
    top = [r[0].feature if r else None for r in plain]

    skipped = top_reasons(
        model, X, rows, k=4, exclude=[{f} if f else set() for f in top]
    )

    for feature, reasons in zip(top, skipped, strict=True):
        assert feature is None or all(r.feature != feature for r in reasons)
    with pytest.raises(ValueError, match="exclude names 1 rows"):
        top_reasons(model, X, rows, exclude=[set()])
