"""Shared fixtures: a fresh store on SQLite and on PostgreSQL, and a decision.

``store`` is parametrised over both backends. Each PostgreSQL test gets its own
schema on the server at 127.0.0.1:5432 (database ``test``), dropped afterwards.
Where that server cannot be reached the PostgreSQL variants are skipped with
the reason, except under ``CI=true``, where they fail.
Keep this file small: fixtures of one package belong in its own conftest.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest

from finduo.datasets import german
from finduo.decisions.model import Decision, Reason, Terms
from finduo.models import RiskModel, train_models
from finduo.store import Store

PG_DSN = os.environ.get(
    "FINDUO_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test"
)
PG_URL = os.environ.get(
    "FINDUO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
AUDIT_KEY = "test-audit-key-0123456789abcdef"

_pg_problem: list[str] = []  # filled once per test process


def _postgres_problem() -> str | None:
    if not _pg_problem:
        try:
            with psycopg.connect(PG_DSN, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_problem.append("")
        except psycopg.Error as exc:
            _pg_problem.append(f"PostgreSQL at {PG_DSN!r} unreachable: {exc}")
    return _pg_problem[0] or None


def require_postgres() -> None:
    """Skip (fail under CI=true) when the PostgreSQL server is unreachable."""
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{problem} (CI=true: the PostgreSQL tests must run)")
    pytest.skip(problem)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL whose connections use a fresh schema, dropped after."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'finduo.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store (state folder: tmp_path)."""
    opened = Store(store_url, audit_key=AUDIT_KEY, state_dir=tmp_path / "state")
    opened.upgrade()
    try:
        yield opened
    finally:
        opened.close()


def make_decision(**overrides: Any) -> Decision:
    """A valid referred decision; keyword arguments replace fields."""
    fields: dict[str, Any] = {
        "decision_id": uuid.uuid4().hex,
        "application_id": f"app-{uuid.uuid4().hex[:8]}",
        "created_at": datetime(2026, 12, 4, 12, 0, 0, 123456, tzinfo=UTC),
        "pd": 0.21,
        "band": "C",
        "outcome": "refer",
        "recommendation": "decline",
        "terms": Terms(
            payment_methods=["direct_debit", "prepayment"],
            credit_limit=1500.0,
            deposit=200.0,
            max_term_months=24,
        ),
        "reasons": [
            Reason(
                code="CHK_NEG",
                feature="checking_account",
                value="< 0 DM",
                contribution=0.42,
                text={"en": "negative checking balance", "de": "Konto im Minus"},
            )
        ],
        "referral_reasons": ["grey_zone"],
        "rules_fired": [],
        "model_version": "lightgbm-german-credit-20261204T120000-abcd1234",
        "policy_version": "german-credit@1+0123abcd",
        "inputs_fingerprint": "f" * 64,
    }
    fields.update(overrides)
    return Decision.model_validate(fields)


@pytest.fixture
def decision_factory() -> Any:
    """``make_decision`` as a fixture, for tests outside this folder."""
    return make_decision


# German credit, read from FINDUO_DATA_DIR (never downloaded), and models trained
# on all of it: shared by the datasets, features, models, evaluation and reasons
# tests.
def real_data_dir() -> Path:
    candidates = []
    if os.environ.get("FINDUO_DATA_DIR"):
        candidates.append(Path(os.environ["FINDUO_DATA_DIR"]))
    candidates.append(Path(__file__).resolve().parents[1].parent / "shared" / "data")
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
