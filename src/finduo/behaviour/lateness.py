"""Will an open invoice be paid late? Evaluated by time, beside a naive rule.

The invoices are ordered by issue date and split at the date below which
``train_share`` of them were issued. The model learns from invoices issued
*and settled* before that date (the outcomes known on it); it is tested on
every invoice issued from that date on. Each invoice's inputs are its
customer's history as of its own issue date (:func:`invoice_features`), so a
test invoice sees only what was known when it was issued.

Reported beside it, on the same test invoices: the naive rule "late before,
late again" (late if the customer's most recently settled invoice was late;
customers without a settled invoice get the training late rate).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from finduo.behaviour.invoices import invoice_features
from finduo.datasets.invoices import NAME, TARGET
from finduo.errors import DataError

logger = logging.getLogger(__name__)


def time_split(
    invoices: pd.DataFrame, train_share: float
) -> tuple[pd.Timestamp, np.ndarray, np.ndarray, int]:
    """Cut-off date, train rows, test rows, and train rows dropped as unsettled."""
    ordered = invoices["invoice_date"].sort_values(kind="stable").to_numpy()
    cutoff = pd.Timestamp(ordered[int(len(ordered) * train_share)])
    issued_before = (invoices["invoice_date"] < cutoff).to_numpy()
    settled_before = (invoices["settled_date"] < cutoff).to_numpy()
    train = np.flatnonzero(issued_before & settled_before)
    test = np.flatnonzero(~issued_before)
    dropped = int((issued_before & ~settled_before).sum())
    return cutoff, train, test, dropped


def _scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from finduo.evaluation import metrics

    return {
        "auc": round(metrics.auc(y, p), 4),
        "brier": round(metrics.brier(y, p), 4),
        "accuracy": round(float(((p >= 0.5) == (y == 1)).mean()), 4),
    }


def evaluate_lateness(
    invoices: pd.DataFrame, train_share: float = 0.7, seed: int = 0
) -> dict[str, Any]:
    """Time-split evaluation of the invoice-lateness model and the naive rule.

    Parameters
    ----------
    invoices : pandas.DataFrame
        As from :func:`finduo.datasets.invoices.load_invoices`; every invoice
        must be settled (the outcome is needed to test).
    train_share : float
        Share of invoices, by issue date, before the cut-off.
    seed : int
        Seed of the model.

    Returns
    -------
    dict
        ``{"dataset", "split": {...}, "models": {"lightgbm": {"auc", "brier",
        "accuracy"}, "late_before_late_again": {...}}}``, all on the test
        invoices.
    """
    from finduo.features import FeatureSet
    from finduo.models.lightgbm import LightGBMModel

    if invoices[TARGET].isna().any():
        raise DataError("every invoice must be settled to evaluate lateness")
    features = invoice_features(invoices).reset_index(drop=True)
    y = invoices[TARGET].to_numpy(dtype=np.int64)
    cutoff, train, test, dropped = time_split(invoices, train_share)
    spec = FeatureSet.fit(features.iloc[train])
    model = LightGBMModel.fit(
        spec.encode_frame(features.iloc[train]), y[train], spec, seed=seed
    )
    p_model = model.predict_pd(spec.encode_frame(features.iloc[test]))

    base_rate = float(y[train].mean())
    last_late = features["last_late"].to_numpy()[test]
    p_naive = np.where(np.isnan(last_late), base_rate, last_late)
    report: dict[str, Any] = {
        "dataset": NAME,
        "split": {
            "cutoff": cutoff.date().isoformat(),
            "train": len(train),
            "train_dropped_unsettled_at_cutoff": dropped,
            "test": len(test),
            "train_late_rate": round(base_rate, 4),
            "test_late_rate": round(float(y[test].mean()), 4),
        },
        "models": {
            "lightgbm": _scores(y[test], p_model),
            "late_before_late_again": _scores(y[test], p_naive),
        },
    }
    logger.info("lateness evaluated: cut-off %s", report["split"]["cutoff"])
    return report


__all__ = ["evaluate_lateness", "time_split"]
