"""Behavioural features from statements: values by hand, layouts agree, no leakage."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from finduo.behaviour.statements import (
    FEATURES,
    features_frame,
    panel_from_long,
    panel_from_wide,
)
from finduo.datasets import taiwan
from finduo.errors import RowError

# Customers 1, 2 and 3 of UCI_Credit_Card.csv, read off the file by hand:
#   1: limit 20000, status 2 2 -1 -1 -2 -2, bills 3913 3102 689 0 0 0,
#      paid 0 689 0 0 0 0
#   2: limit 120000, status -1 2 0 0 0 2, bills 2682 1725 2682 3272 3455 3261,
#      paid 0 1000 1000 1000 0 2000
#   3: limit 90000, status 0 x6, bills 29239 14027 13559 14331 14948 15549,
#      paid 1518 1500 1000 1000 1000 5000
BY_HAND = {
    "1": {
        "limit_bal": 20000,
        "status_cur": 2,
        "delinq_cur": 2,
        "delinq_worst_3": 2,
        "delinq_months_3": 2,
        "delinq_months_6": 2,
        "delinq_trend": 4 / 3,
        "months_since_delinq": 0,
        "paid_full_status_6": 2,
        "no_use_months_6": 2,
        "revolving_months_6": 0,
        "util_cur": 3913 / 20000,
        "util_mean_6": (3913 + 3102 + 689) / 6 / 20000,
        "util_trend": (3913 + 3102 + 689) / 3 / 20000,
        "pay_ratio_last": 0.0,
        "pay_ratio_mean": 689 / (3102 + 689),
        "full_payments": 1,
        "min_payments": 0,
        "missed_payments": 1,
        "unpaid_last": 3102 / 20000,
        "bill_growth": 3913 / 20000,
        "paid_to_limit": 689 / 20000,
        "balance_cur": 3913,
        "available_credit": 20000 - 3913,
        "paid_last": 0,
        "paid_mean_3": 689 / 3,
        "unpaid_last_amt": 3102,
        "util_m2": 3102 / 20000,
        "util_m4": 0.0,
        "pay_ratio_m1": 0.0,
        "pay_ratio_m2": 689 / 689,
    },
    "2": {
        "delinq_cur": 0,
        "status_cur": -1,
        "delinq_worst_3": 2,
        "delinq_worst_6": 2,
        "delinq_months_3": 1,
        "delinq_months_6": 2,
        "delinq_trend": 0.0,
        "months_since_delinq": 1,
        "revolving_months_6": 3,
        "util_max_6": 3455 / 120000,
        "util_trend": ((2682 + 1725 + 2682) - (3272 + 3455 + 3261)) / 3 / 120000,
        "pay_ratio_mean": 3000 / (1725 + 2682 + 3272 + 3455 + 3261),
        "full_payments": 0,
        "min_payments": 3,
        "missed_payments": 2,
        "bill_growth": (2682 - 3261) / 120000,
        "paid_to_limit": 5000 / 120000,
        "balance_cur": 2682,
        "available_credit": 120000 - 2682,
        "paid_mean_3": 2000 / 3,
        "unpaid_last_amt": 1725,
        "util_m6": 3261 / 120000,
        "pay_ratio_m2": 1000 / 2682,
        "pay_ratio_m5": 0 / 3261,
    },
    "3": {
        "delinq_worst_6": 0,
        "delinq_months_6": 0,
        "months_since_delinq": 6,
        "revolving_months_6": 6,
        "pay_ratio_last": 1518 / 14027,
        "full_payments": 0,
        "min_payments": 5,
        "missed_payments": 0,
        "util_cur": 29239 / 90000,
        "balance_cur": 29239,
        "available_credit": 90000 - 29239,
        "paid_last": 1518,
        "paid_mean_3": (1518 + 1500 + 1000) / 3,
        "unpaid_last_amt": 14027 - 1518,
        "util_m3": 13559 / 90000,
        "pay_ratio_m4": 1000 / 14948,
    },
}


@pytest.fixture(scope="module")
def wide_features(taiwan_wide: pd.DataFrame) -> pd.DataFrame:
    return features_frame(panel_from_wide(taiwan_wide))


@pytest.mark.parametrize("customer", sorted(BY_HAND))
def test_features_of_real_customers_match_hand_computation(
    wide_features: pd.DataFrame, customer: str
) -> None:
    row = wide_features.loc[customer]

    for name, expected in BY_HAND[customer].items():
        assert row[name] == pytest.approx(expected, rel=1e-12), name


def test_long_layout_gives_the_same_features_as_the_wide(
    taiwan_wide: pd.DataFrame, wide_features: pd.DataFrame
) -> None:
    sample = taiwan_wide.sample(500, random_state=0)
    long = taiwan.to_long(sample).sample(frac=1.0, random_state=1)

    from_long = features_frame(panel_from_long(long, taiwan.AS_OF))

    expected = wide_features.loc[from_long.index]
    pd.testing.assert_frame_equal(from_long, expected, check_exact=False, rtol=1e-12)


def test_a_later_statement_does_not_leak_into_the_features(
    taiwan_wide: pd.DataFrame,
) -> None:
    sample = taiwan_wide.head(50)
    long = taiwan.to_long(sample)
    later = long[long["month_end"] == pd.Timestamp("2005-09-30")].copy()
    later["month_end"] = pd.Timestamp("2005-10-31")
    later["pay_status"] = 8
    later["bill_amt"] = 10_000_000.0
    later["pay_amt"] = 0.0
    with_later = pd.concat([long, later], ignore_index=True)

    clean = features_frame(panel_from_long(long, taiwan.AS_OF))
    leaked = features_frame(panel_from_long(with_later, taiwan.AS_OF))
    in_october = features_frame(panel_from_long(with_later, date(2005, 10, 31)))

    pd.testing.assert_frame_equal(leaked, clean)
    # The constructed record is really read once the as-of date reaches it.
    assert (in_october["delinq_cur"] == 8).all()
    assert not in_october["util_cur"].equals(clean["util_cur"])


def test_an_earlier_as_of_date_sees_only_earlier_months(
    taiwan_wide: pd.DataFrame,
) -> None:
    sample = taiwan_wide.head(20)
    long = taiwan.to_long(sample)

    panel = panel_from_long(long, date(2005, 8, 15))

    # August becomes the as-of month: its status is the file's PAY_2.
    by_id = sample.set_index("customer_id").loc[panel.customer_id]
    np.testing.assert_array_equal(panel.status[:, 0], by_id["pay_status_2"])
    np.testing.assert_array_equal(panel.bill[:, 4], by_id["bill_amt_6"])
    # Only five months (Apr-Aug) exist before the window's start.
    assert np.isnan(panel.status[:, 5]).all()
    assert (features_frame(panel)["months_on_book"] == 5).all()


def test_duplicate_statement_month_is_reported_with_its_row(
    taiwan_wide: pd.DataFrame,
) -> None:
    long = taiwan.to_long(taiwan_wide.head(3))
    doubled = pd.concat([long, long.iloc[[4]]], ignore_index=True)

    with pytest.raises(RowError, match=r"row 19, field 'month_end'.*same customer"):
        panel_from_long(doubled, taiwan.AS_OF)


def test_every_feature_is_returned_in_order(wide_features: pd.DataFrame) -> None:
    assert tuple(wide_features.columns) == FEATURES
    assert wide_features.index.is_unique
