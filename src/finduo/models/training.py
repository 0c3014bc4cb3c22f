"""Train finduo's two models on one data frame."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from finduo.datasets.csvio import detect_id_columns
from finduo.errors import DataError
from finduo.features import FeatureSet
from finduo.models.base import RiskModel, base_meta, fingerprint_frame, make_version
from finduo.models.lightgbm import LightGBMModel
from finduo.models.scorecard import ScorecardModel

logger = logging.getLogger(__name__)

MODEL_CLASSES: dict[str, Any] = {"lightgbm": LightGBMModel, "scorecard": ScorecardModel}


def check_target(df: pd.DataFrame, target: str) -> pd.Series:
    """The target as int 0/1; a clear error when it is not."""
    if target not in df.columns:
        raise DataError(f"target column {target!r} is not in the data.", field=target)
    values = df[target]
    if values.isna().any() or not values.isin([0, 1]).all():
        raise DataError(
            f"target {target!r} must be 0 (good) or 1 (bad) in every row; got "
            f"{sorted(map(str, values.unique()))[:5]}.",
            field=target,
        )
    if values.nunique() < 2:
        raise DataError(f"target {target!r} has only one class; cannot train.")
    return values.astype("int64")


def all_id_columns(
    df: pd.DataFrame, target: str, named: Iterable[str] = ()
) -> list[str]:
    """The named id columns plus those :func:`detect_id_columns` finds."""
    found = detect_id_columns(df.drop(columns=[target], errors="ignore"))
    return list(dict.fromkeys([*named, *found]))


def train_models(
    df: pd.DataFrame,
    target: str,
    dataset: str,
    protected: Iterable[str] = (),
    seed: int = 0,
    id_columns: Iterable[str] = (),
    metrics: Mapping[str, Mapping[str, Any]] | None = None,
    kinds: Iterable[str] = ("lightgbm", "scorecard"),
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, RiskModel]:
    """Train the LightGBM and the scorecard model on all rows of ``df``.

    Parameters
    ----------
    df : pandas.DataFrame
        Training rows with inputs and the target (0 good, 1 bad).
    target : str
        Target column.
    dataset : str
        Data set name; part of the version.
    protected : iterable of str
        Protected characteristics: never model inputs (recorded in meta.json).
    seed : int
        Seed of every random step; equal inputs give equal models.
    id_columns : iterable of str
        Columns that identify a row; never inputs.
    metrics : mapping, optional
        Cross-validation metrics per kind (from :mod:`finduo.evaluation`),
        stored in meta.json. Never metrics on the training rows.
    kinds, params : optional
        Which models to train, and hyperparameters per kind.

    Returns
    -------
    dict
        Kind -> fitted model with version and metadata (not yet saved; see
        :func:`finduo.models.save_model`).
    """
    y = check_target(df, target).to_numpy()
    protected = list(protected)
    # id-like columns are never inputs, even when the caller did not name them
    id_columns = all_id_columns(df, target, id_columns)
    excluded = [target, *id_columns, *protected]
    spec = FeatureSet.fit(df, exclude=excluded)
    X = spec.encode_frame(df)
    fingerprint = fingerprint_frame(df)
    models: dict[str, RiskModel] = {}
    for kind in kinds:
        started = time.perf_counter()
        model = MODEL_CLASSES[kind].fit(
            X, y, spec, seed=seed, params=dict((params or {}).get(kind, {}))
        )
        created = datetime.now(UTC)
        meta = base_meta(
            kind,
            dataset,
            spec,
            seed,
            model.meta.get("hyperparameters", {}),
            protected,
            fingerprint,
            len(df),
            float(y.mean()),
        )
        meta["created_at"] = created.isoformat(timespec="seconds")
        meta["id_columns"] = id_columns
        meta["target"] = target
        meta["metrics"] = dict((metrics or {}).get(kind, {}))
        meta["metrics_source"] = "cross-validation" if metrics else "none"
        model.meta = {**model.meta, **meta}
        model.version = make_version(kind, dataset, model.content(), created)
        model.meta["version"] = model.version
        models[kind] = model
        logger.info("trained %s in %.1fs", model.version, time.perf_counter() - started)
    return models


__all__ = ["MODEL_CLASSES", "all_id_columns", "check_target", "train_models"]
