"""Does reject inference help? An honest test on data with every outcome known.

Protocol, per fold of repeated stratified k-fold cross-validation:

1. A **first model** scores the training fold out of fold (inner 5-fold), and
   the ``decline_share`` riskiest applicants are "declined": their outcomes
   are hidden, as they would be in live operation.
2. Models are trained on the training fold four ways: **known only** (the
   approved rows), **fuzzy** augmentation, **parcelling**, and the **oracle**
   with every outcome (an upper bound no live process can reach).
3. Each is evaluated on the held-out fold against the **full truth** (every
   applicant, approved or not): AUC, Brier score, the expected cost of its
   approve/decline choice at the Bayes cut-off of the cost matrix
   (German credit: 5 for a bad approved, 1 for a good declined, so approve
   while pd < 1/6), and the bad rate among the ``1 - decline_share`` it
   would approve.

Nothing of the held-out fold is seen by any fit. The same learner is used
for every variant, with fixed hyperparameters.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

from finduo.errors import DataError
from finduo.learning.reject_inference import Method, augment

logger = logging.getLogger(__name__)

Learner = Literal["logistic", "lightgbm"]
VARIANTS: tuple[str, ...] = ("known_only", "fuzzy", "parcelling", "oracle")


class _Model(Protocol):
    def fit(self, X: pd.DataFrame, y: npt.ArrayLike, w: npt.ArrayLike) -> None: ...
    def predict_pd(self, X: pd.DataFrame) -> npt.NDArray[np.float64]: ...


class _Logistic:
    """One-hot logistic regression (the evaluation's baseline kind)."""

    def __init__(self, categorical: list[str], numeric: list[str], seed: int) -> None:
        from sklearn.compose import make_column_transformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        pre = make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), categorical),
            (StandardScaler(), numeric),
        )
        self.pipe = make_pipeline(pre, LogisticRegression(C=0.3, max_iter=3000))

    def fit(self, X: pd.DataFrame, y: npt.ArrayLike, w: npt.ArrayLike) -> None:
        self.pipe.fit(X, y, logisticregression__sample_weight=np.asarray(w))

    def predict_pd(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        return np.asarray(self.pipe.predict_proba(X)[:, 1], dtype=np.float64)


class _LightGBM:
    """LightGBM with fixed, conservative hyperparameters."""

    def __init__(self, categorical: list[str], numeric: list[str], seed: int) -> None:
        from lightgbm import LGBMClassifier

        self.columns = [*categorical, *numeric]
        self.model = LGBMClassifier(
            n_estimators=300,
            learning_rate=0.02,
            num_leaves=7,
            min_child_samples=25,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.7,
            reg_lambda=5.0,
            random_state=seed,
            n_jobs=2,
            verbose=-1,
        )

    def fit(self, X: pd.DataFrame, y: npt.ArrayLike, w: npt.ArrayLike) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.model.fit(X[self.columns], np.asarray(y), sample_weight=np.asarray(w))

    def predict_pd(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            p = np.asarray(self.model.predict_proba(X[self.columns]))[:, 1]
        return np.asarray(p, dtype=np.float64)


def make_learner(
    kind: Learner, categorical: Sequence[str], numeric: Sequence[str], seed: int = 0
) -> _Model:
    """A fresh learner of the given kind."""
    if kind == "logistic":
        return _Logistic(list(categorical), list(numeric), seed)
    if kind == "lightgbm":
        return _LightGBM(list(categorical), list(numeric), seed)
    raise DataError(f"learner must be 'logistic' or 'lightgbm'; got {kind!r}.")


@dataclass(frozen=True)
class ExperimentResult:
    """Per-fold figures and their summary by variant."""

    folds: pd.DataFrame
    summary: pd.DataFrame
    settings: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "summary": self.summary.reset_index().to_dict(orient="records"),
        }


def _evaluate(
    y: npt.NDArray[np.int64],
    p: npt.NDArray[np.float64],
    cutoff: float,
    cost_bad: float,
    cost_good: float,
    approve_share: float,
) -> dict[str, float]:
    approve = p < cutoff
    cost = cost_bad * np.sum(approve & (y == 1)) + cost_good * np.sum(
        ~approve & (y == 0)
    )
    k = max(1, round(approve_share * len(p)))
    best = np.argsort(p, kind="stable")[:k]
    return {
        "auc": float(roc_auc_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "expected_cost": float(cost / len(y)),
        "approval_rate": float(approve.mean()),
        "bad_rate_at_share": float(y[best].mean()),
        "mean_pd": float(p.mean()),
    }


def _oof_pd(
    learner: Learner,
    X: pd.DataFrame,
    y: npt.NDArray[np.int64],
    cat: Sequence[str],
    num: Sequence[str],
    seed: int,
) -> npt.NDArray[np.float64]:
    out = np.empty(len(y))
    inner = StratifiedKFold(5, shuffle=True, random_state=seed)
    for tr, te in inner.split(X, y):
        m = make_learner(learner, cat, num, seed)
        m.fit(X.iloc[tr], y[tr], np.ones(len(tr)))
        out[te] = m.predict_pd(X.iloc[te])
    return out


def run_experiment(
    frame: pd.DataFrame,
    target: str,
    categorical: Sequence[str],
    numeric: Sequence[str],
    *,
    learner: Learner = "logistic",
    folds: int = 5,
    repeats: int = 2,
    decline_share: float = 0.3,
    cost_bad: float = 5.0,
    cost_good: float = 1.0,
    seed: int = 0,
) -> ExperimentResult:
    """Run the hidden-outcomes experiment (see the module docstring).

    Parameters
    ----------
    frame : DataFrame
        Applicants with their true outcome in ``target`` (1 = bad).
    target : str
        Outcome column.
    categorical, numeric : sequences of str
        Feature columns (protected characteristics must not be among them).
    learner : "logistic" or "lightgbm"
    folds, repeats : int
        Outer repeated stratified k-fold.
    decline_share : float, default 0.3
        Share of each training fold the first model declines.
    cost_bad, cost_good : float
        Cost of a bad approved and of a good declined; the cut-off is
        ``cost_good / (cost_good + cost_bad)``.
    seed : int

    Returns
    -------
    ExperimentResult
    """
    if not 0 < decline_share < 1:
        raise DataError(f"decline_share must be in (0, 1); got {decline_share}.")
    y_all = frame[target].to_numpy(dtype=np.int64)
    X_all = frame[[*categorical, *numeric]].reset_index(drop=True)
    cutoff = cost_good / (cost_good + cost_bad)
    outer = RepeatedStratifiedKFold(
        n_splits=folds, n_repeats=repeats, random_state=seed
    )
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for fold, (tr, te) in enumerate(outer.split(X_all, y_all)):
        X_tr, y_tr = X_all.iloc[tr].reset_index(drop=True), y_all[tr]
        X_te, y_te = X_all.iloc[te].reset_index(drop=True), y_all[te]
        first = _oof_pd(learner, X_tr, y_tr, categorical, numeric, seed + fold)
        declined = first >= np.quantile(first, 1 - decline_share)
        known = ~declined

        fits: dict[str, npt.NDArray[np.float64]] = {}
        m_known = make_learner(learner, categorical, numeric, seed)
        m_known.fit(X_tr[known], y_tr[known], np.ones(int(known.sum())))
        fits["known_only"] = m_known.predict_pd(X_te)
        pd_known = m_known.predict_pd(X_tr[known])
        pd_rej = m_known.predict_pd(X_tr[declined])
        methods: tuple[Method, ...] = ("fuzzy", "parcelling")
        for method in methods:
            aug = augment(
                method,
                X_tr[known].reset_index(drop=True),
                y_tr[known],
                pd_known,
                X_tr[declined].reset_index(drop=True),
                pd_rej,
                seed=seed + fold,
            )
            m = make_learner(learner, categorical, numeric, seed)
            m.fit(aug.X, aug.y, aug.weight)
            fits[method] = m.predict_pd(X_te)
        m_oracle = make_learner(learner, categorical, numeric, seed)
        m_oracle.fit(X_tr, y_tr, np.ones(len(y_tr)))
        fits["oracle"] = m_oracle.predict_pd(X_te)

        for variant, p in fits.items():
            row = {
                "fold": fold,
                "variant": variant,
                "hidden_bad_rate": float(y_tr[declined].mean()),
                "known_bad_rate": float(y_tr[known].mean()),
            }
            row.update(
                _evaluate(y_te, p, cutoff, cost_bad, cost_good, 1 - decline_share)
            )
            rows.append(row)
    per_fold = pd.DataFrame(rows)
    metrics = [
        "auc",
        "brier",
        "expected_cost",
        "approval_rate",
        "bad_rate_at_share",
        "mean_pd",
    ]
    g = per_fold.groupby("variant")[metrics]
    summary = g.mean().join(g.std(ddof=1).add_suffix("_std")).reindex(list(VARIANTS))
    # Paired difference to known-only, fold by fold (same test rows).
    wide = per_fold.pivot(index="fold", columns="variant", values="expected_cost")
    summary["cost_vs_known"] = [
        float((wide[v] - wide["known_only"]).mean()) for v in VARIANTS
    ]
    summary["cost_vs_known_std"] = [
        float((wide[v] - wide["known_only"]).std(ddof=1)) for v in VARIANTS
    ]
    auc_wide = per_fold.pivot(index="fold", columns="variant", values="auc")
    summary["auc_vs_known"] = [
        float((auc_wide[v] - auc_wide["known_only"]).mean()) for v in VARIANTS
    ]
    settings = {
        "learner": learner,
        "folds": folds,
        "repeats": repeats,
        "decline_share": decline_share,
        "cutoff": cutoff,
        "cost_bad": cost_bad,
        "cost_good": cost_good,
        "seed": seed,
        "n": len(frame),
        "seconds": round(time.perf_counter() - started, 1),
    }
    logger.info("reject-inference experiment done in %.1f s", settings["seconds"])
    return ExperimentResult(per_fold, summary, settings)


def german_experiment(**kwargs: Any) -> ExperimentResult:
    """:func:`run_experiment` on German credit, protected characteristics excluded."""
    from finduo.datasets.german import (
        CATEGORICAL,
        NUMERIC,
        PROTECTED,
        TARGET,
        load_german,
    )

    df = load_german()
    cats = [c for c in CATEGORICAL if c not in PROTECTED]
    nums = [c for c in NUMERIC if c not in PROTECTED]
    return run_experiment(df, TARGET, cats, nums, **kwargs)


__all__ = [
    "VARIANTS",
    "ExperimentResult",
    "Learner",
    "german_experiment",
    "make_learner",
    "run_experiment",
]
