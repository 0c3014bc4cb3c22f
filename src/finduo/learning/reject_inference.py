"""Reject inference: learning from approved-only outcomes without ignoring rejects.

A model retrained on stored decisions sees outcomes only for applicants who
were approved; the declined ones never got a chance to pay or default. Two
classic methods fill that gap:

* **fuzzy augmentation**: each reject enters the training data twice, once as
  bad with weight ``p`` and once as good with weight ``1 - p``, where ``p`` is
  the pd a model trained on the approved (known) cases gives it;
* **parcelling**: rejects are grouped in pd bands of the known-only model and
  in each band a share of them, equal to the band's observed bad rate times an
  ``uplift`` (rejects are assumed riskier than approvals of the same score),
  is labelled bad at random (seeded); the rest good.

Both are assumptions, not data: :func:`run_experiment` measures whether they
help on German credit, where all outcomes are known, by hiding the outcomes
of the applicants a first model would have declined.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from finduo.errors import DataError

logger = logging.getLogger(__name__)

Method = Literal["fuzzy", "parcelling"]
METHODS: tuple[str, ...] = ("fuzzy", "parcelling")


@dataclass(frozen=True)
class Augmented:
    """Training rows after reject inference: features, labels and weights."""

    X: pd.DataFrame
    y: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    n_known: int
    n_inferred: int


def _check_pd(p: npt.NDArray[np.float64], what: str) -> None:
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise DataError(f"{what} must be probabilities in [0, 1] without gaps.")


def fuzzy_augment(
    X_known: pd.DataFrame,
    y_known: npt.ArrayLike,
    X_rejects: pd.DataFrame,
    pd_rejects: npt.ArrayLike,
) -> Augmented:
    """Known rows (weight 1) plus each reject as bad (w = p) and good (w = 1 - p).

    Parameters
    ----------
    X_known : DataFrame, shape (n, k)
        Applicants with an observed outcome.
    y_known : array of int, shape (n,)
        Their outcome, 1 = bad.
    X_rejects : DataFrame, shape (m, k)
        Applicants without an outcome (declined).
    pd_rejects : array of float, shape (m,)
        pd of each reject from a model trained on the known rows only.

    Returns
    -------
    Augmented
        ``n + 2m`` rows.
    """
    y = np.asarray(y_known, dtype=np.int64)
    p = np.asarray(pd_rejects, dtype=np.float64)
    _check_pd(p, "pd_rejects")
    if len(p) != len(X_rejects) or len(y) != len(X_known):
        raise DataError("fuzzy_augment: features and labels differ in length.")
    X = pd.concat([X_known, X_rejects, X_rejects], ignore_index=True)
    labels = np.concatenate([y, np.ones(len(p), np.int64), np.zeros(len(p), np.int64)])
    weight = np.concatenate([np.ones(len(y)), p, 1.0 - p])
    return Augmented(X, labels, weight, len(y), 2 * len(p))


def parcel(
    pd_known: npt.ArrayLike,
    y_known: npt.ArrayLike,
    pd_rejects: npt.ArrayLike,
    n_bands: int = 10,
    uplift: float = 1.5,
    seed: int = 0,
) -> npt.NDArray[np.int64]:
    """Labels for rejects drawn at the observed bad rate of their pd band.

    Bands are quantiles of ``pd_known``; rejects beyond the top band join it.
    The bad share assigned in a band is ``min(1, uplift x observed bad rate)``.

    Returns
    -------
    ndarray of int, shape (m,)
        Inferred outcome per reject, 1 = bad.
    """
    if uplift <= 0:
        raise DataError(f"uplift must be > 0; got {uplift}.")
    pk = np.asarray(pd_known, dtype=np.float64)
    yk = np.asarray(y_known, dtype=np.float64)
    pr = np.asarray(pd_rejects, dtype=np.float64)
    _check_pd(pk, "pd_known")
    _check_pd(pr, "pd_rejects")
    edges = np.unique(np.quantile(pk, np.linspace(0, 1, n_bands + 1)[1:-1]))
    band_k = np.searchsorted(edges, pk, side="left")
    band_r = np.searchsorted(edges, pr, side="left")
    k = len(edges) + 1
    counts = np.bincount(band_k, minlength=k)
    bads = np.bincount(band_k, weights=yk, minlength=k)
    overall = float(yk.mean()) if len(yk) else 0.5
    rate = np.where(counts > 0, bads / np.maximum(counts, 1), overall)
    share = np.minimum(1.0, uplift * rate)[band_r]
    rng = np.random.default_rng(seed)
    return (rng.random(len(pr)) < share).astype(np.int64)


def parcel_augment(
    X_known: pd.DataFrame,
    y_known: npt.ArrayLike,
    pd_known: npt.ArrayLike,
    X_rejects: pd.DataFrame,
    pd_rejects: npt.ArrayLike,
    n_bands: int = 10,
    uplift: float = 1.5,
    seed: int = 0,
) -> Augmented:
    """Known rows plus rejects labelled by :func:`parcel` (all weight 1)."""
    y = np.asarray(y_known, dtype=np.int64)
    inferred = parcel(pd_known, y, pd_rejects, n_bands, uplift, seed)
    X = pd.concat([X_known, X_rejects], ignore_index=True)
    labels = np.concatenate([y, inferred])
    return Augmented(X, labels, np.ones(len(labels)), len(y), len(inferred))


def augment(
    method: Method,
    X_known: pd.DataFrame,
    y_known: npt.ArrayLike,
    pd_known: npt.ArrayLike,
    X_rejects: pd.DataFrame,
    pd_rejects: npt.ArrayLike,
    seed: int = 0,
) -> Augmented:
    """Reject inference by name (``fuzzy`` or ``parcelling``)."""
    if method == "fuzzy":
        return fuzzy_augment(X_known, y_known, X_rejects, pd_rejects)
    if method == "parcelling":
        return parcel_augment(
            X_known, y_known, pd_known, X_rejects, pd_rejects, seed=seed
        )
    raise DataError(
        f"reject-inference method must be one of {METHODS}; got {method!r}."
    )


def split_known(
    frame: pd.DataFrame, known: Sequence[bool] | npt.NDArray[np.bool_]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows with and without an observed outcome."""
    mask = np.asarray(known, dtype=bool)
    return frame[mask].reset_index(drop=True), frame[~mask].reset_index(drop=True)


__all__ = [
    "METHODS",
    "Augmented",
    "Method",
    "augment",
    "fuzzy_augment",
    "parcel",
    "parcel_augment",
    "split_known",
]
