"""Population stability index (PSI) of a score and of each characteristic.

PSI compares the distribution of one variable in a reference sample (the
training data) with a recent sample (recent decisions), over bins fixed on the
reference::

    PSI = sum_b (actual_b - expected_b) * ln(actual_b / expected_b)

which is Jeffrey's divergence; the sum is computed with optbinning's
``jeffrey`` so that finduo uses the same formula as its scorecard library.
Usual reading: below 0.10 stable, 0.10 to 0.25 a moderate shift worth a look,
0.25 or more a significant shift.

Sample size: with ``k`` bins and ``n`` recent rows, PSI of two samples of the
*same* population is about chi-square with ``k - 1`` degrees of freedom over
``n`` (the reference adds a little more), so noise alone gives a PSI near
``(k - 1) / n``: 0.09 at 100 recent decisions and 10 bins, with a 95th
percentile of 0.17 — past the 0.10 line every few reports. At 300 the noise is
about 0.03 (95th percentile 0.06), safely below 0.10. Below a minimum count
(setting ``FINDUO_MONITOR_MIN_PSI_ROWS``, default 300) a figure is therefore
not shown as a number but read ``too few (n=...)``: see :func:`psi_reading`.

Binning: a numeric variable with more distinct reference values than
``n_bins`` is cut at reference quantiles (open ends, so that new extremes fall
into the outer bins); otherwise every distinct value is a bin. Missing values
have their own bin and a category unseen in the reference gets one too, so no
row of either sample is left out.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from optbinning.binning.metrics import jeffrey

from finduo.errors import DataError

logger = logging.getLogger(__name__)

PSI_MODERATE = 0.10
PSI_SIGNIFICANT = 0.25
# Floor for an empty bin's share, so that ln(actual/expected) stays finite.
_EPS = 1e-4

Status = Literal["stable", "moderate shift", "significant shift"]


def too_few(n: int) -> str:
    """The reading of a figure whose base is too small to be shown."""
    return f"too few (n={n})"


def psi_reading(result: PsiResult, min_rows: int) -> tuple[float | None, str]:
    """PSI and its reading, or ``(None, "too few (n=...)")`` below ``min_rows``."""
    if result.n_actual < min_rows:
        return None, too_few(result.n_actual)
    return result.psi, result.status


def mask_small(frame: pd.DataFrame, min_rows: int) -> pd.DataFrame:
    """:func:`characteristic_psi` output with figures on too few rows hidden.

    Rows whose ``n_recent`` is below ``min_rows`` get ``psi`` NaN and the
    status ``too few (n=...)``; they sort after the figures that stand.
    """
    out = frame.copy()
    small = out["n_recent"] < min_rows
    out["psi"] = out["psi"].astype(float).where(~small)
    out["status"] = (
        out["status"]
        .astype(object)
        .where(~small, out["n_recent"].map(lambda n: too_few(int(n))))
    )
    return out.sort_values(
        "psi", ascending=False, ignore_index=True, na_position="last"
    )


def psi_status(value: float) -> Status:
    """Reading of a PSI value against the 0.10 / 0.25 thresholds."""
    if value >= PSI_SIGNIFICANT:
        return "significant shift"
    if value >= PSI_MODERATE:
        return "moderate shift"
    return "stable"


@dataclass(frozen=True)
class PsiResult:
    """PSI of one variable with its bin table (no totals row)."""

    name: str
    psi: float
    status: Status
    n_expected: int
    n_actual: int
    table: pd.DataFrame  # bin, expected_n, actual_n, expected_pct, actual_pct, psi


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    shares = counts / total if total else np.zeros_like(counts, dtype=float)
    return np.asarray(np.clip(shares, _EPS, None), dtype=float)


def _result(
    name: str, labels: list[str], exp_n: np.ndarray, act_n: np.ndarray
) -> PsiResult:
    if exp_n.sum() == 0 or act_n.sum() == 0:
        raise DataError(
            f"PSI of {name!r} needs rows in both samples; got "
            f"{int(exp_n.sum())} reference and {int(act_n.sum())} recent rows."
        )
    e, a = _shares(exp_n.astype(float)), _shares(act_n.astype(float))
    per_bin = np.asarray(jeffrey(a, e), dtype=float)
    value = float(per_bin.sum())
    table = pd.DataFrame(
        {
            "bin": labels,
            "expected_n": exp_n.astype(int),
            "actual_n": act_n.astype(int),
            "expected_pct": exp_n / exp_n.sum(),
            "actual_pct": act_n / act_n.sum(),
            "psi": per_bin,
        }
    )
    return PsiResult(
        name, value, psi_status(value), int(exp_n.sum()), int(act_n.sum()), table
    )


def _is_numeric(values: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(values)) and not bool(
        pd.api.types.is_bool_dtype(values)
    )


def psi_numeric(
    expected: Iterable[float] | np.ndarray,
    actual: Iterable[float] | np.ndarray,
    name: str = "score",
    n_bins: int = 10,
) -> PsiResult:
    """PSI of a numeric variable over reference-quantile bins.

    Parameters
    ----------
    expected : array-like of shape (n,)
        Reference sample (training data); NaN counts as its own bin.
    actual : array-like of shape (m,)
        Recent sample.
    name : str, default "score"
        Name shown in the result.
    n_bins : int, default 10
        Largest number of bins; fewer when quantiles coincide.

    Returns
    -------
    PsiResult
        PSI, its reading and the bin table.
    """
    if n_bins < 2:
        raise DataError(f"n_bins must be at least 2; got {n_bins}.")
    exp = np.asarray(expected, dtype=float)
    act = np.asarray(actual, dtype=float)
    exp_ok, act_ok = exp[~np.isnan(exp)], act[~np.isnan(act)]
    distinct = np.unique(exp_ok)
    if distinct.size == 0:
        raise DataError(f"PSI of {name!r}: the reference sample has no values.")
    if distinct.size <= n_bins:
        # One bin per reference value; recent values between or beyond them go
        # to the nearest reference value at or below (or the first).
        edges = (distinct[:-1] + distinct[1:]) / 2
        labels = [f"{v:g}" for v in distinct]
    else:
        qs = np.quantile(exp_ok, np.linspace(0, 1, n_bins + 1)[1:-1])
        edges = np.unique(qs)
        bounds = [-np.inf, *edges.tolist(), np.inf]
        labels = [f"({lo:.4g}, {hi:.4g}]" for lo, hi in itertools.pairwise(bounds)]
    k = len(labels)
    exp_n = np.bincount(np.searchsorted(edges, exp_ok, side="left"), minlength=k)
    act_n = np.bincount(np.searchsorted(edges, act_ok, side="left"), minlength=k)
    n_miss_e, n_miss_a = int(np.isnan(exp).sum()), int(np.isnan(act).sum())
    if n_miss_e or n_miss_a:
        labels = [*labels, "missing"]
        exp_n = np.append(exp_n, n_miss_e)
        act_n = np.append(act_n, n_miss_a)
    return _result(name, labels, exp_n, act_n)


def psi_categorical(
    expected: Iterable[object] | pd.Series,
    actual: Iterable[object] | pd.Series,
    name: str = "characteristic",
) -> PsiResult:
    """PSI of a categorical variable, one bin per category.

    Categories seen only in the recent sample are kept as their own bins
    (their reference share is floored), missing values likewise.
    """
    exp = pd.Series(expected, dtype="object").fillna("missing").astype(str)
    act = pd.Series(actual, dtype="object").fillna("missing").astype(str)
    cats = list(pd.unique(exp))
    cats += [c for c in pd.unique(act) if c not in set(cats)]
    exp_n = exp.value_counts().reindex(cats, fill_value=0).to_numpy()
    act_n = act.value_counts().reindex(cats, fill_value=0).to_numpy()
    return _result(name, cats, exp_n, act_n)


def psi_variable(
    expected: pd.Series, actual: pd.Series, name: str, n_bins: int = 10
) -> PsiResult:
    """PSI of one column, numeric or categorical by the reference dtype."""
    if _is_numeric(expected):
        act = pd.to_numeric(actual, errors="coerce")
        bad = act.isna() & actual.notna()
        if bad.any():
            first = actual[bad].index[0]
            raise DataError(
                f"PSI of {name!r}: recent value {actual[first]!r} at index "
                f"{first} is not a number, but the reference column is numeric."
            )
        return psi_numeric(expected.to_numpy(float), act.to_numpy(float), name, n_bins)
    return psi_categorical(expected, actual, name)


def characteristic_psi(
    reference: pd.DataFrame,
    recent: pd.DataFrame,
    columns: Iterable[str] | None = None,
    n_bins: int = 10,
) -> pd.DataFrame:
    """PSI of each characteristic, highest first.

    Parameters
    ----------
    reference, recent : pandas.DataFrame
        Training sample and recent applications with the same columns.
    columns : iterable of str, optional
        Columns to compare; default all columns of ``reference``.
    n_bins : int, default 10
        Bins for numeric columns.

    Returns
    -------
    pandas.DataFrame
        One row per characteristic: ``characteristic``, ``psi``, ``status``,
        ``n_reference``, ``n_recent``; sorted by ``psi`` descending.
    """
    names = list(columns) if columns is not None else list(reference.columns)
    missing = [c for c in names if c not in recent.columns]
    if missing:
        raise DataError(f"recent sample lacks the characteristics {missing}.")
    rows = []
    for col in names:
        res = psi_variable(reference[col], recent[col], col, n_bins)
        rows.append(
            {
                "characteristic": col,
                "psi": res.psi,
                "status": res.status,
                "n_reference": res.n_expected,
                "n_recent": res.n_actual,
            }
        )
    out = pd.DataFrame(
        rows, columns=["characteristic", "psi", "status", "n_reference", "n_recent"]
    )
    return out.sort_values("psi", ascending=False, ignore_index=True)


__all__ = [
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
    "PsiResult",
    "characteristic_psi",
    "mask_small",
    "psi_categorical",
    "psi_numeric",
    "psi_reading",
    "psi_status",
    "psi_variable",
    "too_few",
]
