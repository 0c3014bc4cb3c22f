"""A small HTTP/1.1 load client for the benchmarks (asyncio, keep-alive).

Two ways to drive a service on this machine:

* :func:`open_loop` sends at a fixed offered rate whatever the answers do
  (each request on a connection of its own from a pool, never waiting for an
  earlier answer), and measures each latency from the moment the client's
  timer released it, waiting for a free connection included, so a stalled
  server shows in the figures instead of slowing the client down with it (no
  coordinated omission). Clocks are ``perf_counter`` (the event loop's own
  clock has millisecond steps); how late the timer released requests is
  reported apart (``lag``), as it is the client's, not the server's.
* :func:`closed_loop` keeps ``connections`` requests in flight for a fixed
  time and counts what came back: the highest sustained throughput.

Both are bounded in count and time and aim only at 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

LOOPBACK = "127.0.0.1"
DRAIN_SECONDS = 15.0
# Uvicorn closes a keep-alive connection idle for 5 s; reuse only younger ones.
KEEP_ALIVE_SECONDS = 4.0


@dataclass
class LoadResult:
    """What one run measured; latencies in seconds."""

    mode: str
    seconds: float
    sent: int = 0
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)  # open loop: timer lateness

    @property
    def rate(self) -> float:
        """Successful answers per second."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_share(self) -> float:
        return self.errors / self.sent if self.sent else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        return float(np.percentile(np.asarray(self.latencies), q) * 1000.0)

    def lag_ms(self, q: float) -> float:
        """How late the client's timer released requests (percentile, ms)."""
        if not self.lags:
            return float("nan")
        return float(np.percentile(np.asarray(self.lags), q) * 1000.0)


def build_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {LOOPBACK}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request and read its whole answer; the status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(LOOPBACK, port)


def _tally(result: LoadResult, status: int) -> None:
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if 200 <= status < 300:
        result.ok += 1
    else:
        result.errors += 1


async def _open_loop(
    port: int, requests: Sequence[bytes], rate: float, seconds: float, max_conns: int
) -> LoadResult:
    result = LoadResult(mode=f"open loop {rate:g}/s", seconds=seconds)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
    slots = asyncio.Semaphore(max_conns)
    tasks: set[asyncio.Task[None]] = set()
    task_due: dict[asyncio.Task[None], float] = {}
    loop = asyncio.get_running_loop()

    async def one(due: float, request: bytes) -> None:
        released = time.perf_counter()
        result.lags.append(max(0.0, released - due))
        async with slots:
            conn = None
            while idle and conn is None:
                reader, writer, used = idle.pop()
                if loop.time() - used < KEEP_ALIVE_SECONDS:
                    conn = (reader, writer)
                else:  # the server may have closed it by now: never reuse it
                    writer.close()
            try:
                conn = conn or await _connect(port)
                status = await _exchange(*conn, request)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                if conn is not None:
                    conn[1].close()
                result.errors += 1
                result.statuses[0] = result.statuses.get(0, 0) + 1
                return
            result.latencies.append(time.perf_counter() - released)
            _tally(result, status)
            idle.append((*conn, loop.time()))

    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(due, requests[i % len(requests)]))
        task_due[task] = due
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        result.sent += 1
    # Whatever has not come back DRAIN_SECONDS after the last send counts as
    # an error, with the latency it had reached: the run stays bounded.
    pending = set(tasks)
    if pending:
        _, pending = await asyncio.wait(pending, timeout=DRAIN_SECONDS)
    for task in pending:
        task.cancel()
    ended = time.perf_counter()
    for task in pending:
        result.errors += 1
        result.statuses[-1] = result.statuses.get(-1, 0) + 1
        result.latencies.append(ended - task_due[task])
    for _, writer, _ in idle:
        writer.close()
    return result


async def _closed_loop(
    port: int, requests: Sequence[bytes], connections: int, seconds: float
) -> LoadResult:
    result = LoadResult(mode=f"closed loop {connections} connections", seconds=0.0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds

    async def worker(offset: int) -> None:
        conn = await _connect(port)
        i = offset
        while loop.time() < deadline:
            sent_at = time.perf_counter()
            result.sent += 1
            try:
                status = await _exchange(*conn, requests[i % len(requests)])
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                conn[1].close()
                conn = await _connect(port)
                continue
            result.latencies.append(time.perf_counter() - sent_at)
            _tally(result, status)
            i += connections
        conn[1].close()

    began = loop.time()
    workers = [asyncio.create_task(worker(n)) for n in range(connections)]
    _, late = await asyncio.wait(workers, timeout=seconds + DRAIN_SECONDS)
    for task in late:  # a request still unanswered: counted, not awaited
        task.cancel()
        result.errors += 1
    result.seconds = loop.time() - began
    return result


def _run(coro: object) -> LoadResult:
    import uvloop

    return uvloop.run(coro)  # type: ignore[arg-type]


def open_loop(
    port: int,
    requests: Sequence[bytes],
    *,
    rate: float = 200.0,
    seconds: float = 10.0,
    max_conns: int = 64,
) -> LoadResult:
    """Offer ``rate`` requests per second for ``seconds`` (open loop)."""
    return _run(_open_loop(port, requests, rate, seconds, max_conns))


def closed_loop(
    port: int,
    requests: Sequence[bytes],
    *,
    connections: int = 32,
    seconds: float = 10.0,
) -> LoadResult:
    """Keep ``connections`` requests in flight for ``seconds`` (closed loop)."""
    return _run(_closed_loop(port, requests, connections, seconds))


def wait_until_up(port: int, *, timeout: float = 60.0) -> None:
    """Block until something accepts connections on ``port``."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection((LOOPBACK, port), timeout=1),
        ):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {LOOPBACK}:{port} after {timeout:g} s")


__all__ = [
    "LoadResult",
    "build_request",
    "closed_loop",
    "open_loop",
    "wait_until_up",
]
