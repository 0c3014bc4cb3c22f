"""Group commit for decisions: many request threads, one durable commit.

Every audited write holds the audit chain's lock until it commits, so a
service that records each decision in its own transaction pays one durable
commit (an fsync) per decision, one after another. :class:`GroupWriter`
gathers the decisions that arrive while a commit is in flight and records
them together with :meth:`Store.record_decisions`: one lock, one commit.
Each caller still returns only after its decision and audit event are
committed, and the chain stays linear.

If a batch fails on one item (say an idempotency key reused with another
body), its items are retried one by one, so each caller gets its own result
or its own error.

Usage (e.g. once per API worker)::

    writer = GroupWriter(store)
    recorded = writer.record(NewDecision(decision, application, actor, ...))
    ...
    writer.close()
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from finduo.errors import FinduoError, StoreUnavailable
from finduo.store._decisions import DecisionsMixin, NewDecision
from finduo.store.records import RecordedDecision

logger = logging.getLogger(__name__)

_Job = tuple[NewDecision, "Future[RecordedDecision]"]


@dataclass
class GroupStats:
    """How the writer has batched so far."""

    decisions: int = 0
    commits: int = 0
    largest_batch: int = 0


class GroupWriter:
    """Records decisions from many threads in shared transactions.

    Parameters
    ----------
    store : Store
        The store to write to.
    max_batch : int, default 256
        Most decisions committed together.
    """

    def __init__(self, store: DecisionsMixin, *, max_batch: int = 256) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1; got {max_batch}")
        self._store = store
        self._max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self.stats = GroupStats()
        self._thread = threading.Thread(
            target=self._run, name="finduo-group-writer", daemon=True
        )
        self._thread.start()

    def record(
        self, item: NewDecision, timeout: float | None = 60.0
    ) -> RecordedDecision:
        """Record one decision; returns once it is committed (or raises)."""
        if self._closed.is_set():
            raise StoreUnavailable("the decision writer is closed")
        future: Future[RecordedDecision] = Future()
        self._jobs.put((item, future))
        return future.result(timeout=timeout)

    def close(self) -> None:
        """Finish the queued decisions, then stop the writer thread."""
        if not self._closed.is_set():
            self._closed.set()
            self._jobs.put(None)
            self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Job]) -> None:
        try:
            results = self._store.record_decisions([item for item, _ in batch])
        except FinduoError as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            logger.info("batch of %d failed (%s); writing one by one", len(batch), exc)
            for job in batch:
                self._write([job])
            return
        except Exception as exc:  # the store is down or a bug: tell everyone
            for _, future in batch:
                future.set_exception(exc)
            return
        self.stats.commits += 1
        self.stats.decisions += len(batch)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)


__all__ = ["GroupStats", "GroupWriter"]
