"""Fixtures of the API tests: a model trained once on German credit, held-out
applications as JSON, and a client per backend with a token for every role.

The store fixtures (``store_url`` over SQLite and PostgreSQL, ``pg_url``) come
from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import TARGET, Api, Trained, open_api

from finduo.decisions.engine import Engine
from finduo.policy import shipped_policy


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """Both models trained on a seeded, stratified 80 % of German credit."""
    from sklearn.model_selection import train_test_split

    from finduo.datasets.german import ID_COLUMN, load_german
    from finduo.models import save_model, train_models

    data = load_german()
    train, held_out = train_test_split(
        data, test_size=0.2, stratify=data[TARGET], random_state=0
    )
    policy = shipped_policy()
    folder = tmp_path_factory.mktemp("models")
    models = train_models(
        train.reset_index(drop=True),
        target=TARGET,
        dataset="german-credit",
        protected=policy.policy.protected,
        seed=0,
        id_columns=[ID_COLUMN],
    )
    for model in models.values():
        save_model(model, folder)
    champion = models[policy.policy.champion]
    return Trained(champion, policy, held_out.reset_index(drop=True), folder)


@pytest.fixture(scope="session")
def applications(trained: Trained) -> list[dict[str, Any]]:
    """The held-out applications as JSON objects, as a client would send them."""
    schema = Engine(trained.model, trained.policy).schema
    out = []
    for row in trained.held_out.drop(columns=[TARGET]).to_dict("records"):
        values = schema.csv_values(row)
        out.append({k: v for k, v in values.items() if k in schema.fields})
    return out


@pytest.fixture
def api(store_url: str, tmp_path: Path, trained: Trained) -> Iterator[Api]:
    """The service on a fresh store (SQLite and PostgreSQL)."""
    opened = open_api(store_url, tmp_path / "state", trained)
    with opened.client:
        yield opened
