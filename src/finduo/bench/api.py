"""Benchmark of the decision service (``make bench``, part "api").

For each store (SQLite, then PostgreSQL when reachable) and each path — the
fast path the service runs, and a naive baseline that builds a one-row pandas
DataFrame per request — this starts ``finduo serve`` on 127.0.0.1 with a fresh
store, and from this process drives

* an open loop at a fixed offered rate (default 200 requests/s): p50 / p99,
  measured from when each request was due;
* 32 connections for a fixed time with ``wrk`` (a Python client where wrk is
  missing): the highest sustained decisions per second, and the error share;

then times each step of one decision in-process (validate, features, score,
reasons, policy, store). Every run is bounded in count and time and stops
the server it started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finduo.bench._load import (
    LoadResult,
    build_request,
    closed_loop,
    open_loop,
    wait_until_up,
)

log = logging.getLogger(__name__)

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AUDIT_KEY_BYTES = 32
TARGETS = {"p50_ms": 2.0, "p99_ms": 10.0, "decisions_per_s": 1000.0}
STEPS = ("validate", "features", "score", "reasons", "policy", "store", "other")


@dataclass
class PathResult:
    backend: str
    path: str
    open: LoadResult | None = None
    closed: LoadResult | None = None
    closed_tool: str = ""
    cpu_ms: float = float("nan")  # server CPU per answered request, all processes
    steps: dict[str, list[float]] = field(default_factory=dict)
    problem: str | None = None


# -- set-up ---------------------------------------------------------------


@dataclass
class Fixture:
    """A trained model and held-out applications, shared by every run."""

    root: Path
    models_dir: Path
    applications: list[dict[str, Any]]


def prepare_fixture(root: Path, count: int = 200) -> Fixture:
    """Train both models on 80 % of German credit; keep the rest as requests."""
    from sklearn.model_selection import train_test_split

    from finduo.datasets.german import ID_COLUMN, load_german
    from finduo.decisions.engine import Engine
    from finduo.models import save_model, train_models
    from finduo.policy import shipped_policy

    data = load_german()
    train, held_out = train_test_split(
        data, test_size=0.2, stratify=data["bad"], random_state=0
    )
    policy = shipped_policy()
    models_dir = root / "models"
    models = train_models(
        train.reset_index(drop=True),
        target="bad",
        dataset="german-credit",
        protected=policy.policy.protected,
        seed=0,
        id_columns=[ID_COLUMN],
    )
    for model in models.values():
        save_model(model, models_dir)
    schema = Engine(models[policy.policy.champion], policy).schema
    applications = []
    for row in held_out.drop(columns=["bad"]).to_dict("records")[:count]:
        values = schema.csv_values(row)
        applications.append({k: v for k, v in values.items() if k in schema.fields})
    return Fixture(root, models_dir, applications)


@contextlib.contextmanager
def fresh_store_url(backend: str, folder: Path) -> Iterator[str]:
    """A URL of an empty store: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'finduo.db'}"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means: skip PostgreSQL, say why
        return f"PostgreSQL at 127.0.0.1:5432 unreachable: {exc}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(
    state: Path, url: str, fixture: Fixture, audit_key: str
) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FINDUO_") or key == "FINDUO_DATA_DIR"
    }
    env.update(
        FINDUO_STATE_DIR=str(state),
        FINDUO_DATABASE_URL=url,
        FINDUO_AUDIT_KEY=audit_key,
    )
    return env


