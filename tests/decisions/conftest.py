"""Models trained once per test module on 80 % of the real German credit data."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from finduo.datasets.german import ID_COLUMN, PROTECTED, TARGET, load_german
from finduo.models import train_models


@pytest.fixture(scope="session")
def german_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = load_german()
    train, held_out = train_test_split(
        data, test_size=0.2, stratify=data[TARGET], random_state=0
    )
    return train.reset_index(drop=True), held_out.reset_index(drop=True)


@pytest.fixture(scope="session")
def german_models(german_split: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, Any]:
    train, _ = german_split
    return train_models(
        train,
        TARGET,
        "german-credit",
        protected=PROTECTED,
        seed=0,
        id_columns=[ID_COLUMN],
    )


@pytest.fixture()
def held_out(german_split: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return german_split[1].drop(columns=[TARGET])
