"""LightGBM with a calibrated probability of default.

The number of boosting rounds and the calibration are both learnt inside the
training data: a 5-fold split of the training rows gives, per round, the mean
validation log-loss (the best round is kept) and out-of-fold raw scores, on
which a Platt scaling ``pd = sigmoid(a * raw + b)`` is fitted. The final
booster is then trained on all training rows. Categorical inputs enter as
their integer codes (category order, the codebook order for German credit).
Saved as LightGBM's own text model plus ``meta.json``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.model_selection import StratifiedKFold

from finduo.errors import ModelError
from finduo.features import FeatureSet
from finduo.models.base import check_matrix, sigmoid, write_meta

MODEL_FILE = "model.txt"

# Fixed in advance, not tuned on reported folds: small trees, strong L2,
# small learning rate; only the number of rounds is chosen (inside training).
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.02,
    "num_leaves": 4,
    "max_depth": 2,
    "min_data_in_leaf": 30,
    "lambda_l2": 5.0,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "max_bin": 63,
    "verbose": -1,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
}
MAX_ROUNDS = 1000
MIN_ROUNDS = 20
INNER_FOLDS = 5
SINGLE_ROW_LIMIT = 256


def fit_platt(
    raw: np.ndarray, y: np.ndarray, iterations: int = 50
) -> tuple[float, float]:
    """Fit ``P(bad) = sigmoid(a * raw + b)`` by Newton's method (Platt's targets)."""
    n_bad = float(y.sum())
    n_good = float(len(y) - n_bad)
    # Platt's smoothed targets keep the fit finite on separable scores.
    t = np.where(y == 1, (n_bad + 1) / (n_bad + 2), 1 / (n_good + 2))
    a, b = 1.0, math.log((n_bad + 1) / (n_good + 1))
    for _ in range(iterations):
        p = sigmoid(a * raw + b)
        w = p * (1 - p) + 1e-12
        g = np.array([np.sum((p - t) * raw), np.sum(p - t)])
        h = np.array(
            [[np.sum(w * raw * raw), np.sum(w * raw)], [np.sum(w * raw), np.sum(w)]]
        )
        h += np.eye(2) * 1e-9
        step = np.linalg.solve(h, g)
        a, b = a - float(step[0]), b - float(step[1])
        if np.max(np.abs(step)) < 1e-10:
            break
    return a, b


class LightGBMModel:
    """Gradient-boosted trees with Platt-calibrated pd (see module docstring)."""

    kind = "lightgbm"

    def __init__(
        self,
        booster: lgb.Booster,
        spec: FeatureSet,
        a: float,
        b: float,
        meta: dict[str, Any] | None = None,
        version: str = "",
    ) -> None:
        self.booster = booster
        self.spec = spec
        self.a = a
        self.b = b
        self.meta: dict[str, Any] = meta or {}
        self.version = version

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        spec: FeatureSet,
        seed: int = 0,
        params: dict[str, Any] | None = None,
    ) -> LightGBMModel:
        """Fit on encoded rows ``X`` (n, k) and targets ``y`` (n,), 1 = bad."""
        X = check_matrix(X, spec)
        y = np.asarray(y, dtype=np.int64)
        full = {**DEFAULT_PARAMS, **(params or {}), "seed": seed}
        max_rounds = int(full.pop("max_rounds", MAX_ROUNDS))
        inner = StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=seed)
        splits = list(inner.split(X, y))
        curves, boosters = [], []
        for train, valid in splits:
            record: dict[str, Any] = {}
            data = lgb.Dataset(X[train], y[train], free_raw_data=False)
            check = lgb.Dataset(X[valid], y[valid], reference=data)
            boosters.append(
                lgb.train(
                    full,
                    data,
                    num_boost_round=max_rounds,
                    valid_sets=[check],
                    valid_names=["valid"],
                    callbacks=[lgb.record_evaluation(record)],
                )
            )
            curves.append(record["valid"]["binary_logloss"])
        mean_curve = np.mean(np.array(curves), axis=0)
        rounds = max(MIN_ROUNDS, int(np.argmin(mean_curve)) + 1)
        raw = np.empty(len(y))
        for booster, (_, valid) in zip(boosters, splits, strict=True):
            raw[valid] = booster.predict(X[valid], raw_score=True, num_iteration=rounds)
        a, b = fit_platt(raw, y)
        final = lgb.train(full, lgb.Dataset(X, y), num_boost_round=rounds)
        model = cls(final, spec, a, b)
        model.meta = {
            "hyperparameters": {**full, "num_boost_round": rounds},
            "calibration": {"method": "platt", "a": a, "b": b},
        }
        return model

    def _threads(self, n: int, num_threads: int | None) -> int:
        if num_threads is not None:
            return num_threads
        return 1 if n <= SINGLE_ROW_LIMIT else 0

    def raw_score(self, X: np.ndarray, num_threads: int | None = None) -> np.ndarray:
        X = check_matrix(X, self.spec)
        threads = self._threads(len(X), num_threads)
        return np.asarray(self.booster.predict(X, raw_score=True, num_threads=threads))

    def predict_pd(self, X: np.ndarray, num_threads: int | None = None) -> np.ndarray:
        """Calibrated pd, shape (n,).

        Parameters
        ----------
        X : ndarray of shape (n, k)
            Encoded rows (see :meth:`FeatureSet.encode_frame`).
        num_threads : int, optional
            LightGBM threads; default 1 for up to 256 rows (steady latency for
            single requests), all cores above.
        """
        return sigmoid(self.a * self.raw_score(X, num_threads) + self.b)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """SHAP values on the calibrated log-odds scale, (n, k); > 0 raises risk."""
        X = check_matrix(X, self.spec)
        threads = self._threads(len(X), None)
        shap = self.booster.predict(X, pred_contrib=True, num_threads=threads)
        return np.asarray(shap)[:, : len(self.spec)] * self.a

    def content(self) -> bytes:
        return str(self.booster.model_to_string()).encode("utf-8")

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / MODEL_FILE))
        meta = {
            **self.meta,
            "kind": self.kind,
            "version": self.version,
            "model_file": MODEL_FILE,
            "features": self.spec.to_dict()["features"],
            "calibration": {"method": "platt", "a": self.a, "b": self.b},
        }
        write_meta(folder, meta)

    @classmethod
    def load(cls, folder: Path, meta: dict[str, Any]) -> LightGBMModel:
        path = folder / meta.get("model_file", MODEL_FILE)
        if not path.is_file():
            raise ModelError(f"LightGBM model file {path} is missing.")
        try:
            booster = lgb.Booster(model_file=str(path))
            calibration = meta["calibration"]
            a, b = float(calibration["a"]), float(calibration["b"])
        except (KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as exc:
            raise ModelError(
                f"cannot load the LightGBM model in {folder}: {exc}"
            ) from exc
        spec = FeatureSet.from_dict(meta)
        if booster.num_feature() != len(spec):
            raise ModelError(
                f"{path} has {booster.num_feature()} inputs; "
                f"meta.json names {len(spec)}."
            )
        return cls(booster, spec, a, b, meta=meta, version=str(meta.get("version", "")))


__all__ = ["DEFAULT_PARAMS", "LightGBMModel", "fit_platt"]
