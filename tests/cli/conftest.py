"""A state folder with models trained on 80 % of German credit, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sklearn.model_selection import train_test_split
from typer.testing import CliRunner

from finduo.cli import _register_all
from finduo.datasets.german import ID_COLUMN, PROTECTED, TARGET, load_german
from finduo.models import save_model, train_models
from finduo.settings import get_settings
from finduo.store import Store

# Users of each test store: name -> role (`finduo --as NAME ...`).
USERS = {"carla": "decider", "eva": "decider", "rita": "reviewer"}


@pytest.fixture(scope="session")
def split() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = load_german()
    train, held_out = train_test_split(
        data, test_size=0.2, stratify=data[TARGET], random_state=0
    )
    return train.reset_index(drop=True), held_out.reset_index(drop=True)


@pytest.fixture(scope="session")
def trained_models_dir(
    split: tuple[pd.DataFrame, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("models")
    models = train_models(
        split[0],
        TARGET,
        "german-credit",
        protected=PROTECTED,
        seed=0,
        id_columns=[ID_COLUMN],
    )
    for model in models.values():
        save_model(model, folder)
    return folder


@pytest.fixture()
def state(
    tmp_path: Path, trained_models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """FINDUO_STATE_DIR = a fresh folder holding copies of the trained models.

    Its store has the users of :data:`USERS` (decide and resolve check roles).
    """
    shutil.copytree(trained_models_dir, tmp_path / "models")
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    for name in ("FINDUO_DATABASE_URL", "FINDUO_USER", "FINDUO_POLICY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    _register_all()
    store = Store.from_settings(get_settings())
    store.upgrade()
    for name, role in USERS.items():
        store.create_user(name, [role], "admin")
    store.close()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
