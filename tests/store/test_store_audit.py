"""The audit chain: tampering found at the first broken link, removed tails
found against an anchor, and a linear chain under concurrent writers."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from finduo.errors import AuditError
from finduo.store import Store
from finduo.store.audit import GENESIS_HASH
from finduo.store.tables import AuditEventRow


def _tamper(store: Store, statement: Any) -> None:
    """Change audit rows as an intruder with DDL rights would: triggers off."""
    with store.engine.begin() as conn:
        if store.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        conn.execute(statement)


def _events(store: Store, count: int) -> None:
    for i in range(count):
        store.record_event("tester", "test.step", "test", f"s-{i}", {"i": i})


def test_fresh_chain_verifies_and_links_from_genesis(store: Store) -> None:
    _events(store, 5)

    report = store.audit_verify()
    events = store.audit_events()

    assert report.ok and report.events == 5 and report.head_seq == 5
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


@pytest.mark.parametrize(
    "change",
    [
        {"payload": {"i": 99}},
        {"actor": "mallory"},
        {"action": "test.other"},
    ],
    ids=["payload", "actor", "action"],
)
def test_edited_row_is_the_first_broken_link(
    store: Store, change: dict[str, Any]
) -> None:
    _events(store, 6)
    _tamper(store, update(AuditEventRow).where(AuditEventRow.seq == 3).values(**change))

    report = store.audit_verify()

    assert not report.ok
    assert report.broken_seq == 3
    assert report.reason is not None and "row was altered" in report.reason
    assert report.summary().startswith("audit chain broken at seq 3")


@pytest.mark.parametrize(
    "statement",
    [update(AuditEventRow).values(actor="mallory"), delete(AuditEventRow)],
    ids=["update", "delete"],
)
def test_database_refuses_changes_to_audit_events(store: Store, statement: Any) -> None:
    _events(store, 2)

    with (
        pytest.raises(DBAPIError, match="audit_events is append-only"),
        store.engine.begin() as conn,
    ):
        conn.execute(statement)

    assert store.audit_verify().ok


def test_edited_row_with_recomputed_hash_breaks_the_next_link(store: Store) -> None:
    _events(store, 4)
    _tamper(
        store,
        update(AuditEventRow).where(AuditEventRow.seq == 2).values(hash="ab" * 32),
    )

    report = store.audit_verify()

    # seq 2's own hash no longer matches its fields: it is reported first.
    assert (report.ok, report.broken_seq) == (False, 2)


def test_deleted_middle_event_is_reported_as_missing(store: Store) -> None:
    _events(store, 5)
    _tamper(store, delete(AuditEventRow).where(AuditEventRow.seq == 4))

    report = store.audit_verify()

    assert (report.ok, report.broken_seq) == (False, 5)
    assert report.reason == "seq 5 follows seq 3: 1 event(s) missing"


def test_removed_tail_is_found_against_the_anchor(store: Store, tmp_path: Path) -> None:
    _events(store, 6)
    anchor, path = store.audit_anchor(tmp_path / "anchor.json")
    _tamper(store, delete(AuditEventRow).where(AuditEventRow.seq >= 5))

    without_anchor = store.audit_verify()  # no export under the state folder
    report = store.audit_verify(path)

    assert json.loads(path.read_text())["seq"] == anchor.seq == 6
    assert without_anchor.ok and without_anchor.head_seq == 4
    assert not report.ok and report.broken_seq == 6
    assert report.reason is not None
    assert "2 event(s) were removed from the tail" in report.reason


def test_anchor_of_an_empty_chain_verifies_and_later_events_extend_it(
    store: Store, tmp_path: Path
) -> None:
    anchor, path = store.audit_anchor(tmp_path / "empty.json")

    empty = store.audit_verify(path)
    _events(store, 2)
    grown = store.audit_verify(path)

    assert anchor.seq == 0
    assert empty.ok, empty.summary()
    assert grown.ok and grown.head_seq == 2


def test_default_anchor_is_the_latest_export(store: Store) -> None:
    _events(store, 3)
    anchor, path = store.audit_anchor()
    _events(store, 2)
    assert store.audit_verify().ok

    _tamper(store, delete(AuditEventRow).where(AuditEventRow.seq >= 3))
    report = store.audit_verify()

    assert path.parent.name == "audit" and path.name == "anchor-0000000003.json"
    assert anchor.seq == 3
    assert (report.ok, report.broken_seq) == (False, 3)


def test_rewritten_chain_after_a_removed_tail_differs_from_the_anchor(
    store: Store, tmp_path: Path
) -> None:
    _events(store, 4)
    _, path = store.audit_anchor(tmp_path / "a.json")
    _tamper(store, delete(AuditEventRow).where(AuditEventRow.seq == 4))
    store.record_event("mallory", "test.step", "test", "forged", {"i": 3})

    report = store.audit_verify(path)

    assert (report.ok, report.broken_seq) == (False, 4)
    assert report.reason is not None and "chain was rewritten" in report.reason


def test_unreadable_anchor_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "anchor.json"
    bad.write_text("{}")

    with pytest.raises(AuditError, match="must be a JSON file with seq, hash"):
        store.audit_verify(bad)


def test_concurrent_threads_keep_the_chain_linear(store: Store) -> None:
    threads_n, per_thread = 6, 15
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        barrier.wait()
        try:
            for i in range(per_thread):
                store.record_event(f"w{worker}", "test.step", "test", f"{worker}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    report = store.audit_verify()
    assert errors == []
    assert report.ok, report.summary()
    assert report.events == report.head_seq == threads_n * per_thread


# A writer process: imports, says it is ready, waits for "go", then appends.
_WORKER = """
import sys, time
from pathlib import Path
from finduo.store import Store
url, name, count, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
store = Store(url, audit_key="k" * 32)
(folder / ("ready-" + name)).touch()
while not (folder / "go").exists():
    time.sleep(0.005)
for i in range(count):
    store.record_event("proc" + name, "test.step", "test", str(i))
store.close()
"""


def test_concurrent_processes_keep_the_chain_linear(
    store: Store, tmp_path: Path
) -> None:
    procs_n, per_proc = 3, 25
    _events(store, 1)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WORKER,
                store.url,
                str(n),
                str(per_proc),
                str(tmp_path),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(procs_n)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < procs_n:
        assert time.monotonic() < deadline, "writer processes did not start"
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, f"a writer process died: {dead[0].communicate()[1]}"
        time.sleep(0.01)

    (tmp_path / "go").touch()
    failures = [p.communicate(timeout=180)[1] for p in procs if p.wait(180) != 0]

    report = store.audit_verify()
    assert failures == []
    assert report.ok, report.summary()
    assert report.events == 1 + procs_n * per_proc
    actors = {e.actor for e in store.audit_events(limit=10_000)}
    assert actors == {"tester"} | {f"proc{n}" for n in range(procs_n)}
