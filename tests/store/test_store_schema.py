"""Migrations from an empty database, and the durable connection settings."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from finduo.decisions.model import Decision
from finduo.errors import ConfigError, StoreUnavailable
from finduo.settings import Settings
from finduo.store import NewDecision, Store
from finduo.store.tables import Base, DecisionRow

TABLES = {
    "alembic_version",
    "audit_events",
    "cases",
    "decisions",
    "model_versions",
    "outcomes",
    "policy_versions",
    "reason_codes",
    "resolutions",
    "settings_kv",
    "tokens",
    "users",
}


def test_migrations_build_the_schema_from_empty(store_url: str) -> None:
    store = Store(store_url, audit_key="k" * 32)
    assert store.schema_revision() is None
    assert inspect(store.engine).get_table_names() == []

    store.upgrade()
    store.upgrade()  # a second run is a no-op

    assert store.schema_revision() == "0002"
    assert set(inspect(store.engine).get_table_names()) == TABLES
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    assert len(store.list_reason_codes()) == 11
    store.close()


def test_sqlite_connections_are_durable(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'd.db'}", audit_key="k" * 32)

    with store.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }

    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "foreign_keys": 1,
        "busy_timeout": 30_000,
    }
    store.close()


@pytest.mark.postgres
def test_postgres_connections_commit_synchronously(pg_url: str) -> None:
    store = Store(pg_url, audit_key="k" * 32)

    with store.engine.connect() as conn:
        setting = conn.execute(text("SHOW synchronous_commit")).scalar()
        schema = conn.execute(text("SELECT current_schema()")).scalar()

    assert setting == "on"
    assert schema is not None and schema.startswith("t_")
    store.close()


def test_from_settings_uses_the_state_folder_and_its_audit_key(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", audit_key="a" * 32)

    store = Store.from_settings(settings)
    store.upgrade()
    _, anchor_path = store.audit_anchor()

    assert (tmp_path / "state" / "finduo.db").exists()
    assert anchor_path.parent == tmp_path / "state" / "audit"
    assert store.personal_hash("x") == Store(
        "sqlite://", audit_key="a" * 32
    ).personal_hash("x")
    store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "must be sqlite:// or postgresql"),
        ("postgresql+psycopg2://u@h/db", "psycopg 3 driver"),
        ("not a url", "must be an SQLAlchemy URL"),
    ],
)
def test_unsupported_database_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Store(url, audit_key="k" * 32)


def test_unreachable_server_is_store_unavailable(decision_factory: Any) -> None:
    # Port 9 on 127.0.0.1 (discard) has no PostgreSQL: the connection is refused.
    store = Store(
        "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2",
        audit_key="k" * 32,
    )

    with pytest.raises(StoreUnavailable, match="store cannot be reached"):
        store.stop_switch()
    with pytest.raises(StoreUnavailable, match="store cannot be reached"):
        store.upgrade()
    with pytest.raises(StoreUnavailable, match="store cannot be reached"):
        store.record_decisions(  # the decisions' own write path
            [NewDecision(decision_factory(), {"application_id": "x"}, "shop")]
        )
    store.close()


def test_forked_child_opens_its_own_connections(store: Store) -> None:
    store.record_event("parent", "test.step", "test", "before")  # pool is warm

    pid = os.fork()
    if pid == 0:  # the child: write through the inherited store, then leave
        code = 0
        try:
            # None of the parent's pooled connections is handed to the child.
            code = 2 if store.engine.pool.checkedin() else 0
            store.record_event("child", "test.step", "test", "in-child")
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    store.record_event("parent", "test.step", "test", "after")

    assert os.waitstatus_to_exitcode(status) == 0
    assert [e.actor for e in store.audit_events()] == ["parent", "child", "parent"]
    assert store.audit_verify().ok


def test_workers_starting_together_migrate_once(store_url: str) -> None:
    stores = [Store(store_url, audit_key="k" * 32) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def start(store: Store) -> None:
        barrier.wait()
        try:
            store.upgrade()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert stores[0].schema_revision() == "0002"
    assert len(stores[0].list_reason_codes()) == 11
    for store in stores:
        store.close()


def test_every_decision_field_has_a_column() -> None:
    # Fails when the shared Decision record gains a field the store would drop.
    columns = set(DecisionRow.__table__.columns.keys())

    assert set(Decision.model_fields) <= columns
