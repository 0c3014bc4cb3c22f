"""SQLite writers queue on a lock of their own instead of SQLite's busy polling."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from sqlalchemy import text

from finduo.store.engine import make_engine, transaction


def _writer(engine: object, done: list[float]) -> None:
    with transaction(engine, write=True) as session:  # type: ignore[arg-type]
        session.execute(text("INSERT INTO t VALUES (2)"))
    done.append(time.monotonic())


def test_a_second_writer_waits_for_the_first_and_follows_it_at_once(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    with transaction(engine, write=True) as session:
        session.execute(text("CREATE TABLE t (a INTEGER)"))
    done: list[float] = []
    with transaction(engine, write=True) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        other = threading.Thread(target=_writer, args=(engine, done))
        other.start()
        time.sleep(0.3)
        assert done == []  # blocked behind the open write transaction
        released = time.monotonic()
    other.join(5)
    assert done and done[0] - released < 0.25
    with transaction(engine, write=False) as session:
        rows = session.execute(text("SELECT a FROM t ORDER BY a")).scalars().all()
    assert rows == [1, 2]
    engine.dispose()


def test_the_lock_is_shared_with_other_processes(tmp_path: Path) -> None:
    # Another process (here: a lock taken on a descriptor of its own) holding
    # the writer lock keeps this process's writer waiting.
    database = tmp_path / "p.db"
    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine, write=True) as session:
        session.execute(text("CREATE TABLE t (a INTEGER)"))
    lock_file = Path(f"{database}-writer.lock")
    assert lock_file.exists()
    fd = os.open(lock_file, os.O_RDWR)
    done: list[float] = []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        other = threading.Thread(target=_writer, args=(engine, done))
        other.start()
        time.sleep(0.3)
        assert done == []
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    other.join(5)
    assert len(done) == 1
    engine.dispose()
