"""German credit, read from FINDUO_DATA_DIR (never downloaded), and trained models."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets import german
from finduo.models import RiskModel, train_models


def real_data_dir() -> Path:
    candidates = []
    if os.environ.get("FINDUO_DATA_DIR"):
        candidates.append(Path(os.environ["FINDUO_DATA_DIR"]))
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "data")
    for folder in candidates:
        if (folder / "german-credit" / "german.data").is_file():
            return folder
    pytest.fail("German credit data not found: set FINDUO_DATA_DIR")


@pytest.fixture(scope="session")
def german_frame() -> pd.DataFrame:
    return german.load_german(real_data_dir(), url="http://127.0.0.1:9/never-used")


@pytest.fixture(scope="session")
def trained(german_frame: pd.DataFrame) -> dict[str, RiskModel]:
    return train_models(
        german_frame,
        german.TARGET,
        "german-credit",
        protected=german.PROTECTED,
        seed=0,
        id_columns=[german.ID_COLUMN],
    )