@contextlib.contextmanager
def running_server(
    env: dict[str, str], port: int, *, naive: bool, workers: int, log_file: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``finduo serve`` (or the naive app under uvicorn) until the block ends."""
    if naive:
        command = [
            sys.executable, "-m", "uvicorn", "finduo.bench.api:naive_app",
            "--factory", "--loop", "uvloop", "--http", "httptools",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-c", "from finduo.cli import main; main()", "serve",
            "--log-level", "warning",
        ]  # fmt: skip
    command += [
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    with log_file.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=out, start_new_session=True
        )
        try:
            wait_until_up(port, timeout=90)
            yield process
        finally:
            # The server and its workers form a group of their own.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user + system) used so far by a process group's members."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # field 5 of stat: process group id
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def durable_commit_floor(folder: Path, count: int = 200) -> tuple[float, float]:
    """p50 and p99, in ms, of a bare one-row SQLite commit with synchronous=FULL.

    No service can answer a durable decision faster than its disk commits:
    this is the floor under every latency below, measured on the same disk.
    """
    import sqlite3

    path = folder / "floor.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (a TEXT)")
        times = []
        for _ in range(count):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 500,))
            conn.execute("COMMIT")
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
        for leftover in folder.glob("floor.sqlite*"):
            leftover.unlink()
    values = np.asarray(times) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


_ECHO_SERVER = """
import asyncio, sys
import uvloop

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length = 0
            for line in head.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()

uvloop.run(main())
"""


def client_floor(
    requests: Sequence[bytes], rate: float, seconds: float = 5.0
) -> tuple[float, float]:
    """p50 and p99, in ms, of the open loop against a server that answers at once.

    What the load client and the loopback add to every latency below: the
    service cannot be measured faster than this.
    """
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _ECHO_SERVER, str(port)], start_new_session=True
    )
    try:
        wait_until_up(port, timeout=30)
        result = open_loop(port, requests, rate=rate, seconds=seconds)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    return result.percentile_ms(50), result.percentile_ms(99)


# -- load -----------------------------------------------------------------


def _split_at_id(application: dict[str, Any]) -> tuple[str, str]:
    """The JSON body of ``application`` cut where its application id ends."""
    marker = "\u0000"
    body = json.dumps(
        {**application, "application_id": application["application_id"] + marker},
        separators=(",", ":"),
    )
    head, tail = body.split("\\u0000", 1)
    return head, tail


def unique_requests(
    applications: Sequence[dict[str, Any]],
    headers: dict[str, str],
    prefix: str,
    count: int,
) -> list[bytes]:
    """``count`` requests, each with an application id of its own.

    The service refuses an application id it decided before (409), so a load
    that cycles through the same applications gives every one a new suffix.
    """
    parts = [_split_at_id(app) for app in applications]
    out = []
    for i in range(count):
        head, tail = parts[i % len(parts)]
        body = f"{head}-{prefix}{i}{tail}".encode()
        out.append(build_request("/v1/decisions", body, headers))
    return out


def _wrk_script(
    folder: Path, applications: Sequence[dict[str, Any]], token: str
) -> Path:
    parts = [_split_at_id(app) for app in applications]
    heads = ",\n".join(f"[==[{head}-w]==]" for head, _ in parts)
    tails = ",\n".join(f"[==[{tail}]==]" for _, tail in parts)
    script = folder / "decisions.lua"
    script.write_text(
        f"""
local heads = {{
{heads}
}}
local tails = {{
{tails}
}}
local headers = {{
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer {token}",
}}
local n = 0
-- A new application id each time, in this run and the next: the service
-- refuses repeats (409).
math.randomseed(os.time())
local run = string.format("%x", math.random(1, 2147483647)) .. "-"
request = function()
  n = n + 1
  local i = (n % #heads) + 1
  return wrk.format("POST", "/v1/decisions", headers, heads[i] .. run .. n .. tails[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FINDUO %d %d %d %d %.1f %.1f\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
""",
        encoding="utf-8",
    )
    return script


def run_wrk(port: int, script: Path, connections: int, seconds: float) -> LoadResult:
    """32 connections with wrk (one thread: the server needs the other core)."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    completed = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/v1/decisions",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    line = next(
        (row for row in completed.stdout.splitlines() if row.startswith("FINDUO ")),
        None,
    )
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {completed.stdout[-500:]}")
    requests, socket_errors, status_errors, micros, p50, p99 = line.split()[1:]
    result = LoadResult(mode="wrk", seconds=int(micros) / 1e6)
    result.sent = int(requests)
    result.errors = int(socket_errors) + int(status_errors)
    result.ok = int(requests) - int(status_errors)
    result.latencies = [float(p50) / 1e6] * 50 + [float(p99) / 1e6]  # p50/p99 only
    return result


# -- in-process breakdown ---------------------------------------------------


class _Timer:
    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[step] = (
                    self.spent.get(step, 0.0) + time.perf_counter() - started
                )

        return timed


class _TimedProxy:
    """Forwards everything to ``target``, with some methods timed."""

    def __init__(self, target: Any, methods: dict[str, Any]) -> None:
        self._target = target
        self.__dict__.update(methods)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


def breakdown(
    fixture: Fixture, url: str, state: Path, *, naive: bool, count: int = 400
) -> dict[str, list[float]]:
    """Seconds per step of each decision, on the real path, with a fresh store."""
    import finduo.decisions.engine as engine_module
    import finduo.reasons as reasons_module
    from finduo.api.app import load_champion
    from finduo.api.service import EngineStoreView
    from finduo.decisions.engine import Engine
    from finduo.policy import shipped_policy
    from finduo.settings import Settings
    from finduo.store import Store

    store = Store(url, audit_key=uuid.uuid4().hex * 2, state_dir=state)
    store.upgrade()
    policy = shipped_policy()
    settings = Settings(state_dir=fixture.root, database_url=url)
    model = load_champion(settings, policy)
    timer = _Timer()
    spec = _TimedProxy(
        model.spec,
        {
            "encode_row": timer.wrap("features", model.spec.encode_row),
            "encode_frame": timer.wrap("features", model.spec.encode_frame),
            "flags": timer.wrap("features", model.spec.flags),
        },
    )
    timed_model = _TimedProxy(
        model, {"spec": spec, "predict_pd": timer.wrap("score", model.predict_pd)}
    )
    view = EngineStoreView(store)
    view.record_decision = timer.wrap("store", view.record_decision)  # type: ignore[method-assign]
    engine = Engine(timed_model, policy, store=view, actor="bench")
    engine.schema.validate = timer.wrap("validate", engine.schema.validate)  # type: ignore[method-assign]
    # The engine looks both up at call time: time them where they live.
    patched = (
        (engine_module, "evaluate_policy", "policy"),
        (reasons_module, "top_reasons", "reasons"),
    )
    originals = [getattr(module, name) for module, name, _ in patched]
    for (module, name, step), original in zip(patched, originals, strict=True):
        setattr(module, name, timer.wrap(step, original))
    out: dict[str, list[float]] = {step: [] for step in (*STEPS, "total", "cpu")}
    try:
        for i in range(count):
            application = dict(fixture.applications[i % len(fixture.applications)])
            application["application_id"] = f"bench-{i}"
            timer.spent.clear()
            started, cpu = time.perf_counter(), time.thread_time()
            if naive:
                engine.decide_records([engine.schema.validate(application)])
            else:
                engine.decide(application)
            total = time.perf_counter() - started
            out["cpu"].append(time.thread_time() - cpu)
            for step in STEPS[:-1]:
                out[step].append(timer.spent.get(step, 0.0))
            out["other"].append(total - sum(timer.spent.values()))
            out["total"].append(total)
    finally:
        for (module, name, _), original in zip(patched, originals, strict=True):
            setattr(module, name, original)
        store.close()
    return out


class _NaiveEngine:
    """The naive baseline: each request decided through a one-row DataFrame."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def decide(self, application: dict[str, Any]) -> Any:
        (decision,) = self._engine.decide_records(
            [self._engine.schema.validate(application)]
        )
        return decision

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def naive_app() -> Any:
    """Uvicorn factory of the naive baseline (same service, DataFrame per request)."""
    from finduo.api.app import app_from_environment

    app = app_from_environment()
    app.state.service.engine = _NaiveEngine(app.state.service.engine)
    return app


# -- runs and report --------------------------------------------------------


@dataclass
class Options:
    rate: float = 200.0
    open_seconds: float = 10.0
    connections: int = 32
    closed_seconds: float = 10.0
    workers: int = 2  # one per core of the project's machines
    breakdown_count: int = 400
    backends: tuple[str, ...] = ("sqlite", "postgresql")
    paths: tuple[str, ...] = ("fast", "naive")


def _run_path(
    fixture: Fixture, backend: str, path: str, options: Options, work: Path
) -> PathResult:
    from finduo.store import Store

    result = PathResult(backend, path)
    state = work / f"{backend}-{path}"
    state.mkdir(parents=True)
    shutil.copytree(fixture.models_dir, state / "models")
    audit_key = uuid.uuid4().hex
    with fresh_store_url(backend, state) as url:
        store = Store(url, audit_key=audit_key, state_dir=state)
        store.upgrade()
        _, token = store.create_token("bench", ["decider"], "bench")
        store.close()
        headers = {"Authorization": f"Bearer {token}"}
        apps = fixture.applications
        warm = unique_requests(apps, headers, "warm", 6000)
        offered = unique_requests(
            apps, headers, "open", int(options.rate * options.open_seconds) + 10
        )
        port = _free_port()
        env = _environment(state, url, fixture, audit_key)
        with running_server(
            env,
            port,
            naive=path == "naive",
            workers=options.workers,
            log_file=state / "server.log",
        ) as server:
            closed_loop(port, warm, connections=4, seconds=2.0)  # warm-up
            result.open = open_loop(
                port, offered, rate=options.rate, seconds=options.open_seconds
            )
            cpu_before = group_cpu_seconds(server.pid)
            if shutil.which("wrk"):
                script = _wrk_script(state, apps, token)
                result.closed = run_wrk(
                    port, script, options.connections, options.closed_seconds
                )
                result.closed_tool = "wrk"
            else:
                result.closed = closed_loop(
                    port,
                    unique_requests(
                        apps, headers, "closed", int(options.closed_seconds * 4000)
                    ),
                    connections=options.connections,
                    seconds=options.closed_seconds,
                )
                result.closed_tool = "python client"
            answered = max(result.closed.ok, 1)
            result.cpu_ms = (
                (group_cpu_seconds(server.pid) - cpu_before) / answered * 1e3
            )
    with fresh_store_url(backend, state) as url:
        result.steps = breakdown(
            fixture, url, state / "inproc", naive=path == "naive",
            count=options.breakdown_count,
        )  # fmt: skip
    return result


def _ms(values: list[float], q: float) -> str:
    return f"{np.percentile(np.asarray(values), q) * 1000:.3f}" if values else "-"


def report(
    results: list[PathResult],
    options: Options,
    notes: list[str],
    floor: tuple[float, float] | None = None,
    client: tuple[float, float] | None = None,
) -> str:
    lines = [
        "finduo API benchmark on 127.0.0.1 "
        f"({os.cpu_count()} cores, {options.workers} worker(s), durable commits: "
        "SQLite WAL synchronous=FULL, PostgreSQL synchronous_commit=on)",
        "load average of the machine (1, 5, 15 min) at the end: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (other work on it slows every figure below)",
        *(
            [
                "durable-commit floor of this disk now (bare SQLite commit, "
                f"synchronous=FULL): p50 {floor[0]:.2f} ms, p99 {floor[1]:.2f} ms"
            ]
            if floor
            else []
        ),
        *(
            [
                "load client + loopback floor now (the same open loop against a "
                f"server that answers at once): p50 {client[0]:.2f} ms, p99 "
                f"{client[1]:.2f} ms; every latency below includes it"
            ]
            if client
            else []
        ),
        f"open loop: {options.rate:g} requests/s for {options.open_seconds:g} s; "
        f"closed loop: {options.connections} connections for "
        f"{options.closed_seconds:g} s",
        "",
        f"{'store':<11}{'path':<7}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'decisions/s':>13}{'errors %':>10}{'CPU ms/dec':>12}  tool",
    ]
    for r in results:
        if r.problem:
            lines.append(f"{r.backend:<11}{r.path:<7}  not run: {r.problem}")
            continue
        assert r.open is not None and r.closed is not None
        lines.append(
            f"{r.backend:<11}{r.path:<7}{r.open.percentile_ms(50):>9.2f}"
            f"{r.open.percentile_ms(99):>9.2f}{r.open.errors:>8}"
            f"{r.closed.rate:>13.0f}{100 * r.closed.error_share:>10.2f}"
            f"{r.cpu_ms:>12.2f}  {r.closed_tool}"
        )
    for r in results:
        if r.open is not None and r.open.lags:
            lines.append(
                f"  {r.backend} {r.path}: the client's timer released requests "
                f"late by p50 {r.open.lag_ms(50):.2f} ms, p99 "
                f"{r.open.lag_ms(99):.2f} ms (client-side, not in the latencies)"
            )
    for r in results:
        if r.open is not None and r.open.errors:
            bad = {k: v for k, v in r.open.statuses.items() if not 200 <= k < 300}
            lines.append(
                f"  {r.backend} {r.path} open-loop errors by status "
                f"(0: connection failed, -1: no answer in time): {bad}"
            )
    lines += [
        "",
        f"targets (fast path): p50 <= {TARGETS['p50_ms']:g} ms and p99 <= "
        f"{TARGETS['p99_ms']:g} ms at {options.rate:g}/s; >= "
        f"{TARGETS['decisions_per_s']:g} decisions/s at {options.connections} "
        "connections with < 1 % errors",
        "CPU ms/dec: CPU time of the server's processes per decision answered at "
        "32 connections (HTTP, engine, store client; not PostgreSQL's own); "
        "1000 / it = decisions/s per core.",
    ]
    for r in results:
        if r.problem or r.open is None or r.closed is None or r.path != "fast":
            continue
        misses = []
        if r.open.percentile_ms(50) > TARGETS["p50_ms"]:
            misses.append("p50")
        if r.open.percentile_ms(99) > TARGETS["p99_ms"]:
            misses.append("p99")
        if r.closed.rate < TARGETS["decisions_per_s"] or r.closed.error_share >= 0.01:
            misses.append("throughput")
        verdict = "all met" if not misses else "missed: " + ", ".join(misses)
        lines.append(f"  {r.backend}: {verdict}")
    lines += [
        "",
        "in-process breakdown per decision, ms (p50 / p99); wall time per step, "
        "'cpu' = CPU time of the whole decision (less sensitive to other load):",
    ]
    header = f"{'step':<10}" + "".join(
        f"{r.backend + ' ' + r.path:>24}" for r in results if r.steps
    )
    lines.append(header)
    for step in (*STEPS, "total", "cpu"):
        row = f"{step:<10}"
        for r in results:
            if r.steps:
                values = r.steps[step]
                row += f"{_ms(values, 50) + ' / ' + _ms(values, 99):>24}"
        lines.append(row)
    for r in results:
        if r.steps:
            share = np.mean([v > 0 for v in r.steps["reasons"]])
            lines.append(
                f"  {r.backend} {r.path}: reasons computed for {share:.0%} of "
                "decisions (refer and decline only)"
            )
    lines += ["", *notes]
    return "\n".join(lines)


def run(options: Options, out: Callable[[str], None] = print) -> list[PathResult]:
    """Run every backend and path; print the report through ``out``."""
    from finduo.settings import get_settings

    notes: list[str] = []
    base = get_settings().state_dir / "bench"
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="api-", dir=base))
    results: list[PathResult] = []
    try:
        out("bench api: training the models once on German credit ...")
        fixture = prepare_fixture(work / "fixture")
        for backend in options.backends:
            problem = postgres_problem() if backend == "postgresql" else None
            for path in options.paths:
                if problem:
                    results.append(PathResult(backend, path, problem=problem))
                    continue
                out(f"bench api: {backend}, {path} path ...")
                results.append(_run_path(fixture, backend, path, options, work))
        if not shutil.which("wrk"):
            notes.append("wrk not found: the closed loop used the Python client.")
        floor = durable_commit_floor(work)
        echo = [build_request("/x", b"{}", {})]
        client = client_floor(echo, options.rate)
        out(report(results, options, notes, floor, client))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m finduo.bench.api", description=__doc__
    )
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--open-seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--closed-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--path", action="append", choices=["fast", "naive"])
    args = parser.parse_args(argv)
    options = Options(
        rate=args.rate,
        open_seconds=min(args.open_seconds, 120.0),
        connections=args.connections,
        closed_seconds=min(args.closed_seconds, 120.0),
        workers=args.workers,
        backends=tuple(args.backend or ("sqlite", "postgresql")),
        paths=tuple(args.path or ("fast", "naive")),
    )
    run(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
