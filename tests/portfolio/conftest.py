"""Fixtures of the portfolio tests: real Taiwan rows, a small model, the policy."""

from __future__ import annotations

import os
from pathlib import Path

import lightgbm as lgb
import pandas as pd
import pytest

from finduo.behaviour.model import CATEGORICAL_INPUTS, INPUTS, modelling_frame
from finduo.datasets import taiwan
from finduo.features import FeatureSet
from finduo.models.lightgbm import LightGBMModel, fit_platt
from finduo.portfolio.policy import LoadedEarlyWarning, load_early_warning
from finduo.settings import get_settings

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real data from FINDUO_DATA_DIR, else the checkout's ../shared/data."""
    if not os.environ.get("FINDUO_DATA_DIR"):
        monkeypatch.setenv("FINDUO_DATA_DIR", str(SHARED_DATA))
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def taiwan_wide() -> pd.DataFrame:
    path = Path(os.environ.get("FINDUO_DATA_DIR") or SHARED_DATA)
    return taiwan.load_taiwan(path / taiwan.NAME / taiwan.FILE_NAME)


@pytest.fixture(scope="session")
def scan_model(taiwan_wide: pd.DataFrame) -> LightGBMModel:
    """A small LightGBM on the behavioural inputs (fast; quality is not tested here)."""
    frame = modelling_frame(taiwan_wide.sample(6000, random_state=0))
    spec = FeatureSet.fit(frame[list(INPUTS)])
    X = spec.encode_frame(frame)
    y = frame[taiwan.TARGET].to_numpy()
    params = {
        "objective": "binary",
        "num_leaves": 15,
        "learning_rate": 0.1,
        "min_data_in_leaf": 50,
        "verbose": -1,
        "seed": 0,
        "num_threads": 1,
    }
    booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=40)
    a, b = fit_platt(booster.predict(X, raw_score=True), y)
    model = LightGBMModel(booster, spec, a, b, version="lightgbm-taiwan-test-0001")
    assert set(CATEGORICAL_INPUTS) <= set(spec.categorical)
    return model


@pytest.fixture(scope="session")
def policy() -> LoadedEarlyWarning:
    return load_early_warning()


@pytest.fixture
def portfolio_csv(tmp_path: Path, taiwan_wide: pd.DataFrame) -> Path:
    """3,000 real customers in finduo's wide layout (no target)."""
    path = tmp_path / "portfolio.csv"
    sample = taiwan_wide.sample(3000, random_state=1)
    sample.drop(columns=[taiwan.TARGET]).to_csv(path, index=False)
    return path
