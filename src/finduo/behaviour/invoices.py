"""Behavioural features from invoice records, as of a date.

An invoice enters a customer's history as of a date ``d`` when it was issued
on or before ``d``. Its outcome — settled date, days late, and whether it was
disputed — counts only if it was settled on or before ``d``; until then the
invoice is *open*, and all that is known is its amount, due date and whether
it is overdue (due before ``d``). Invoices issued after ``d`` do not exist yet.

One function, :func:`history_features`, computes the features for one
customer's invoices at one as-of date; :func:`customer_features` applies it to
every customer at a common date (portfolio scan), :func:`invoice_features` to
every invoice at its own issue date, excluding the invoice itself (lateness
model).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from finduo.datasets.invoices import CUSTOMER, ID_COLUMN

HISTORY_FEATURES: tuple[str, ...] = (
    "inv_issued",
    "inv_settled",
    "late_share",
    "days_late_mean",
    "days_late_max",
    "days_late_last",
    "days_late_trend",
    "last_late",
    "disputed_count",
    "disputed_share",
    "open_count",
    "open_amount",
    "overdue_count",
    "overdue_days_max",
)
TREND_WINDOW = 3


def _day(value: date | pd.Timestamp | np.datetime64) -> Any:
    return pd.Timestamp(value).normalize().to_datetime64().astype("datetime64[D]")


def history_features(
    issued: np.ndarray,
    due: np.ndarray,
    settled: np.ndarray,
    amount: np.ndarray,
    disputed: np.ndarray,
    as_of: Any,
) -> dict[str, float]:
    """Features of one customer's invoices as of ``as_of``.

    Parameters
    ----------
    issued, due, settled : numpy.ndarray of datetime64[D], shape (k,)
        Issue, due and settled dates; ``settled`` is NaT while open.
    amount : numpy.ndarray, shape (k,)
        Invoice amounts.
    disputed : numpy.ndarray of bool, shape (k,)
        The dispute flag, read only for invoices settled by ``as_of``.
    as_of : numpy.datetime64
        Day of the scan; events on that day count as known.

    Returns
    -------
    dict of str to float
        Keys :data:`HISTORY_FEATURES`; days late are in days, NaN where no
        invoice has been settled. The trend is the mean days late of the last
        ``TREND_WINDOW`` settled invoices minus that of the earlier ones (NaN
        with ``TREND_WINDOW`` or fewer settled).
    """
    known = issued <= as_of
    is_settled = known & ~np.isnat(settled)
    is_settled[is_settled] = settled[is_settled] <= as_of
    is_open = known & ~is_settled

    order = np.argsort(settled[is_settled], kind="stable")
    late_days = np.maximum((settled[is_settled] - due[is_settled]).astype(np.int64), 0)[
        order
    ].astype(np.float64)
    n_settled = late_days.shape[0]
    out: dict[str, float] = {
        "inv_issued": float(known.sum()),
        "inv_settled": float(n_settled),
    }
    if n_settled:
        out["late_share"] = float((late_days > 0).mean())
        out["days_late_mean"] = float(late_days.mean())
        out["days_late_max"] = float(late_days.max())
        out["days_late_last"] = float(late_days[-1])
        out["last_late"] = float(late_days[-1] > 0)
        flagged = disputed[is_settled]
        out["disputed_count"] = float(flagged.sum())
        out["disputed_share"] = float(flagged.mean())
    else:
        for name in (
            "late_share",
            "days_late_mean",
            "days_late_max",
            "days_late_last",
            "last_late",
            "disputed_share",
        ):
            out[name] = np.nan
        out["disputed_count"] = 0.0
    if n_settled > TREND_WINDOW:
        recent = late_days[-TREND_WINDOW:].mean()
        out["days_late_trend"] = float(recent - late_days[:-TREND_WINDOW].mean())
    else:
        out["days_late_trend"] = np.nan

    out["open_count"] = float(is_open.sum())
    out["open_amount"] = float(amount[is_open].sum())
    overdue = is_open & (due < as_of)
    out["overdue_count"] = float(overdue.sum())
    out["overdue_days_max"] = (
        float((as_of - due[overdue]).astype(np.int64).max()) if overdue.any() else 0.0
    )
    return out


def _arrays(
    group: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (
        group["invoice_date"].to_numpy().astype("datetime64[D]"),
        group["due_date"].to_numpy().astype("datetime64[D]"),
        group["settled_date"].to_numpy().astype("datetime64[D]"),
        group["invoice_amount"].to_numpy(dtype=np.float64),
        group["disputed"].to_numpy(dtype=bool),
    )


def customer_features(invoices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Features of every customer with an invoice issued by ``as_of``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id, columns :data:`HISTORY_FEATURES`.
    """
    day = _day(as_of)
    rows: dict[str, dict[str, float]] = {}
    for customer, group in invoices.groupby(CUSTOMER, sort=True):
        issued, due, settled, amount, disputed = _arrays(group)
        if (issued <= day).any():
            rows[str(customer)] = history_features(
                issued, due, settled, amount, disputed, as_of=day
            )
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(HISTORY_FEATURES))
    frame.index.name = CUSTOMER
    return frame


def invoice_features(invoices: pd.DataFrame) -> pd.DataFrame:
    """Each invoice's customer history as of its own issue date, itself excluded.

    Also carries what is known about the invoice when it is issued: amount,
    payment term in days, electronic bill, country. Indexed by invoice number,
    in the order of ``invoices``.
    """
    parts: list[pd.DataFrame] = []
    for _, group in invoices.groupby(CUSTOMER, sort=False):
        issued, due, settled, amount, disputed = _arrays(group)
        rows = []
        for i in range(len(group)):
            others = np.arange(len(group)) != i
            rows.append(
                history_features(
                    issued[others],
                    due[others],
                    settled[others],
                    amount[others],
                    disputed[others],
                    as_of=issued[i],
                )
            )
        part = pd.DataFrame(rows, columns=list(HISTORY_FEATURES), index=group.index)
        parts.append(part)
    history = pd.concat(parts).loc[invoices.index]
    own = pd.DataFrame(
        {
            "invoice_amount": invoices["invoice_amount"].to_numpy(dtype=np.float64),
            "term_days": (
                invoices["due_date"] - invoices["invoice_date"]
            ).dt.days.to_numpy(dtype=np.float64),
            "electronic_bill": invoices["paperless_bill"].to_numpy(dtype=np.float64),
            "country_code": invoices["country_code"].to_numpy(dtype=np.float64),
            "invoice_month": invoices["invoice_date"].dt.month.to_numpy(
                dtype=np.float64
            ),
        },
        index=invoices.index,
    )
    out = pd.concat([own, history], axis=1)
    out.index = pd.Index(invoices[ID_COLUMN].to_numpy(), name=ID_COLUMN)
    return out


__all__ = [
    "HISTORY_FEATURES",
    "customer_features",
    "history_features",
    "invoice_features",
]
