"""Invoice history features as of a date; no outcome known after it leaks in."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from finduo.behaviour.invoices import customer_features, invoice_features


@pytest.fixture(scope="module")
def one_customer(invoice_frame: pd.DataFrame) -> pd.DataFrame:
    counts = invoice_frame["customer_id"].value_counts()
    return invoice_frame[invoice_frame["customer_id"] == counts.index[0]].copy()


def test_a_late_record_settled_after_the_as_of_date_does_not_leak(
    one_customer: pd.DataFrame,
) -> None:
    as_of = date(2013, 6, 30)
    stamp = pd.Timestamp(as_of)
    clean = customer_features(one_customer, as_of)
    # A constructed invoice issued before the as-of date, settled very late
    # after it, and disputed: only "open and overdue" may be known on as_of.
    late = one_customer.iloc[[0]].copy()
    late["invoice_number"] = "CONSTRUCTED-1"
    late["invoice_date"] = stamp - pd.Timedelta(days=40)
    late["due_date"] = stamp - pd.Timedelta(days=10)
    late["settled_date"] = stamp + pd.Timedelta(days=90)
    late["days_late"] = 100
    late["disputed"] = True
    later = one_customer.iloc[[0]].copy()
    later["invoice_number"] = "CONSTRUCTED-2"
    later["invoice_date"] = stamp + pd.Timedelta(days=5)
    with_late = pd.concat([one_customer, late, later], ignore_index=True)

    leaked = customer_features(with_late, as_of)

    outcomes = [
        "inv_settled",
        "late_share",
        "days_late_mean",
        "days_late_max",
        "days_late_last",
        "days_late_trend",
        "disputed_count",
    ]
    pd.testing.assert_frame_equal(leaked[outcomes], clean[outcomes])
    assert leaked["inv_issued"].iloc[0] == clean["inv_issued"].iloc[0] + 1
    assert leaked["open_count"].iloc[0] == clean["open_count"].iloc[0] + 1
    assert leaked["overdue_count"].iloc[0] == clean["overdue_count"].iloc[0] + 1
    assert leaked["overdue_days_max"].iloc[0] >= 10
    # Once settled by the as-of date, the same record counts.
    after = customer_features(with_late, date(2013, 10, 1))
    assert after["days_late_max"].iloc[0] == 100


def test_history_of_an_invoice_uses_only_invoices_settled_before_its_issue(
    one_customer: pd.DataFrame,
) -> None:
    features = invoice_features(one_customer)

    for position in (5, 12, len(one_customer) - 1):
        row = one_customer.iloc[position]
        issued = row["invoice_date"]
        earlier = one_customer[
            (one_customer["settled_date"] <= issued)
            & (one_customer["invoice_number"] != row["invoice_number"])
        ]
        got = features.loc[row["invoice_number"]]
        assert got["inv_settled"] == len(earlier)
        if len(earlier):
            expected = earlier["days_late"].mean()
            assert got["days_late_mean"] == pytest.approx(expected)
            last = earlier.sort_values("settled_date", kind="stable").iloc[-1]
            assert got["last_late"] == float(last["days_late"] > 0)


def test_customer_features_cover_customers_with_an_invoice_by_the_date(
    invoice_frame: pd.DataFrame,
) -> None:
    early = customer_features(invoice_frame, date(2012, 1, 31))

    issued = invoice_frame[invoice_frame["invoice_date"] <= "2012-01-31"]
    assert set(early.index) == set(issued["customer_id"])
    assert np.isfinite(early["open_count"]).all()
