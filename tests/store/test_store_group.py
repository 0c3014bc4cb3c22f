"""Group commit: concurrent decisions share commits, each gets its own result."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from finduo.errors import IdempotencyError, StoreUnavailable
from finduo.store import GroupWriter, NewDecision, RecordedDecision, Store
from finduo.store.tables import DecisionRow

APPLICATION = {"credit_amount": 1169, "duration_months": 6, "age": 67}


def _in_threads(count: int, work: Any) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except Exception as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_decisions_share_commits_and_keep_the_chain(
    store: Store, decision_factory: Any
) -> None:
    writer = GroupWriter(store)
    per_thread = 10

    def send(n: int) -> list[RecordedDecision]:
        return [
            writer.record(
                NewDecision(decision_factory(), {**APPLICATION, "n": n}, f"w{n}")
            )
            for _ in range(per_thread)
        ]

    results = _in_threads(16, send)
    writer.close()

    recorded = [r for batch in results for r in batch]
    assert len(recorded) == 160 and all(
        isinstance(r, RecordedDecision) for r in recorded
    )
    assert writer.stats.decisions == 160
    assert writer.stats.commits < 160  # some decisions shared a commit
    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count(DecisionRow.decision_id))).scalar()
    assert stored == 160
    report = store.audit_verify()
    assert report.ok and report.events == 160


def test_a_failing_item_fails_alone(store: Store, decision_factory: Any) -> None:
    store.record_decision(decision_factory(), APPLICATION, "w", idempotency_key="k")
    writer = GroupWriter(store)

    def send(n: int) -> RecordedDecision:
        body = {"other": n} if n == 0 else {**APPLICATION, "n": n}
        key = "k" if n == 0 else f"k{n}"
        return writer.record(
            NewDecision(decision_factory(), body, "w", idempotency_key=key)
        )

    results = _in_threads(8, send)
    writer.close()

    assert isinstance(results[0], IdempotencyError)
    assert all(isinstance(r, RecordedDecision) for r in results[1:])
    assert store.audit_verify().events == 8


def test_closed_writer_refuses_new_decisions(
    store: Store, decision_factory: Any
) -> None:
    writer = GroupWriter(store)
    writer.close()

    with pytest.raises(StoreUnavailable, match="writer is closed"):
        writer.record(NewDecision(decision_factory(), APPLICATION, "w"))
