"""Fixtures of the explanation tests: a model trained on 80 % of German credit
(seeded, stratified), the shipped policy, and the held-out applications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from finduo.decisions.engine import Engine
from finduo.policy import LoadedPolicy, shipped_policy

TARGET = "bad"


@dataclass(frozen=True)
class Trained:
    model: Any
    policy: LoadedPolicy
    train: pd.DataFrame
    held_out: pd.DataFrame


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    from sklearn.model_selection import train_test_split

    from finduo.datasets.german import load_german
    from finduo.models import train_models

    data = load_german()
    train, held_out = train_test_split(
        data, test_size=0.2, stratify=data[TARGET], random_state=0
    )
    policy = shipped_policy()
    models = train_models(
        train.reset_index(drop=True),
        target=TARGET,
        dataset="german-credit",
        seed=0,
        protected=policy.policy.protected,
        id_columns=("application_id",),
        kinds=(policy.policy.champion,),
    )
    return Trained(
        models[policy.policy.champion],
        policy,
        train.reset_index(drop=True),
        held_out.reset_index(drop=True),
    )


@pytest.fixture(scope="session")
def engine(trained: Trained) -> Engine:
    """An engine that records nothing: the active policy as written."""
    return Engine(trained.model, trained.policy)


@pytest.fixture(scope="session")
def applications(trained: Trained, engine: Engine) -> list[dict[str, Any]]:
    """Held-out applications as a client sends them (no target)."""
    rows = trained.held_out.drop(columns=[TARGET]).to_dict("records")
    out = []
    for row in rows:
        values = engine.schema.csv_values(row)
        out.append({k: v for k, v in values.items() if k in engine.schema.fields})
    return out
