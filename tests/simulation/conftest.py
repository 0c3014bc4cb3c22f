"""German credit with out-of-fold pd, standing in for stored decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from finduo.datasets.german import CATEGORICAL, NUMERIC, PROTECTED, load_german


@pytest.fixture(scope="session")
def german_scored() -> pd.DataFrame:
    """German credit with an out-of-fold pd from a plain logistic regression."""
    df = load_german()
    cats = [c for c in CATEGORICAL if c not in PROTECTED]
    pre = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), cats),
        (StandardScaler(), list(NUMERIC)),
    )
    model = make_pipeline(pre, LogisticRegression(max_iter=2000))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    pd_ = cross_val_predict(model, df, df["bad"], cv=folds, method="predict_proba")[
        :, 1
    ]
    out = df.copy()
    out["pd"] = pd_
    out["decision_id"] = [f"D-{i:05d}" for i in range(len(df))]
    # A few stored decisions carried a feature flag (value unseen in training).
    rng = np.random.default_rng(0)
    out["referral_reasons"] = [
        ["unseen:purpose"] if x else [] for x in rng.random(len(df)) < 0.03
    ]
    return out
