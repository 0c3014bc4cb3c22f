"""The plain baseline every evaluation reports: one-hot logistic regression.

Categorical inputs one-hot encoded (unseen values: all zeros), numbers
median-imputed and standardised, L2 logistic regression with scikit-learn's
default strength (C = 1). Nothing is tuned.
"""

from __future__ import annotations

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from finduo.features import FeatureSet


class BaselineLogit:
    """One-hot logistic regression on a :class:`FeatureSet`'s encoded rows."""

    kind = "baseline"

    def __init__(self, pipeline: Pipeline, spec: FeatureSet) -> None:
        self.pipeline = pipeline
        self.spec = spec

    @classmethod
    def fit(
        cls, X: np.ndarray, y: np.ndarray, spec: FeatureSet, seed: int = 0
    ) -> BaselineLogit:
        cats = [j for j, f in enumerate(spec.features) if f.kind == "categorical"]
        nums = [j for j, f in enumerate(spec.features) if f.kind == "numeric"]
        parts = []
        if cats:
            parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"), cats))
        if nums:
            numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
            parts.append(("numeric", numeric, nums))
        pipeline = make_pipeline(
            ColumnTransformer(parts),
            LogisticRegression(max_iter=5000, random_state=seed),
        )
        pipeline.fit(X, y)
        return cls(pipeline, spec)

    def predict_pd(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(X)[:, 1])


__all__ = ["BaselineLogit"]
