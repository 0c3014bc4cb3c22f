"""Group commit: concurrent requests share a transaction, one's error fails
only that one, and every answer comes after its commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from finduo.api.commit import GroupCommitter
from finduo.errors import IdempotencyError
from finduo.store import NewDecision, Store


def _unit(
    decision_factory: Any, key: str | None = None, body: int = 0
) -> list[NewDecision]:
    return [
        NewDecision(
            decision_factory(),
            {"application_id": "x", "body": body},
            "webshop",
            idempotency_key=key,
        )
    ]


def test_units_are_stored_together_and_a_bad_one_fails_alone(
    store: Store, decision_factory: Any
) -> None:
    committer = GroupCommitter(store)
    store.record_decisions(_unit(decision_factory, key="k-1", body=1))
    units = [_unit(decision_factory) for _ in range(30)]
    units.insert(15, _unit(decision_factory, key="k-1", body=2))

    async def run_all() -> list[Any]:
        return await asyncio.gather(
            *(committer.commit(unit) for unit in units), return_exceptions=True
        )

    results = asyncio.run(run_all())
    committer.close()

    assert isinstance(results[15], IdempotencyError)
    good = [r for i, r in enumerate(results) if i != 15]
    assert all(len(r) == 1 and not r[0].replayed for r in good)
    stored = {d.decision_id for d in store.list_decisions(limit=1000)}
    assert {r[0].decision.decision_id for r in good} <= stored
    assert len(stored) == 31
    assert max(committer.group_sizes) > 1, committer.group_sizes
    assert store.audit_verify().ok


def test_a_failed_store_reaches_every_waiting_request(decision_factory: Any) -> None:
    class Broken:
        def record_decisions(self, items: list[NewDecision]) -> Any:
            raise RuntimeError("disk on fire")

    committer = GroupCommitter(Broken())  # type: ignore[arg-type]

    async def run_all() -> list[Any]:
        return await asyncio.gather(
            *(committer.commit(_unit(decision_factory)) for _ in range(5)),
            return_exceptions=True,
        )

    results = asyncio.run(run_all())
    committer.close()

    assert [type(r) for r in results] == [RuntimeError] * 5
    with pytest.raises(RuntimeError, match="disk on fire"):
        raise results[0]
