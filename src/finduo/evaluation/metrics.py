"""Metrics of a probability of default against the truth (1 = bad)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve


def auc(y: np.ndarray, pd_: np.ndarray) -> float:
    """Area under the ROC curve."""
    return float(roc_auc_score(y, pd_))


def ks(y: np.ndarray, pd_: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the bads' and goods' CDFs."""
    fpr, tpr, _ = roc_curve(y, pd_)
    return float(np.max(tpr - fpr))


def brier(y: np.ndarray, pd_: np.ndarray) -> float:
    """Mean squared error of the pd."""
    return float(np.mean((np.asarray(pd_) - np.asarray(y)) ** 2))


def bayes_cutoff(cost_bad_accepted: float, cost_good_declined: float) -> float:
    """pd above which declining costs less than approving (calibrated pd)."""
    return cost_good_declined / (cost_good_declined + cost_bad_accepted)


def expected_cost(
    y: np.ndarray,
    pd_: np.ndarray,
    cutoff: float,
    cost_bad_accepted: float,
    cost_good_declined: float,
) -> float:
    """Average cost per application when every pd above ``cutoff`` is declined."""
    y = np.asarray(y)
    declined = np.asarray(pd_) > cutoff
    cost = cost_bad_accepted * np.sum(
        ~declined & (y == 1)
    ) + cost_good_declined * np.sum(declined & (y == 0))
    return float(cost / len(y))


__all__ = ["auc", "bayes_cutoff", "brier", "expected_cost", "ks"]
