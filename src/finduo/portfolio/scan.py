"""The portfolio scan, local engine: stream the input in chunks, score, commit.

``run_scan`` reads the portfolio chunk by chunk (Parquet through Arrow, CSV
through pandas), scores each chunk with :class:`ChunkScorer`, commits it to
the scan's working folder (:mod:`finduo.portfolio.output`) and, once every
chunk is committed, writes the watchlist: compared with the previous scan,
with the proposed action, and with review cases opened in the store for
actions above the policy's exposure. Memory is bounded by the chunk size, not
by the portfolio. Interrupted scans resume where they stopped.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from finduo.behaviour.model import STATIC_INPUTS
from finduo.behaviour.statements import LONG_COLUMNS, panel_from_long
from finduo.datasets import taiwan
from finduo.errors import DataError
from finduo.portfolio.output import (
    Manifest,
    chunk_tables,
    commit_chunk,
    open_work,
    work_dir,
)
from finduo.portfolio.scoring import MISSING_MONTHS_OK, NEEDED, ChunkScorer
from finduo.portfolio.watchlist import CaseOpener, finish_watchlist

logger = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
DEFAULT_CHUNK_ROWS = 500_000
_UCI_NAMES = {
    "ID": taiwan.ID_COLUMN,
    "LIMIT_BAL": "limit_bal",
    "EDUCATION": "education",
    "MARRIAGE": "marriage",
    "AGE": "age",
    **{
        src: dst
        for src, dst in zip(
            ("PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"),
            taiwan.STATUS_COLUMNS,
            strict=True,
        )
    },
    **{f"BILL_AMT{k}": f"bill_amt_{k}" for k in range(1, 7)},
    **{f"PAY_AMT{k}": f"pay_amt_{k}" for k in range(1, 7)},
}


class SimulatedCrash(RuntimeError):
    """Raised by tests (``crash_after``) to stop a scan as a crash would."""


@dataclass
class ScanResult:
    watchlist: Path
    work: Path
    customers: int
    watched: int
    chunks: int
    resumed_chunks: int
    seconds: float
    cases_opened: int
    counts: dict[str, int] = field(default_factory=dict)
    # Cases a watchlist row called for that were not opened again: already
    # open from an earlier scan, or resolved for the same as-of date.
    cases_existing: dict[str, int] = field(default_factory=dict)


CSV_COUNT_LIMIT = 512 * 1024 * 1024


def input_rows(path: Path) -> int | None:
    """Rows of the input: Parquet metadata; lines of a CSV up to 512 MB; else None."""
    if "month_end" in _columns(path):
        return None  # long layout: rows are months, not customers
    if path.suffix.lower() == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    if path.stat().st_size > CSV_COUNT_LIMIT:
        return None
    with open(path, "rb") as handle:
        lines = sum(
            block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")
        )
        handle.seek(-1, 2)
        ends_with_newline = handle.read(1) == b"\n"
    return max(lines - (1 if ends_with_newline else 0), 0)


def _columns(path: Path) -> list[str]:
    if path.suffix.lower() == ".parquet":
        return list(pq.read_schema(path).names)
    return list(pd.read_csv(path, nrows=0).columns)


def _long_chunks(path: Path, as_of: date, chunk_rows: int) -> Iterator[dict[str, Any]]:
    """Long statements (a row per customer and month) as wide chunks as of ``as_of``.

    The whole file is read (long inputs are for portfolios that fit in memory;
    stream the wide layout for large ones). Months after ``as_of`` are ignored;
    months without a statement stay missing. Education, marriage and age are
    taken from each customer's latest row.
    """
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype={taiwan.ID_COLUMN: str})
    absent = [c for c in (*LONG_COLUMNS, *STATIC_INPUTS) if c not in frame.columns]
    if absent:
        raise DataError(f"long statement layout in {path.name} lacks {absent}")
    frame["month_end"] = pd.to_datetime(frame["month_end"])
    panel = panel_from_long(frame, as_of)
    latest = (
        frame[frame["month_end"] <= pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)]
        .sort_values("month_end", kind="stable")
        .groupby(taiwan.ID_COLUMN)[list(STATIC_INPUTS)]
        .last()
        .reindex(panel.customer_id)
    )
    wide: dict[str, Any] = {
        taiwan.ID_COLUMN: panel.customer_id,
        "limit_bal": panel.limit,
    }
    for k in range(taiwan.MONTHS):
        wide[taiwan.STATUS_COLUMNS[k]] = panel.status[:, k]
        wide[taiwan.BILL_COLUMNS[k]] = panel.bill[:, k]
        wide[taiwan.PAID_COLUMNS[k]] = panel.paid[:, k]
    for name in STATIC_INPUTS:
        wide[name] = latest[name].to_numpy(dtype=np.float64)
    for start in range(0, len(panel), chunk_rows):
        chunk = {k: v[start : start + chunk_rows] for k, v in wide.items()}
        chunk[MISSING_MONTHS_OK] = True
        yield chunk


def iter_chunks(
    path: Path, chunk_rows: int, as_of: date | None = None
) -> Iterator[dict[str, Any]]:
    """Chunks of the wide layout as column -> array (deterministic boundaries).

    A long-layout input (it has a ``month_end`` column) is turned into the
    wide layout as of ``as_of`` first.
    """
    if not path.exists():
        raise DataError(f"portfolio input not found: {path}", path=str(path))
    if "month_end" in _columns(path):
        if as_of is None:
            raise DataError("a long-layout input needs the as-of date")
        yield from _long_chunks(path, as_of, chunk_rows)
        return
    if path.suffix.lower() == ".parquet":
        source = pq.ParquetFile(path)
        names = set(source.schema_arrow.names)
        renames = {k: v for k, v in _UCI_NAMES.items() if k in names}
        wanted = [c for c in (*NEEDED, *renames) if c in names]
        for batch in source.iter_batches(batch_size=chunk_rows, columns=wanted):
            columns = {renames.get(n, n): batch.column(n) for n in batch.schema.names}
            out: dict[str, Any] = {}
            for name, array in columns.items():
                if name == taiwan.ID_COLUMN:
                    out[name] = array.to_numpy(zero_copy_only=False)
                else:
                    out[name] = array.to_numpy(zero_copy_only=False).astype(np.float64)
            yield out
        return
    reader = pd.read_csv(
        path, chunksize=chunk_rows, dtype={taiwan.ID_COLUMN: str, "ID": str}
    )
    for frame in reader:
        frame = frame.rename(columns=_UCI_NAMES)
        yield {c: frame[c].to_numpy() for c in frame.columns}


def _identity(
    path: Path, as_of: date, scorer: ChunkScorer, chunk_rows: int
) -> dict[str, Any]:
    stat = path.stat()
    return {
        "input": str(path.resolve()),
        "input_bytes": stat.st_size,
        "input_mtime_ns": stat.st_mtime_ns,
        "as_of": as_of.isoformat(),
        "model_version": scorer.model.version,
        "policy_version": scorer.policy.version,
        "chunk_rows": chunk_rows,
    }


def prefetch(
    chunks: Iterator[dict[str, Any]], depth: int = 1
) -> Iterator[dict[str, Any]]:
    """Read the next chunk in a background thread while this one is scored."""
    done = object()
    slots: queue.Queue[Any] = queue.Queue(maxsize=depth)

    def fill() -> None:
        try:
            for item in chunks:
                slots.put(item)
            slots.put(done)
        except BaseException as exc:  # handed to the consumer
            slots.put(exc)

    threading.Thread(target=fill, name="scan-reader", daemon=True).start()
    while True:
        item = slots.get()
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _workers() -> int:
    try:
        return max(1, min(2, len(os.sched_getaffinity(0))))
    except AttributeError:  # not Linux
        return max(1, min(2, os.cpu_count() or 1))


def score_chunks(
    path: Path,
    scorer: ChunkScorer,
    folder: Path,
    manifest: Manifest,
    chunk_rows: int,
    progress: Progress | None = None,
    crash_after: int | None = None,
    workers: int | None = None,
) -> tuple[int, int]:
    """Score and commit every chunk not yet in ``manifest``; (scored, skipped).

    One thread reads ahead, ``workers`` threads (default: up to 2 cores) score
    chunks side by side (numpy and the compiled trees release the GIL), one
    thread writes; chunks are committed strictly in input order.
    """
    total = input_rows(path)
    rule_ids = [rule.id for rule in scorer.policy.policy.rules]
    width = workers or _workers()
    done_rows = scored = skipped = 0
    inflight: deque[tuple[int, int, Future[tuple[Any, Any]]]] = deque()
    pending: list[Future[None]] = []

    def work(columns: dict[str, Any], first_row: int) -> tuple[Any, Any]:
        return chunk_tables(scorer.score(columns, first_row=first_row), rule_ids)

    def drain_one() -> None:
        nonlocal done_rows
        index, n, future = inflight.popleft()
        scores, watch = future.result()
        if scores is not None:  # None: committed by an earlier run
            if pending:
                pending.pop().result()  # commits stay in order
            pending.append(
                writer.submit(commit_chunk, folder, manifest, index, scores, watch)
            )
        done_rows += n
        if progress is not None:
            progress(done_rows, total)

    with (
        ThreadPoolExecutor(max_workers=width, thread_name_prefix="scan-score") as pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-writer") as writer,
    ):
        offset = 0
        for index, columns in enumerate(
            prefetch(iter_chunks(path, chunk_rows, scorer.as_of))
        ):
            n = len(columns[taiwan.ID_COLUMN])
            if index in manifest.chunks:
                skipped += 1
                if not inflight:
                    done_rows += n
                    if progress is not None:
                        progress(done_rows, total)
                else:  # keep the count in order behind the chunks in flight
                    inflight.append((index, n, _committed()))
            else:
                if crash_after is not None and scored >= crash_after:
                    while inflight:
                        drain_one()
                    for future in pending:
                        future.result()
                    raise SimulatedCrash(f"simulated crash before chunk {index}")
                inflight.append((index, n, pool.submit(work, columns, offset)))
                scored += 1
            offset += n
            while len(inflight) > width:
                drain_one()
        while inflight:
            drain_one()
        for future in pending:
            future.result()
    return scored, skipped


def _committed() -> Future[tuple[Any, Any]]:
    """A finished future standing for a chunk committed by an earlier run."""
    future: Future[tuple[Any, Any]] = Future()
    future.set_result((None, None))
    return future


def run_scan(
    path: Path,
    as_of: date,
    out: Path,
    scorer: ChunkScorer,
    *,
    previous: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    restart: bool = False,
    open_cases: CaseOpener | None = None,
    progress: Progress | None = None,
    crash_after: int | None = None,
) -> ScanResult:
    """Scan the portfolio at ``path`` as of ``as_of`` and write the watchlist ``out``.

    Parameters
    ----------
    path : pathlib.Path
        Wide statements (Parquet or CSV; finduo's or the UCI file's names).
    as_of : datetime.date
        The month of statement 1.
    out : pathlib.Path
        Watchlist file (``.csv`` or ``.parquet``); the working folder is
        ``<out>.scan`` beside it.
    scorer : ChunkScorer
        Model, policy and tree scorer.
    previous : pathlib.Path, optional
        Watchlist of the previous scan to compare with.
    chunk_rows : int
        Customers per chunk (bounds memory; also the unit of resume).
    restart : bool
        Discard an unfinished scan of something else in the working folder.
    open_cases : callable, optional
        Links one watchlist row to its review case: opens one unless the
        customer has one already (see :mod:`finduo.portfolio.watchlist`).
    crash_after : int, optional
        Tests only: stop as by a crash after that many newly scored chunks.
    """
    started = time.perf_counter()
    scorer.as_of = as_of
    folder = work_dir(out)
    manifest = open_work(folder, _identity(path, as_of, scorer, chunk_rows), restart)
    scored, skipped = score_chunks(
        path, scorer, folder, manifest, chunk_rows, progress, crash_after
    )
    logger.info("scored %d chunks, %d already committed", scored, skipped)
    summary = finish_watchlist(folder, manifest, out, scorer, previous, open_cases)
    manifest.finished = True
    manifest.write(folder)
    seconds = time.perf_counter() - started
    customers = sum(c["rows"] for c in manifest.chunks.values())
    logger.info("scan of %d customers in %.1fs", customers, seconds)
    return ScanResult(
        watchlist=out,
        work=folder,
        customers=customers,
        watched=summary.watched,
        chunks=len(manifest.chunks),
        resumed_chunks=skipped,
        seconds=seconds,
        cases_opened=summary.cases_opened,
        counts=summary.counts,
        cases_existing=summary.cases_existing,
    )


__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "ScanResult",
    "SimulatedCrash",
    "input_rows",
    "iter_chunks",
    "run_scan",
    "score_chunks",
]
