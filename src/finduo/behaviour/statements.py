"""Behavioural features from monthly statements, as of a date.

One implementation serves every layout: statements in the long layout (a row
per customer and month) and in the wide Taiwan layout are both turned into a
:class:`StatementPanel` — arrays of shape ``(customers, months)`` whose column
0 is the as-of month and column ``j`` the ``j``-th month before it — and
:func:`statement_features` computes every feature from that panel, vectorised.

Nothing after the as-of date enters: the long layout drops statements whose
month ends after it before the panel is built, and the wide layout is by
definition a window ending in its as-of month.

Repayment status follows the reading documented in
:mod:`finduo.datasets.taiwan`: ``-2`` no consumption, ``-1`` paid in full,
``0`` revolving (minimum paid), ``k >= 1`` k months late. Only ``k >= 1``
counts as delinquent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from finduo.datasets import taiwan
from finduo.errors import DataError, RowError

WINDOW = 6
LONG_COLUMNS = (
    "customer_id",
    "month_end",
    "limit_bal",
    "pay_status",
    "bill_amt",
    "pay_amt",
)

# Feature names in the order statement_features returns them.
FEATURES: tuple[str, ...] = (
    "limit_bal",
    "months_on_book",
    "status_cur",
    "status_prev",
    "delinq_cur",
    "delinq_worst_3",
    "delinq_worst_6",
    "delinq_months_3",
    "delinq_months_6",
    "delinq_trend",
    "months_since_delinq",
    "paid_full_status_6",
    "no_use_months_6",
    "revolving_months_6",
    "util_cur",
    "util_mean_6",
    "util_max_6",
    "util_trend",
    "pay_ratio_last",
    "pay_ratio_mean",
    "full_payments",
    "min_payments",
    "missed_payments",
    "unpaid_last",
    "bill_growth",
    "paid_to_limit",
    "balance_cur",
    "available_credit",
    "paid_last",
    "paid_mean_3",
    "unpaid_last_amt",
    *(f"util_m{k}" for k in range(1, WINDOW + 1)),
    *(f"pay_ratio_m{k}" for k in range(1, WINDOW)),
)


@dataclass(frozen=True)
class StatementPanel:
    """Statements of ``n`` customers over the ``m`` months up to the as-of month.

    Attributes
    ----------
    customer_id : numpy.ndarray, shape (n,)
    as_of : datetime.date
        Column 0 of the arrays is the month containing this date.
    limit : numpy.ndarray, shape (n,)
        Credit limit in the latest month with a statement.
    status, bill, paid : numpy.ndarray, shape (n, m), float64
        Repayment status, statement balance and amount paid during the month;
        NaN where the customer had no statement that month.
    """

    customer_id: np.ndarray
    as_of: date
    limit: np.ndarray
    status: np.ndarray
    bill: np.ndarray
    paid: np.ndarray

    def __len__(self) -> int:
        return int(self.customer_id.shape[0])


def panel_from_wide(
    wide: Mapping[str, Any], as_of: date = taiwan.AS_OF
) -> StatementPanel:
    """Build the panel from the wide Taiwan layout (month 1 = the as-of month).

    ``wide`` is a frame or any mapping of column name to array.
    """

    def block(columns: tuple[str, ...]) -> np.ndarray:
        # Column-major: the per-customer reductions over months then run
        # over contiguous month columns (several times faster than row-major).
        first = np.asarray(wide[columns[0]])
        out = np.empty((first.shape[0], len(columns)), dtype=np.float64, order="F")
        for j, column in enumerate(columns):
            out[:, j] = wide[column]
        return out

    return StatementPanel(
        customer_id=np.asarray(wide[taiwan.ID_COLUMN]),
        as_of=as_of,
        limit=np.asarray(wide["limit_bal"], dtype=np.float64),
        status=block(taiwan.STATUS_COLUMNS),
        bill=block(taiwan.BILL_COLUMNS),
        paid=block(taiwan.PAID_COLUMNS),
    )


def _month_number(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values)
    return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=np.int64)


def panel_from_long(
    long: pd.DataFrame, as_of: date, months: int = WINDOW
) -> StatementPanel:
    """Build the panel from the long layout, keeping only months up to ``as_of``.

    Parameters
    ----------
    long : pandas.DataFrame
        Columns :data:`LONG_COLUMNS`: one row per customer and month;
        ``month_end`` is any date within the statement's month.
    as_of : datetime.date
        Statements of later months are ignored, whatever they say.
    months : int
        Length of the window ending in the as-of month.

    Raises
    ------
    RowError
        A customer with two statements for the same month, or a missing value.
    """
    absent = [c for c in LONG_COLUMNS if c not in long.columns]
    if absent:
        raise DataError(f"long statement layout lacks the columns {absent}")
    for column in LONG_COLUMNS:
        bad = long[column].isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise RowError(row + 1, column, "is missing", None)

    status = long["pay_status"].to_numpy(dtype=np.float64)
    bad = ~np.isin(status, np.arange(-2, 10))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise RowError(
            row + 1, "pay_status", "must be an integer from -2 to 9", status[row]
        )
    month = _month_number(long["month_end"])
    offset = (as_of.year * 12 + as_of.month - 1) - month
    keep = (offset >= 0) & (offset < months)
    frame = long.loc[keep]
    offset = offset[keep]

    ids, index = np.unique(frame["customer_id"].to_numpy(), return_inverse=True)
    slot = index * months + offset
    seen, counts = np.unique(slot, return_counts=True)
    if (counts > 1).any():
        dup = seen[counts > 1][0]
        row = int(np.flatnonzero(keep)[np.flatnonzero(slot == dup)[1]])
        raise RowError(
            row + 1,
            "month_end",
            "second statement for the same customer and month",
            str(long["month_end"].iloc[row]),
        )

    def grid(column: str) -> np.ndarray:
        out = np.full(len(ids) * months, np.nan)
        out[slot] = frame[column].to_numpy(dtype=np.float64)
        return np.asfortranarray(out.reshape(len(ids), months))

    limits = grid("limit_bal")
    latest = np.argmax(~np.isnan(limits), axis=1)
    return StatementPanel(
        customer_id=ids,
        as_of=as_of,
        limit=limits[np.arange(len(ids)), latest],
        status=grid("pay_status"),
        bill=grid("bill_amt"),
        paid=grid("pay_amt"),
    )


def _nansum(values: np.ndarray) -> np.ndarray:
    # Column by column, without the full copy numpy.nansum makes.
    total = np.zeros(values.shape[0])
    for j in range(values.shape[1]):
        column = values[:, j]
        np.add(total, column, out=total, where=~np.isnan(column))
    return total


def _nanmean(values: np.ndarray) -> np.ndarray:
    count = (~np.isnan(values)).sum(axis=1)
    total = _nansum(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _nanmax(values: np.ndarray) -> np.ndarray:
    # fmax ignores NaN; a row of NaN only stays NaN.
    return np.asarray(np.fmax.reduce(values, axis=1))


def statement_features(panel: StatementPanel) -> dict[str, np.ndarray]:
    """Compute the behavioural features of every customer in ``panel``.

    Parameters
    ----------
    panel : StatementPanel
        ``m >= 6`` months are expected; "3" and "6" below count months back
        from the as-of month, included.

    Returns
    -------
    dict of str to numpy.ndarray
        Float64 arrays of shape ``(n,)`` keyed by :data:`FEATURES`, in that
        order. Utilisation is balance / limit; payment ratios set the amount
        paid in month ``j`` against the statement of month ``j + 1``, which it
        settles; NaN where undefined (no statement or no bill to pay).
    """
    status, bill, paid = panel.status, panel.bill, panel.paid
    months = status.shape[1]
    if months < WINDOW:
        raise DataError(
            f"statement panel must span at least {WINDOW} months; got {months}"
        )
    limit = np.where(panel.limit > 0, panel.limit, np.nan)
    delinq = np.clip(status, 0, None)  # NaN stays NaN
    is_late = np.where(np.isnan(status), False, status >= 1)
    present = ~np.isnan(status)

    out: dict[str, np.ndarray] = {}
    out["limit_bal"] = panel.limit.astype(np.float64)
    out["months_on_book"] = present[:, :WINDOW].sum(axis=1).astype(np.float64)
    out["status_cur"] = status[:, 0]
    out["status_prev"] = status[:, 1]
    out["delinq_cur"] = delinq[:, 0]
    out["delinq_worst_3"] = _nanmax(delinq[:, :3])
    out["delinq_worst_6"] = _nanmax(delinq[:, :WINDOW])
    out["delinq_months_3"] = is_late[:, :3].sum(axis=1).astype(np.float64)
    out["delinq_months_6"] = is_late[:, :WINDOW].sum(axis=1).astype(np.float64)
    out["delinq_trend"] = _nanmean(delinq[:, :3]) - _nanmean(delinq[:, 3:WINDOW])
    never = ~is_late[:, :WINDOW].any(axis=1)
    first = np.argmax(is_late[:, :WINDOW], axis=1).astype(np.float64)
    out["months_since_delinq"] = np.where(never, float(WINDOW), first)
    for name, code in (
        ("paid_full_status_6", -1),
        ("no_use_months_6", -2),
        ("revolving_months_6", 0),
    ):
        out[name] = (status[:, :WINDOW] == code).sum(axis=1).astype(np.float64)

    util = bill[:, :WINDOW] / limit[:, None]
    out["util_cur"] = util[:, 0]
    out["util_mean_6"] = _nanmean(util)
    out["util_max_6"] = _nanmax(util)
    out["util_trend"] = _nanmean(util[:, :3]) - _nanmean(util[:, 3:])

    # Payment in month j settles the statement of month j + 1.
    due = bill[:, 1:WINDOW]
    pay = paid[:, : WINDOW - 1]
    owed = np.where(due > 0, due, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pay_ratio_last"] = np.clip(pay[:, 0] / owed[:, 0], 0, 10)
        owed_total = _nansum(owed)
        paid_total = _nansum(np.where(np.isnan(owed), np.nan, pay))
        out["pay_ratio_mean"] = np.where(
            owed_total > 0, np.clip(paid_total / owed_total, 0, 10), np.nan
        )
    has_due = ~np.isnan(owed) & ~np.isnan(pay)
    out["full_payments"] = (has_due & (pay >= due)).sum(axis=1).astype(np.float64)
    out["min_payments"] = (
        (has_due & (pay > 0) & (pay < due)).sum(axis=1).astype(np.float64)
    )
    out["missed_payments"] = (has_due & (pay <= 0)).sum(axis=1).astype(np.float64)
    out["unpaid_last"] = (bill[:, 1] - paid[:, 0]) / limit
    out["bill_growth"] = (bill[:, 0] - bill[:, WINDOW - 1]) / limit
    out["paid_to_limit"] = _nansum(paid[:, :WINDOW]) / limit
    # Amounts in currency units, beside the ratios above: trees split on one
    # input at a time, so a ratio does not stand in for the amount itself.
    out["balance_cur"] = bill[:, 0]
    out["available_credit"] = panel.limit - bill[:, 0]
    out["paid_last"] = paid[:, 0]
    out["paid_mean_3"] = _nanmean(paid[:, :3])
    out["unpaid_last_amt"] = bill[:, 1] - paid[:, 0]
    # The month-by-month path behind the summaries (month 1 = the as-of
    # month; util_m1 equals util_cur and pay_ratio_m1 pay_ratio_last, kept so
    # the set is the one measured on seeds 1-3).
    for j in range(WINDOW):
        out[f"util_m{j + 1}"] = util[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = np.clip(pay / owed, 0, 10)
    for j in range(WINDOW - 1):
        out[f"pay_ratio_m{j + 1}"] = ratios[:, j]
    return out


def features_frame(panel: StatementPanel) -> pd.DataFrame:
    """:func:`statement_features` as a frame indexed by customer id."""
    values = statement_features(panel)
    frame = pd.DataFrame(values, columns=list(FEATURES))
    frame.index = pd.Index(panel.customer_id, name="customer_id")
    return frame


__all__ = [
    "FEATURES",
    "LONG_COLUMNS",
    "WINDOW",
    "StatementPanel",
    "features_frame",
    "panel_from_long",
    "panel_from_wide",
    "statement_features",
]
