"""Fixtures shared by the lifecycle, monitoring and retention tests: a SQLite
store with users of each role and a decided German-credit history."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from finduo.simulation.synthetic import History, german_history
from finduo.store import Store

KEY = "k" * 32
USERS = {
    "ana": ["analyst"],
    "bob": ["analyst", "approver"],
    "cat": ["approver"],
    "rev": ["reviewer"],
}


@pytest.fixture(scope="module")
def history() -> History:
    return german_history(seed=0)[2]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, history: History) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    store = Store(f"sqlite:///{folder / 'finduo.db'}", audit_key=KEY, state_dir=folder)
    store.upgrade()
    for name, roles in USERS.items():
        store.create_user(name, roles, "admin")
    pairs = list(zip(history.decisions, history.applications, strict=True))[:200]
    for decision, app in pairs:
        store.record_decision(decision, app, "engine", open_case=False)
    store.close()
    return folder / "finduo.db"


@pytest.fixture()
def store(tmp_path: Path, seeded_db: Path) -> Iterator[Store]:
    shutil.copy(seeded_db, tmp_path / "finduo.db")
    store = Store(
        f"sqlite:///{tmp_path / 'finduo.db'}", audit_key=KEY, state_dir=tmp_path
    )
    yield store
    store.close()
