"""Fairness: approval and error rates by protected group (fairlearn).

Groups by default: age group (bands of ``age_years``) and foreign-worker
status. The approval-rate ratio of a group is its approval rate divided by the
highest group's; a ratio below 0.8 (the "four-fifths" rule of thumb) is
flagged. Group sizes are always shown: some groups are small (German credit
has 37 foreign-worker "yes" rows in 1000), and a ratio on a few dozen rows is
a prompt to look closer, not a finding. Below ``min_group`` (setting
``FINDUO_MONITOR_MIN_GROUP_SIZE``, default 100) a group's approval rate and
ratio are not shown as numbers but read ``too few (n=...)``, and it is never
flagged nor the reference "best" group: at 100 decisions the 95 % interval of
an approval rate near 60 % is already +-10 points, about the 12-point gap the
four-fifths rule tests at that rate; on fewer rows the interval is wider than
the gap. Error rates likewise need ``min_group`` matured outcomes.

Error rates use matured outcomes only: ``bad_approved_rate`` is the share of
observed bads that were approved, ``good_declined_rate`` the share of goods
declined. Declined applicants have no observed outcome in live operation, so
``good_declined_rate`` is only available where outcomes of declines are known
(a back-test on labelled data, such as German credit).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, selection_rate

from finduo.errors import DataError

FOUR_FIFTHS = 0.8
AGE_BINS: tuple[float, ...] = (0, 25, 35, 50, 200)
AGE_LABELS: tuple[str, ...] = ("< 25", "25 to 34", "35 to 49", "50 +")


def age_group(age: pd.Series | np.ndarray) -> pd.Series:
    """Age bands used for fairness monitoring (``< 25`` ... ``50 +``)."""
    ages = pd.to_numeric(pd.Series(age), errors="coerce")
    groups = pd.cut(ages, bins=list(AGE_BINS), labels=list(AGE_LABELS), right=False)
    return groups.astype(object).where(groups.notna(), "unknown")


def _bad_approved_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    bads = np.asarray(y_true) == 1
    return float(np.mean(np.asarray(y_pred)[bads])) if bads.any() else float("nan")


def _bad_rate_approved(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    approved = np.asarray(y_pred) == 1
    if not approved.any():
        return float("nan")
    return float(np.mean(np.asarray(y_true)[approved]))


def _good_declined_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    goods = np.asarray(y_true) == 0
    if not goods.any():
        return float("nan")
    return float(1 - np.mean(np.asarray(y_pred)[goods]))


def group_fairness(
    approved: np.ndarray,
    group: pd.Series | np.ndarray,
    bad: np.ndarray | None = None,
    name: str = "group",
    min_group: int = 0,
) -> pd.DataFrame:
    """Approval rate, error rates and sizes per group, with the 0.8 flag.

    Parameters
    ----------
    approved : array of shape (n,)
        1 where the decision was approve, else 0 (refer counts as not approved).
    group : array of shape (n,)
        Group of each row.
    bad : array of shape (n,), optional
        Observed outcome (1 bad, 0 good, NaN unknown / not matured).
    name : str
        Name of the grouping, shown in the ``grouping`` column.
    min_group : int, default 0
        Fewest rows (matured outcomes, for error rates) behind a figure;
        smaller groups get NaN figures, no flag, and ``reading``
        ``too few (n=...)``.

    Returns
    -------
    pandas.DataFrame
        ``grouping``, ``group``, ``n``, ``approval_rate``, ``approval_ratio``
        (to the highest group), ``flag`` (ratio < 0.8), ``n_matured``,
        ``bad_rate_approved`` (observed bad rate of the approved),
        ``bad_approved_rate``, ``good_declined_rate``, ``reading`` (empty, or
        ``too few (n=...)``).
    """
    appr = np.asarray(approved, dtype=int)
    grp = pd.Series(np.asarray(group, dtype=object)).fillna("unknown").astype(str)
    if len(grp) != len(appr):
        raise DataError(
            f"fairness by {name}: {len(appr)} decisions but {len(grp)} group values."
        )
    if len(appr) == 0:
        raise DataError(f"fairness by {name}: no decisions to compare.")
    mf = MetricFrame(
        metrics={"n": count, "approval_rate": selection_rate},
        y_true=np.zeros_like(appr),
        y_pred=appr,
        sensitive_features=grp.to_numpy(),
    )
    out = mf.by_group.reset_index()
    out.columns = ["group", "n", "approval_rate"]
    out["n"] = out["n"].astype(int)
    small = out["n"] < min_group
    out["approval_rate"] = out["approval_rate"].astype(float).where(~small)
    top = out["approval_rate"].max()  # among the groups large enough
    out["approval_ratio"] = out["approval_rate"] / top if top > 0 else np.nan
    out["flag"] = out["approval_ratio"] < FOUR_FIFTHS
    out["reading"] = np.where(small, [f"too few (n={n})" for n in out["n"]], "")
    out["n_matured"] = 0
    out["bad_rate_approved"] = np.nan
    out["bad_approved_rate"] = np.nan
    out["good_declined_rate"] = np.nan
    if bad is not None:
        b = np.asarray(bad, dtype=float)
        known = ~np.isnan(b)
        if known.any():
            mf_err = MetricFrame(
                metrics={
                    "n_matured": count,
                    "bad_rate_approved": _bad_rate_approved,
                    "bad_approved_rate": _bad_approved_rate,
                    "good_declined_rate": _good_declined_rate,
                },
                y_true=b[known].astype(int),
                y_pred=appr[known],
                sensitive_features=grp.to_numpy()[known],
            )
            err = mf_err.by_group.reset_index()
            err.columns = [
                "group",
                "n_matured",
                "bad_rate_approved",
                "bad_approved_rate",
                "good_declined_rate",
            ]
            out = out.drop(columns=list(err.columns[1:])).merge(
                err, on="group", how="left"
            )
            out["n_matured"] = out["n_matured"].fillna(0).astype(int)
            few = out["n_matured"] < min_group
            for rate in (
                "bad_rate_approved",
                "bad_approved_rate",
                "good_declined_rate",
            ):
                out[rate] = out[rate].where(~few)
    out.insert(0, "grouping", name)
    return pd.DataFrame(out)


def fairness_report(
    approved: np.ndarray,
    groups: pd.DataFrame,
    bad: np.ndarray | None = None,
    groupings: Sequence[str] | None = None,
    min_group: int = 0,
) -> pd.DataFrame:
    """:func:`group_fairness` for several groupings stacked into one table.

    ``groups`` holds one column per grouping (e.g. ``age_group``,
    ``foreign_worker``) aligned with ``approved``.
    """
    names = list(groupings) if groupings is not None else list(groups.columns)
    parts = [
        group_fairness(approved, groups[c].to_numpy(), bad, c, min_group) for c in names
    ]
    return pd.concat(parts, ignore_index=True)


__all__ = [
    "AGE_LABELS",
    "FOUR_FIFTHS",
    "age_group",
    "fairness_report",
    "group_fairness",
]
