"""Database engines with durable settings, and the two kinds of transaction.

SQLite: WAL journal, ``synchronous=FULL`` (a commit survives a power cut),
a busy timeout instead of immediate "database is locked" errors, foreign keys
on. Write transactions start with ``BEGIN IMMEDIATE`` so that two writers never
both read the audit head and then both append after it; reads stay deferred
and, under WAL, never block writers.

PostgreSQL (psycopg 3): ``synchronous_commit=on`` on every connection; the
schema comes from the URL's ``search_path`` (``?options=-csearch_path%3DNAME``)
or the server's default.

Writers on one SQLite file queue on a lock of their own (a thread lock and an
``flock`` on a file beside the database) before ``BEGIN IMMEDIATE``: SQLite's
busy handler would make a waiting writer sleep 1, 2, 5, 10 ... ms and poll,
while a blocked ``flock`` wakes the moment the other writer commits. The
busy timeout stays as the fallback for writers that do not take the lock
(another program, say).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from finduo.errors import ConfigError, StoreUnavailable

logger = logging.getLogger(__name__)

_WRITE = "finduo_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Pages read through a memory map: a worker whose page cache another worker
# invalidated by writing reads them back without a system call per page.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the durable settings of its backend."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError on bad URLs
        raise ConfigError(
            f"database URL must be an SQLAlchemy URL; got {url!r}", url=url
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", ""):
            raise ConfigError(
                "PostgreSQL URLs must use the psycopg 3 driver "
                f"(postgresql+psycopg://...); got {parsed.drivername!r}"
            )
        if parsed.get_driver_name() == "":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgres_engine(parsed.render_as_string(hide_password=False))
    raise ConfigError(
        f"database URL must be sqlite:// or postgresql+psycopg://; got {backend!r}",
        url=url,
    )


class _WriterQueue:
    """One writer at a time on an SQLite file, across threads and processes."""

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = (
            f"{database}-writer.lock"
            if database and database != ":memory:" and not database.startswith("file:")
            else None
        )
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            fd = self._open()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def __del__(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)

    def _open(self) -> int | None:
        if self._path is None:
            return None
        if self._fd is None or self._pid != os.getpid():
            # A forked worker needs a descriptor of its own: flock locks
            # belong to the open file, which a fork shares.
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:  # a read-only folder: the busy timeout decides
                logger.debug("no writer lock file %s: %s", self._path, exc)
                self._path = None
                return None
            self._pid = os.getpid()
        return self._fd


_WRITER_QUEUES: weakref.WeakKeyDictionary[Engine, _WriterQueue] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        },
    )
    _WRITER_QUEUES[engine] = _WriterQueue(make_url(url).database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module: the "begin"
        # listener below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _set_wal(cursor: Any) -> None:
    """Switch to WAL; retried, as SQLite skips its busy handler for this switch
    when several connections open a new database file at the same moment."""
    for attempt in range(50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.05)


# A server that vanishes without closing the connection is noticed in
# seconds: connect timeout and TCP keep-alives (libpq parameters; the URL's
# own query parameters win).
PG_CONNECT_ARGS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}


def _postgres_engine(url: str) -> Engine:
    given = set(make_url(url).query)
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={k: v for k, v in PG_CONNECT_ARGS.items() if k not in given},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET synchronous_commit = on")
        dbapi_connection.autocommit = autocommit

    return engine


@contextmanager
def unavailable_as_error() -> Iterator[None]:
    """Raise a lost or refused database connection as StoreUnavailable (503)."""
    try:
        yield
    except DBAPIError as exc:  # OperationalError, IntegrityError, ... subclass it
        if exc.connection_invalidated or _is_unreachable(exc):
            logger.warning("store unreachable: %s", type(exc.orig).__name__)
            raise StoreUnavailable(
                "the store cannot be reached; try again shortly"
            ) from exc
        raise


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Session]:
    """A session inside one transaction: committed on success, else rolled back.

    ``write=True`` takes SQLite's write lock at BEGIN. Connection failures are
    raised as :class:`~finduo.errors.StoreUnavailable`.
    """
    queue = _WRITER_QUEUES.get(engine) if write else None
    with contextlib.ExitStack() as stack:
        if queue is not None:
            stack.enter_context(queue.held())
        with unavailable_as_error(), engine.connect() as conn:
            if write:
                conn.execution_options(**{_WRITE: True})
            with conn.begin(), Session(bind=conn, expire_on_commit=False) as session:
                yield session
                session.flush()


@contextmanager
def driver_write(engine: Engine) -> Iterator[Any]:
    """A DB-API cursor inside a write transaction: committed on success.

    For the hot write of decisions, which issues a handful of fixed
    statements: SQLAlchemy's per-statement work would cost more than the
    database's. Same guarantees as :func:`transaction` with ``write=True``
    (SQLite's writer queue and ``BEGIN IMMEDIATE``, PostgreSQL's implicit
    transaction in pipeline mode, rollback on any error), and driver errors
    are raised as SQLAlchemy's (an ``IntegrityError`` stays one; a lost
    connection is dropped from the pool and raised as
    :class:`StoreUnavailable`).
    """
    dialect = engine.dialect
    driver_error = dialect.loaded_dbapi.Error
    queue = _WRITER_QUEUES.get(engine)
    with contextlib.ExitStack() as stack, unavailable_as_error():
        if queue is not None:
            stack.enter_context(queue.held())
        try:
            connection = engine.raw_connection()
        except driver_error as exc:
            raise DBAPIError.instance(
                None, None, exc, driver_error, dialect=dialect
            ) from exc
        cursor = None
        try:
            cursor = connection.cursor()
            with contextlib.ExitStack() as pipelined:
                if dialect.name == "sqlite":
                    cursor.execute("BEGIN IMMEDIATE")
                else:
                    # psycopg's pipeline: statements whose answers are not
                    # read yet go out together, one round trip for several.
                    driver: Any = connection.driver_connection
                    pipelined.enter_context(driver.pipeline())
                yield cursor
                connection.commit()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                connection.rollback()
            if isinstance(exc, driver_error):
                lost = dialect.is_disconnect(exc, connection.dbapi_connection, cursor)
                if lost:
                    connection.invalidate(exc)
                raise DBAPIError.instance(
                    None,
                    None,
                    exc,
                    driver_error,
                    connection_invalidated=lost,
                    dialect=dialect,
                ) from exc
            raise
        finally:
            connection.close()


def _is_unreachable(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(
        marker in text
        for marker in (
            "connection refused",
            "could not connect",
            "server closed",
            "connection is closed",
            "terminating connection",
            "unable to open database",
            "database is locked",
        )
    )


__all__ = ["driver_write", "make_engine", "transaction", "unavailable_as_error"]
