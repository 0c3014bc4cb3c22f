"""Invoice lateness evaluated by time, beside "late before, late again"."""

from __future__ import annotations

import pandas as pd

from finduo.behaviour.lateness import evaluate_lateness, time_split


def test_time_split_trains_only_on_outcomes_known_at_the_cutoff(
    invoice_frame: pd.DataFrame,
) -> None:
    cutoff, train, test, dropped = time_split(invoice_frame, 0.7)

    trained = invoice_frame.iloc[train]
    tested = invoice_frame.iloc[test]
    assert (trained["invoice_date"] < cutoff).all()
    assert (trained["settled_date"] < cutoff).all()
    assert (tested["invoice_date"] >= cutoff).all()
    assert len(train) + len(test) + dropped == len(invoice_frame)
    assert dropped > 0


def test_lateness_model_beats_the_naive_rule_on_later_invoices(
    invoice_frame: pd.DataFrame,
) -> None:
    report = evaluate_lateness(invoice_frame)

    model = report["models"]["lightgbm"]
    naive = report["models"]["late_before_late_again"]
    assert report["split"]["test"] > 500
    assert model["auc"] > naive["auc"]
    assert model["brier"] < naive["brier"]
