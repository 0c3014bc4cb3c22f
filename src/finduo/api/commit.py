"""Group commit: the decisions of concurrent requests share one transaction,
and so one durable commit.

A request hands its decisions (a *unit*: one decision, or a whole batch) to
the committer and waits. The first unit of a round schedules a flush at the
end of the event loop's current round of work, so every request the loop is
deciding right now — all whose bytes arrived together — joins it. The flush
stores the waiting units with :meth:`Store.record_decisions` and answers
each. Nobody is answered before the commit that holds their decisions.
Should the shared transaction fail, each unit is stored alone, so that one
request's error (a reused Idempotency-Key, a repeated application id) never
fails another's; a unit is all or nothing.

The flush runs on the event loop itself, not in a writer thread: a thread
would contend with the loop for the interpreter lock at every database call
and cost more CPU than the commit it overlaps, while the disk's durable
commit takes a fraction of a millisecond. Several worker processes
(``finduo serve --workers N``) overlap one worker's commit with another's
deciding. The connections to PostgreSQL carry a connect timeout and TCP
keep-alives, so a store that vanishes without a word blocks a worker for
seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from finduo.store import NewDecision, RecordedDecision, Store

log = logging.getLogger(__name__)

MAX_GROUP = 256  # decisions per shared transaction


@dataclass
class _Unit:
    items: list[NewDecision]
    future: asyncio.Future[list[RecordedDecision]]


class GroupCommitter:
    """Collects the units of one event-loop round and commits them together."""

    def __init__(self, store: Store, max_group: int = MAX_GROUP) -> None:
        self.store = store
        self.max_group = max_group
        self._waiting: list[_Unit] = []
        self.group_sizes: deque[int] = deque(maxlen=1000)  # last groups (tests)

    async def commit(self, items: list[NewDecision]) -> list[RecordedDecision]:
        """Store ``items`` (one unit) and return once they are committed."""
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[RecordedDecision]] = loop.create_future()
        self._waiting.append(_Unit(items, future))
        if len(self._waiting) == 1:
            # After the callbacks already due: the requests of this round.
            loop.call_soon(self.flush)
        return await future

    def flush(self) -> None:
        """Store every waiting unit now, in groups of at most ``max_group``."""
        waiting, self._waiting = self._waiting, []
        group: list[_Unit] = []
        size = 0
        for unit in waiting:
            if group and size + len(unit.items) > self.max_group:
                self._store(group)
                group, size = [], 0
            group.append(unit)
            size += len(unit.items)
        if group:
            self._store(group)

    def close(self) -> None:
        """Store what is waiting (at shutdown)."""
        if self._waiting:
            self.flush()

    def _store(self, units: list[_Unit]) -> None:
        items = [item for unit in units for item in unit.items]
        self.group_sizes.append(len(items))
        try:
            results = self.store.record_decisions(items)
        except Exception as exc:
            if len(units) == 1:
                _settle(units[0].future, None, exc)
                return
            log.info(
                "group of %d units failed (%s); storing each alone", len(units), exc
            )
            for unit in units:
                self._store([unit])
            return
        start = 0
        for unit in units:
            _settle(unit.future, results[start : start + len(unit.items)], None)
            start += len(unit.items)


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


__all__ = ["MAX_GROUP", "GroupCommitter"]
