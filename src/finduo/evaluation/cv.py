"""Honest evaluation: repeated stratified k-fold cross-validation.

Per fold, everything is learnt from the training rows only: the feature set
(categories, ranges), LightGBM's number of rounds and its Platt calibration
(inner 5-fold split of the training rows), the scorecard's binning, WoE and
regression, the baseline's one-hot encoding and scaling. The decline cut-off
is the Bayes cut-off of the cost matrix applied to the calibrated pd
(decline when pd > c_good_declined / (c_good_declined + c_bad_accepted),
1/6 for German credit): it is fixed before any data is seen, which is the
strictest form of "chosen without the reported fold", and it is the cut-off
the shipped policy derives from the same cost matrix. Metrics are computed on
the held-out fold and averaged over all folds x repeats.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.model_selection import RepeatedStratifiedKFold

from finduo.datasets.registry import DatasetInfo
from finduo.errors import DataError
from finduo.evaluation import metrics
from finduo.evaluation.baseline import BaselineLogit
from finduo.features import FeatureSet
from finduo.models.lightgbm import LightGBMModel
from finduo.models.scorecard import ScorecardModel
from finduo.models.training import all_id_columns, check_target

logger = logging.getLogger(__name__)

MODELS: dict[str, Any] = {
    "lightgbm": LightGBMModel,
    "scorecard": ScorecardModel,
    "baseline": BaselineLogit,
}
Progress = Callable[[int, int], None]


@dataclass
class Evaluation:
    """Result of :func:`cross_validate`."""

    dataset: str
    folds: int
    repeats: int
    seed: int
    models: dict[str, dict[str, float]]
    cutoff: float
    cost_bad_accepted: float
    cost_good_declined: float
    seconds: float
    # out-of-fold pd per model, averaged over the repeats, shape (n,)
    oof_pd: dict[str, np.ndarray] = field(default_factory=dict)
    y: np.ndarray = field(default_factory=lambda: np.empty(0))

    def to_dict(self) -> dict[str, Any]:
        """Exactly ``{"dataset","folds","repeats","seed","models":{...}}``."""
        return {
            "dataset": self.dataset,
            "folds": self.folds,
            "repeats": self.repeats,
            "seed": self.seed,
            "models": self.models,
        }


def fold_plan(
    y: np.ndarray, folds: int, repeats: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Training and test row positions of every fold, repeat by repeat."""
    if folds < 2:
        raise DataError(f"folds must be at least 2; got {folds}.")
    if repeats < 1:
        raise DataError(f"repeats must be at least 1; got {repeats}.")
    smallest = int(min(np.sum(y == 0), np.sum(y == 1)))
    if smallest < folds:
        raise DataError(
            f"the smaller class has {smallest} rows; {folds} folds need at least "
            f"{folds}."
        )
    plan = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    return list(plan.split(np.zeros(len(y)), y))


def _run_fold(
    df: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    exclude: Sequence[str],
    kinds: Sequence[str],
    seed: int,
    cutoff: float,
    costs: tuple[float, float],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    raw_columns: Sequence[str] = (),
) -> dict[str, tuple[dict[str, float], np.ndarray]]:
    spec = FeatureSet.fit(df.iloc[train], exclude=exclude)
    X_train = spec.encode_frame(df.iloc[train])
    X_test = spec.encode_frame(df.iloc[test])
    out = {}
    runs: list[tuple[str, Any, FeatureSet, np.ndarray, np.ndarray]] = [
        (kind, MODELS[kind], spec, X_train, X_test) for kind in kinds
    ]
    if raw_columns:  # reference: LightGBM on the published columns alone
        raw = df[list(raw_columns)]
        raw_spec = FeatureSet.fit(raw.iloc[train])
        runs.append(
            (
                "lightgbm_raw",
                LightGBMModel,
                raw_spec,
                raw_spec.encode_frame(raw.iloc[train]),
                raw_spec.encode_frame(raw.iloc[test]),
            )
        )
    for kind, model_class, kind_spec, X_train, X_test in runs:
        extra = (params or {}).get(kind.removesuffix("_raw"))
        if extra:
            model = model_class.fit(
                X_train, y[train], kind_spec, seed=seed, params=dict(extra)
            )
        else:
            model = model_class.fit(X_train, y[train], kind_spec, seed=seed)
        pd_ = model.predict_pd(X_test)
        truth = y[test]
        out[kind] = (
            {
                "auc": metrics.auc(truth, pd_),
                "ks": metrics.ks(truth, pd_),
                "brier": metrics.brier(truth, pd_),
                "expected_cost": metrics.expected_cost(truth, pd_, cutoff, *costs),
            },
            pd_,
        )
    return out


def _summary(per_fold: list[dict[str, float]]) -> dict[str, float]:
    aucs = np.array([f["auc"] for f in per_fold])
    costs = np.array([f["expected_cost"] for f in per_fold])
    mean_auc = float(aucs.mean())
    return {
        "auc": round(mean_auc, 4),
        "auc_std": round(float(aucs.std(ddof=1)) if len(aucs) > 1 else 0.0, 4),
        "gini": round(2 * mean_auc - 1, 4),
        "ks": round(float(np.mean([f["ks"] for f in per_fold])), 4),
        "brier": round(float(np.mean([f["brier"] for f in per_fold])), 4),
        "expected_cost": round(float(costs.mean()), 4),
        "expected_cost_std": round(
            float(costs.std(ddof=1)) if len(costs) > 1 else 0.0, 4
        ),
    }


