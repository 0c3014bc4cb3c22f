"""The strategy table an analyst picks cut-offs from (``finduo policy cutoffs``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from finduo.datasets.registry import DatasetInfo, get_dataset
from finduo.evaluation.cv import evaluate_dataset
from finduo.evaluation.metrics import bayes_cutoff

DEFAULT_CUTOFFS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 13))


def strategy_table(
    y: np.ndarray,
    pd_: np.ndarray,
    cutoffs: Sequence[float] | None = None,
    cost_bad_accepted: float = 1.0,
    cost_good_declined: float = 1.0,
) -> list[dict[str, Any]]:
    """Approval rate and bad rate among approved for candidate cut-offs.

    Parameters
    ----------
    y : ndarray (n,)
        Truth, 1 = bad.
    pd_ : ndarray (n,)
        Out-of-fold pd (never pd on rows a model was trained on).
    cutoffs : sequence of float, optional
        Approve when pd <= cut-off; default 0.05 ... 0.60 plus the Bayes
        cut-off of the cost matrix.

    Returns
    -------
    list of dict
        Per cut-off (ascending): ``cutoff``, ``approval_rate``,
        ``expected_bad_rate`` (mean pd of the approved), ``observed_bad_rate``
        (truth among the approved), ``expected_cost`` (per application, truth),
        ``bayes`` (True for the cost matrix's own cut-off).
    """
    y = np.asarray(y)
    pd_ = np.asarray(pd_, dtype=np.float64)
    bayes = round(bayes_cutoff(cost_bad_accepted, cost_good_declined), 4)
    chosen = sorted(
        {round(float(c), 4) for c in (cutoffs or DEFAULT_CUTOFFS)} | {bayes}
    )
    rows = []
    for cutoff in chosen:
        approved = pd_ <= cutoff
        n_approved = int(approved.sum())
        bad_accepted = int(np.sum(approved & (y == 1)))
        good_declined = int(np.sum(~approved & (y == 0)))
        cost = cost_bad_accepted * bad_accepted + cost_good_declined * good_declined
        rows.append(
            {
                "cutoff": cutoff,
                "approval_rate": round(n_approved / len(y), 4),
                "expected_bad_rate": (
                    round(float(pd_[approved].mean()), 4) if n_approved else None
                ),
                "observed_bad_rate": (
                    round(bad_accepted / n_approved, 4) if n_approved else None
                ),
                "expected_cost": round(cost / len(y), 4),
                "bayes": cutoff == bayes,
            }
        )
    return rows


def dataset_strategy_table(
    info: DatasetInfo,
    kind: str = "scorecard",
    cutoffs: Sequence[float] | None = None,
    folds: int | None = None,
    repeats: int | None = 1,
    seed: int = 0,
    n_jobs: int | None = None,
) -> list[dict[str, Any]]:
    """:func:`strategy_table` from ``kind``'s out-of-fold pd on a data set.

    One repeat of the data set's folds by default (every row predicted once).
    """
    result = evaluate_dataset(
        info, folds=folds, repeats=repeats, seed=seed, kinds=[kind], n_jobs=n_jobs
    )
    return strategy_table(
        result.y,
        result.oof_pd[kind],
        cutoffs,
        info.cost_bad_accepted,
        info.cost_good_declined,
    )


def cutoff_table(
    dataset: str = "german-credit",
    kind: str = "scorecard",
    folds: int | None = None,
    seed: int = 0,
    cutoffs: Sequence[float] | None = None,
    repeats: int = 1,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """:func:`dataset_strategy_table` for a registered data set, as a frame."""
    rows = dataset_strategy_table(
        get_dataset(dataset),
        kind=kind,
        cutoffs=cutoffs,
        folds=folds,
        repeats=repeats,
        seed=seed,
        n_jobs=n_jobs,
    )
    return pd.DataFrame(rows)


__all__ = [
    "DEFAULT_CUTOFFS",
    "cutoff_table",
    "dataset_strategy_table",
    "strategy_table",
]
