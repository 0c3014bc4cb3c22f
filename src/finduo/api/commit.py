"""Group commit: one writer thread stores the decisions of concurrent requests
in one transaction, so that they share one durable commit.

A request hands its decisions (a *unit*: one decision, or a whole batch) to
the writer and waits; the writer takes every unit that is waiting, stores
them with :meth:`Store.record_decisions` and answers each. Nobody is answered
before the commit that holds their decisions. Should the shared transaction
fail, each unit is retried alone, so that one request's error (a reused
Idempotency-Key, say) never fails another's; a unit is all or nothing.

The event loop keeps deciding the next requests while the writer waits for
the disk: the engine's CPU work and the store's fsync overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass, field

from finduo.store import NewDecision, RecordedDecision, Store

log = logging.getLogger(__name__)

MAX_GROUP = 128  # decisions per shared transaction


@dataclass
class _Unit:
    items: list[NewDecision]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[RecordedDecision]]
    groups: list[int] = field(default_factory=list)


def _settle(
    future: asyncio.Future[list[RecordedDecision]],
    result: list[RecordedDecision] | None,
    error: BaseException | None,
) -> None:
    if future.done():  # the client went away; the decisions are stored anyway
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result or [])


class GroupCommitter:
    """The writer thread of one worker process."""

    def __init__(self, store: Store, max_group: int = MAX_GROUP) -> None:
        self.store = store
        self.max_group = max_group
        self._queue: queue.SimpleQueue[_Unit | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.group_sizes: list[int] = []  # last groups, for tests and benches

    async def commit(self, items: list[NewDecision]) -> list[RecordedDecision]:
        """Store ``items`` (one unit) and return once they are committed."""
        if not items:
            return []
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[RecordedDecision]] = loop.create_future()
        self._queue.put(_Unit(items, loop, future))
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Store what is waiting, then stop the writer."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="finduo-group-commit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            units, size, stop = [first], len(first.items), False
            while size < self.max_group:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                units.append(more)
                size += len(more.items)
            self._store(units)
            if stop:
                return

    def _store(self, units: list[_Unit]) -> None:
        items = [item for unit in units for item in unit.items]
        self.group_sizes = [*self.group_sizes[-999:], len(items)]
        try:
            results = self.store.record_decisions(items)
        except Exception as exc:
            if len(units) == 1:
                self._answer(units[0], None, exc)
                return
            log.info(
                "group of %d units failed (%s); storing each alone", len(units), exc
            )
            for unit in units:
                self._store([unit])
            return
        start = 0
        for unit in units:
            self._answer(unit, results[start : start + len(unit.items)], None)
            start += len(unit.items)

    @staticmethod
    def _answer(
        unit: _Unit, result: list[RecordedDecision] | None, error: BaseException | None
    ) -> None:
        # A closed loop (RuntimeError) means nobody waits any more.
        with contextlib.suppress(RuntimeError):
            unit.loop.call_soon_threadsafe(_settle, unit.future, result, error)


__all__ = ["MAX_GROUP", "GroupCommitter"]
