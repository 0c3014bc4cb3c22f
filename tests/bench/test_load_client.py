"""The benchmark's load client measures what the server does, not its own clock."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from finduo.bench._load import build_request, closed_loop, open_loop

DELAY = 0.02


@pytest.fixture
def slow_server() -> Iterator[int]:
    """An HTTP server on 127.0.0.1 that answers every request after 20 ms."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    loop = asyncio.new_event_loop()
    writers: list[asyncio.StreamWriter] = []

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                await asyncio.sleep(DELAY)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        asyncio.start_server(handle, "127.0.0.1", port), loop
    ).result(5)
    yield port

    async def stop() -> None:
        server.close()
        for writer in writers:
            writer.close()
        await asyncio.sleep(0.05)

    asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_open_loop_latency_is_the_servers_delay_with_sub_millisecond_clocks(
    slow_server: int,
) -> None:
    request = build_request("/x", b"{}", {})

    result = open_loop(slow_server, [request], rate=50, seconds=1.0)

    assert result.sent == 50 and result.ok == 50 and result.errors == 0
    assert DELAY <= result.percentile_ms(50) / 1000 < DELAY + 0.015
    # Not rounded to whole milliseconds (the event loop's clock would be).
    assert any(abs(x * 1000 - round(x * 1000)) > 1e-3 for x in result.latencies)
    assert len(result.lags) == 50 and result.lag_ms(99) < 50


def test_closed_loop_counts_answers_per_second(slow_server: int) -> None:
    request = build_request("/x", b"{}", {})

    result = closed_loop(slow_server, [request], connections=4, seconds=1.0)

    # Four connections, 20 ms each: at most 200 answers a second.
    assert 100 < result.rate <= 4 / DELAY + 5
    assert result.errors == 0


def test_client_floor_measures_an_immediate_server() -> None:
    from finduo.bench.api import client_floor

    p50, p99 = client_floor([build_request("/x", b"{}", {})], rate=100, seconds=1.0)

    # Far below the 20 ms server above: only the client and the loopback.
    assert 0 < p50 <= p99 < DELAY * 1000