def default_jobs() -> int:
    """Parallel folds: the cores this process may use, at most 2 by default."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def cross_validate(
    df: pd.DataFrame,
    target: str,
    dataset: str,
    protected: Iterable[str] = (),
    id_columns: Iterable[str] = (),
    cost_bad_accepted: float = 1.0,
    cost_good_declined: float = 1.0,
    folds: int = 5,
    repeats: int = 1,
    seed: int = 0,
    kinds: Sequence[str] = ("lightgbm", "scorecard", "baseline"),
    n_jobs: int | None = None,
    progress: Progress | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    raw_columns: Sequence[str] = (),
) -> Evaluation:
    """Repeated stratified k-fold cross-validation of finduo's models and baseline.

    Parameters
    ----------
    df : pandas.DataFrame
        All rows, inputs plus the target (0 good, 1 bad).
    target, dataset : str
        Target column; data set name (reported).
    protected, id_columns : iterable of str
        Never model inputs.
    cost_bad_accepted, cost_good_declined : float
        Cost matrix for ``expected_cost`` (average cost per application).
    folds, repeats, seed : int
        The split: ``folds`` stratified folds, repeated ``repeats`` times.
    kinds : sequence of str
        Models to evaluate, from ``lightgbm``, ``scorecard``, ``baseline``.
    n_jobs : int, optional
        Folds run in parallel (default: up to 2 cores).
    progress : callable, optional
        Called as ``progress(done, total)`` after each fold.
    params : mapping, optional
        Hyperparameters per model kind (fixed in advance), e.g. the data set's.
    raw_columns : sequence of str
        When given, never inputs of the models; a LightGBM on these columns
        alone is reported as ``lightgbm_raw`` on the same folds.

    Returns
    -------
    Evaluation
        ``to_dict()`` gives the reported JSON; ``oof_pd`` the out-of-fold pd.
    """
    started = time.perf_counter()
    unknown = [k for k in kinds if k not in MODELS]
    if unknown:
        raise DataError(f"models must be among {list(MODELS)}; got {unknown}.")
    y = check_target(df, target).to_numpy()
    df = df.reset_index(drop=True)
    id_columns = all_id_columns(df, target, id_columns)
    exclude = [target, *id_columns, *protected, *raw_columns]
    plan = fold_plan(y, folds, repeats, seed)
    cutoff = metrics.bayes_cutoff(cost_bad_accepted, cost_good_declined)
    costs = (cost_bad_accepted, cost_good_declined)
    jobs = n_jobs or default_jobs()
    tasks = (
        delayed(_run_fold)(
            df,
            y,
            tr,
            te,
            exclude,
            list(kinds),
            seed,
            cutoff,
            costs,
            params,
            raw_columns,
        )
        for tr, te in plan
    )
    reported = [*kinds, *(["lightgbm_raw"] if raw_columns else [])]
    per_fold: dict[str, list[dict[str, float]]] = {k: [] for k in reported}
    oof = {k: np.zeros((repeats, len(y))) for k in reported}
    runner = Parallel(n_jobs=jobs, return_as="generator")
    for index, result in enumerate(runner(tasks)):
        repeat = index // folds
        test = plan[index][1]
        for kind, (fold_metrics, pd_) in result.items():
            per_fold[kind].append(fold_metrics)
            oof[kind][repeat, test] = pd_
        if progress is not None:
            progress(index + 1, len(plan))
    seconds = time.perf_counter() - started
    logger.info(
        "cross-validated %s: %d folds x %d repeats in %.1fs",
        dataset,
        folds,
        repeats,
        seconds,
    )
    return Evaluation(
        dataset=dataset,
        folds=folds,
        repeats=repeats,
        seed=seed,
        models={k: _summary(per_fold[k]) for k in reported},
        cutoff=cutoff,
        cost_bad_accepted=cost_bad_accepted,
        cost_good_declined=cost_good_declined,
        seconds=seconds,
        oof_pd={k: v.mean(axis=0) for k, v in oof.items()},
        y=y,
    )


def evaluate_dataset(
    info: DatasetInfo,
    folds: int | None = None,
    repeats: int | None = None,
    seed: int = 0,
    kinds: Sequence[str] = ("lightgbm", "scorecard", "baseline"),
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """:func:`cross_validate` with a data set's own defaults and cost matrix."""
    ids = [info.id_column] if info.id_column else []
    return cross_validate(
        info.load(),
        info.target,
        info.name,
        protected=info.protected,
        id_columns=[*ids, *info.extra_ids],
        cost_bad_accepted=info.cost_bad_accepted,
        cost_good_declined=info.cost_good_declined,
        folds=folds or info.folds,
        repeats=repeats or info.repeats,
        seed=seed,
        kinds=kinds,
        n_jobs=n_jobs,
        progress=progress,
        params=info.params,
        raw_columns=info.raw_columns,
    )


__all__ = ["MODELS", "Evaluation", "cross_validate", "evaluate_dataset", "fold_plan"]
