"""Performance, fairness and override figures on German credit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from finduo.datasets.german import load_german
from finduo.errors import DataError
from finduo.monitoring import (
    HIGH_SIDE_CAVEAT,
    age_group,
    band_table,
    calibration_table,
    discrimination,
    fairness_report,
    override_analysis,
    reviewer_agreement,
    vintage_curves,
)


@pytest.fixture(scope="module")
def german() -> pd.DataFrame:
    df = load_german()
    # A simple risk index standing in for a model's pd.
    risk = (
        (df["checking_account"] == "no checking account").astype(float) * 0.25
        + (df["duration_months"] / 72) * 0.3
        + (df["credit_history"] == "delays in the past").astype(float) * 0.2
        + 0.05
    )
    df["pd"] = risk.clip(0.01, 0.95)
    return df


def test_discrimination_matches_sklearn_and_gini_is_2auc_minus_1(
    german: pd.DataFrame,
) -> None:
    res = discrimination(german["bad"], german["pd"])

    assert res["auc"] == pytest.approx(roc_auc_score(german["bad"], german["pd"]))
    assert res["gini"] == pytest.approx(2 * res["auc"] - 1)
    assert 0 < res["ks"] < 1
    assert res["n"] == 1000 and res["n_bad"] == 300


def test_discrimination_single_class_gives_none() -> None:
    res = discrimination(np.zeros(5), np.linspace(0.1, 0.5, 5))

    assert res["auc"] is None and res["n_bad"] == 0


def test_band_and_calibration_tables_cover_every_row(german: pd.DataFrame) -> None:
    band = np.where(german["pd"] < 0.2, "A", np.where(german["pd"] < 0.4, "B", "C"))

    bands = band_table(german["bad"], german["pd"], band)
    calib = calibration_table(german["bad"], german["pd"], n_bins=5)

    assert bands["n"].sum() == 1000
    assert list(bands["band"]) == ["A", "B", "C"]
    assert bands["bad_rate"].is_monotonic_increasing
    assert calib["n"].sum() == 1000


def test_label_outside_zero_one_is_named() -> None:
    with pytest.raises(DataError, match="position 1 must be 0 or 1; got 2"):
        discrimination(np.array([0, 2]), np.array([0.1, 0.2]))


def test_fairness_shows_group_sizes_and_flags_low_ratio(german: pd.DataFrame) -> None:
    approved = (german["pd"] < 0.3).to_numpy().astype(int)
    groups = pd.DataFrame(
        {
            "age_group": age_group(german["age_years"]),
            "foreign_worker": german["foreign_worker"].astype(str),
        }
    )

    table = fairness_report(approved, groups, bad=german["bad"].to_numpy(float))

    fw = table[table["grouping"] == "foreign_worker"].set_index("group")
    assert fw.loc["yes", "n"] == (german["foreign_worker"] == "yes").sum()
    assert fw["n"].sum() == 1000
    ratio = fw["approval_rate"].min() / fw["approval_rate"].max()
    assert fw["approval_ratio"].min() == pytest.approx(ratio)
    assert (table["flag"] == (table["approval_ratio"] < 0.8)).all()
    ages = table[table["grouping"] == "age_group"]
    assert set(ages["group"]) == {"< 25", "25 to 34", "35 to 49", "50 +"}
    assert ages["n_matured"].sum() == 1000


def test_override_analysis_keeps_high_side_outcome_unknown() -> None:
    resolved = pd.DataFrame(
        {
            "recommendation": ["decline", "decline", "approve", "approve", "approve"],
            "resolution": ["approve", "approve", "decline", "approve", "approve"],
            "pd": [0.3, 0.4, 0.1, 0.05, 0.08],
            "bad": [1.0, 0.0, 0.0, 0.0, np.nan],
            "reviewer": ["ann", "bob", "ann", "bob", "bob"],
        }
    )

    res = override_analysis(resolved)
    agree = reviewer_agreement(resolved).set_index("reviewer")

    assert res["low_side"]["n"] == 2 and res["low_side"]["bad_rate"] == 0.5
    assert res["high_side"]["n"] == 1 and res["high_side"]["bad_rate"] is None
    assert res["caveat"] == HIGH_SIDE_CAVEAT
    assert agree.loc["ann", "agreement"] == 0.0
    assert agree.loc["all reviewers", "n"] == 5


def test_vintage_curve_counts_only_months_on_book() -> None:
    decided = pd.to_datetime(["2026-01-05", "2026-01-20", "2026-06-01"])
    bad_at = pd.to_datetime(["2026-03-10", None, None])

    curves = vintage_curves(decided, bad_at, pd.Timestamp("2026-08-01"), 12)

    assert curves.loc["2026-01", 1] == 0.0
    assert curves.loc["2026-01", 3] == 0.5
    assert np.isnan(curves.loc["2026-01", 7])
    assert curves.loc["2026-06", 1] == 0.0
    assert np.isnan(curves.loc["2026-06", 3])
