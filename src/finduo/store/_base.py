"""The facade's shared core: engine, transactions, audit helper, migrations."""

from __future__ import annotations

import logging
import os
import secrets
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from finduo.store import audit
from finduo.store.engine import make_engine, transaction, unavailable_as_error
from finduo.store.records import InvalidInput

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random, URL-safe identifier (128 bits)."""
    return secrets.token_hex(16)


def require(field: str, value: Any, allowed: tuple[str, ...]) -> None:
    """Refuse ``value`` unless it is one of ``allowed``, naming the field."""
    if value not in allowed:
        raise InvalidInput(
            f"{field} must be one of {', '.join(allowed)}; got {value!r}",
            field=field,
            value=value,
        )


def alembic_config() -> Config:
    """Alembic's configuration; migrations run on ``attributes["connection"]``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _dispose_in_child(engine_ref: weakref.ref[Engine]) -> None:
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)


class StoreBase:
    """Engine, transactions, the audit key and the state folder."""

    def __init__(
        self,
        url: str,
        *,
        audit_key: str | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        # A forked child must not reuse the parent's pooled connections.
        engine_ref = weakref.ref(self.engine)
        os.register_at_fork(after_in_child=lambda: _dispose_in_child(engine_ref))
        self.state_dir = state_dir
        if audit_key is None:
            logger.warning(
                "no audit key given: keyed hashes of personal data use a key "
                "that lives only as long as this process (use Store.from_settings)"
            )
            audit_key = secrets.token_hex(32)
        self._audit_key = audit_key

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (Alembic), creating it when empty."""
        cfg = alembic_config()
        # Several workers may start at once: one migrates, the others wait
        # for it and then find the schema at head.
        with unavailable_as_error(), self.engine.connect() as conn:
            conn.execution_options(finduo_write=True)  # SQLite: BEGIN IMMEDIATE
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        text(
                            "SELECT pg_advisory_xact_lock("
                            "hashtext('finduo.migrate:' || current_schema()))"
                        )
                    )
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None before ``upgrade``)."""
        from alembic.runtime.migration import MigrationContext

        with unavailable_as_error(), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        """Release all pooled connections."""
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with transaction(self.engine, write=True) as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with transaction(self.engine, write=False) as session:
            yield session

    def personal_hash(self, value: Any) -> str:
        """Keyed hash (HMAC-SHA256) of personal data, for audit payloads."""
        return audit.keyed_hash(self._audit_key, value)

    def personal_hash_of_text(self, canonical: str) -> str:
        """:meth:`personal_hash` of a value given as its canonical JSON text."""
        return audit.keyed_hash_of_text(self._audit_key, canonical)

    def _audit(
        self,
        session: Session,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        payload: dict[str, Any] | None = None,
    ) -> None:
        audit.append_event(
            session,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            payload=payload,
        )


__all__ = ["StoreBase", "alembic_config", "new_id", "require", "utcnow"]
