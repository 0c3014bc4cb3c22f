"""``finduo serve`` as a real process: several workers keep the audit chain
linear, and no decision answered with 2xx is lost when workers are killed."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import AUDIT_KEY, Trained

from finduo.store import Store

pytestmark = pytest.mark.slow


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    token: str
    store: Store
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"finduo serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base_url}/v1/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"finduo serve not ready in 90 s: {log.read_text()[-2000:]}")


@pytest.fixture
def served(store_url: str, tmp_path: Path, trained: Trained) -> Iterator[Served]:
    state = tmp_path / "state"
    shutil.copytree(trained.models_dir, state / "models")
    store = Store(store_url, audit_key=AUDIT_KEY, state_dir=state)
    store.upgrade()
    _, token = store.create_token("webshop", ["decider"], "test")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINDUO_")}
    env.update(
        FINDUO_STATE_DIR=str(state),
        FINDUO_DATABASE_URL=store_url,
        FINDUO_AUDIT_KEY=AUDIT_KEY,
        FINDUO_DATA_DIR=os.environ.get("FINDUO_DATA_DIR", ""),
    )
    log = tmp_path / "serve.log"
    command = [
        sys.executable, "-c", "from finduo.cli import main; main()", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
    ]  # fmt: skip
    with log.open("wb") as out:
        # A session of its own: teardown kills the whole group, workers that
        # the supervisor respawned included.
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=out, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, log)
        yield Served(process, base_url, token, store, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        store.close()


def _post_until(
    served: Served,
    applications: list[dict[str, Any]],
    stop: threading.Event,
    answered: list[str],
    limit: int,
) -> None:
    headers = {"Authorization": f"Bearer {served.token}"}
    with httpx.Client(base_url=served.base_url, timeout=10) as client:
        for i in range(limit):
            if stop.is_set():
                return
            try:
                application = applications[i % len(applications)]
                response = client.post(
                    "/v1/decisions",
                    # A new application id each time: a repeat would be a 409.
                    json={**application, "application_id": uuid.uuid4().hex},
                    headers=headers,
                )
            except httpx.HTTPError:
                time.sleep(0.05)
                continue
            if response.status_code == 200:
                answered.append(response.json()["decision"]["decision_id"])


def _load(
    served: Served,
    applications: list[dict[str, Any]],
    threads: int,
    per_thread: int,
    during: Any = None,
) -> list[str]:
    """Post from ``threads`` clients at once; the ids of the decisions answered 200.

    ``during``, if given, runs while they post; they stop when it returns.
    """
    answered: list[str] = []
    stop = threading.Event()
    workers = [
        threading.Thread(
            target=_post_until, args=(served, applications, stop, answered, per_thread)
        )
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    if during is not None:
        during()
        stop.set()
    for worker in workers:
        worker.join(timeout=120)
    stop.set()
    return answered


def test_two_workers_keep_the_chain_linear_and_lose_no_answered_decision(
    served: Served, applications: list[dict[str, Any]]
) -> None:
    def kill_workers_then_server() -> None:
        time.sleep(1.5)
        for pid in _children(served.process.pid):
            os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
        os.killpg(served.process.pid, signal.SIGKILL)

    calm = _load(served, applications, threads=8, per_thread=15)
    report = served.store.audit_verify()
    recorded = [
        e
        for e in served.store.audit_events(limit=10_000)
        if e.action == "decision.recorded"
    ]
    killed = _load(
        served,
        applications,
        threads=8,
        per_thread=2000,
        during=kill_workers_then_server,
    )
    stored = {d.decision_id for d in served.store.list_decisions(limit=100_000)}

    assert len(calm) == 8 * 15
    assert report.ok, report.summary()
    assert report.events == report.head_seq  # one event per seq, no gap, no fork
    assert sorted(e.subject_id for e in recorded) == sorted(calm)
    assert killed, "no decision was answered before the kill"
    assert set(calm) | set(killed) <= stored
    assert served.store.audit_verify().ok
