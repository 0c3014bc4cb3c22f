"""Performance of a score on matured outcomes.

Every function here takes outcomes that have *matured* (their performance
window has passed); unmatured decisions carry no label and are left to the
caller to exclude (see :mod:`finduo.outcomes.maturity`). The figures are
out-of-time by construction: the model never saw these outcomes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

from finduo.errors import DataError


def _check(y: np.ndarray, pd_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    p = np.asarray(pd_, dtype=float)
    if y.shape != p.shape:
        raise DataError(f"labels and pd differ in length: {y.shape} vs {p.shape}.")
    bad = ~np.isin(y, (0.0, 1.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"label at position {i} must be 0 or 1; got {y[i]:g}.")
    if np.isnan(p).any():
        i = int(np.argmax(np.isnan(p)))
        raise DataError(f"pd at position {i} is missing.")
    return y.astype(int), p


def discrimination(y: np.ndarray, pd_: np.ndarray) -> dict[str, float | int | None]:
    """AUC, Gini and KS of ``pd`` against observed bads.

    Parameters
    ----------
    y : array of shape (n,)
        1 = bad, 0 = good (matured outcomes only).
    pd_ : array of shape (n,)
        Predicted probability of default.

    Returns
    -------
    dict
        ``n``, ``n_bad``, ``bad_rate``, ``mean_pd``, ``auc``, ``gini``, ``ks``;
        the three rank figures are ``None`` when only one class is present.
    """
    y, p = _check(y, pd_)
    n, n_bad = int(y.size), int(y.sum())
    out: dict[str, float | int | None] = {
        "n": n,
        "n_bad": n_bad,
        "bad_rate": float(n_bad / n) if n else None,
        "mean_pd": float(p.mean()) if n else None,
        "auc": None,
        "gini": None,
        "ks": None,
    }
    if 0 < n_bad < n:
        auc = float(roc_auc_score(y, p))
        fpr, tpr, _ = roc_curve(y, p)
        out.update(auc=auc, gini=2 * auc - 1, ks=float(np.max(tpr - fpr)))
    return out


def roc_points(y: np.ndarray, pd_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False and true positive rates of the ROC curve (bad = positive)."""
    y, p = _check(y, pd_)
    fpr, tpr, _ = roc_curve(y, p)
    return fpr, tpr


def band_table(y: np.ndarray, pd_: np.ndarray, band: np.ndarray) -> pd.DataFrame:
    """Observed bad rate by band against the mean predicted ``pd``.

    Returns
    -------
    pandas.DataFrame
        ``band``, ``n``, ``n_bad``, ``bad_rate``, ``mean_pd``, ``ratio``
        (observed / predicted), bands in order of mean pd.
    """
    y, p = _check(y, pd_)
    frame = pd.DataFrame({"band": np.asarray(band, dtype=object), "y": y, "pd": p})
    g = frame.groupby("band", sort=False)
    out = pd.DataFrame(
        {"n": g.size(), "n_bad": g["y"].sum(), "mean_pd": g["pd"].mean()}
    ).reset_index()
    out["bad_rate"] = out["n_bad"] / out["n"]
    out["ratio"] = out["bad_rate"] / out["mean_pd"].where(out["mean_pd"] > 0)
    out = out.sort_values("mean_pd", ignore_index=True)
    return out[["band", "n", "n_bad", "bad_rate", "mean_pd", "ratio"]]


def calibration_table(y: np.ndarray, pd_: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Calibration curve over ``pd`` quantile bins.

    Returns
    -------
    pandas.DataFrame
        ``bin``, ``n``, ``mean_pd``, ``bad_rate`` per bin, lowest pd first.
    """
    y, p = _check(y, pd_)
    if y.size == 0:
        return pd.DataFrame(columns=["bin", "n", "mean_pd", "bad_rate"])
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)[1:-1]))
    idx = np.searchsorted(edges, p, side="left")
    frame = pd.DataFrame({"bin": idx, "y": y, "pd": p})
    g = frame.groupby("bin")
    return pd.DataFrame(
        {"n": g.size(), "mean_pd": g["pd"].mean(), "bad_rate": g["y"].mean()}
    ).reset_index()


def vintage_curves(
    decided_at: pd.Series,
    bad_at: pd.Series,
    as_of: pd.Timestamp,
    max_months: int = 12,
) -> pd.DataFrame:
    """Cumulative bad rate by month of decision (vintage) and months on book.

    Parameters
    ----------
    decided_at : Series of datetimes
        When each decision was taken (approved decisions only, usually).
    bad_at : Series of datetimes or NaT
        When the account first met the bad definition; NaT if never (so far).
    as_of : Timestamp
        Date of the observation; a vintage enters the curve at month ``k``
        only once all of it has been on book ``k`` months.
    max_months : int, default 12
        Longest months on book shown (usually the performance window).

    Returns
    -------
    pandas.DataFrame
        Index: vintage (``YYYY-MM``); columns 1..max_months; values the
        cumulative share of the vintage that went bad by that month, NaN
        where the vintage has not been on book that long; plus ``n``.
    """
    # All in UTC: with no outcome yet ``bad_at`` is all NaT, which pandas reads
    # as tz-naive, and naive minus aware fails.
    dec = pd.to_datetime(pd.Series(decided_at), utc=True).reset_index(drop=True)
    bad = pd.to_datetime(pd.Series(bad_at), utc=True).reset_index(drop=True)
    if len(dec) != len(bad):
        raise DataError("decided_at and bad_at differ in length.")
    as_of = pd.Timestamp(as_of)
    as_of = as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of
    vintage = dec.dt.strftime("%Y-%m")
    months_to_bad = (bad - dec).dt.days / 30.4375
    rows = {}
    for v, idx in vintage.groupby(vintage).groups.items():
        start = dec[idx].max()
        on_book = int((as_of - start).days // 30.4375)
        m = months_to_bad[idx]
        row: dict[str | int, float] = {"n": float(len(idx))}
        for k in range(1, max_months + 1):
            row[k] = float((m <= k).mean()) if k <= on_book else np.nan
        rows[v] = row
    cols = ["n", *range(1, max_months + 1)]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    out.index.name = "vintage"
    return out.sort_index()


__all__ = [
    "band_table",
    "calibration_table",
    "discrimination",
    "roc_points",
    "vintage_curves",
]
