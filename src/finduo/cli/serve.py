"""``finduo serve``: the real-time decision service (Uvicorn, uvloop, httptools)."""

from __future__ import annotations

import copy
import logging
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from finduo.settings import get_settings

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _metrics_dir(state_dir: Path) -> Path:
    """A fresh folder where the workers write their Prometheus samples."""
    folder = state_dir / "run" / f"prometheus-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _log_config(level: str) -> dict[str, Any]:
    """Uvicorn's logging, plus finduo's own loggers at ``level``.

    At ``info`` the engine writes one line per decision (ids, versions,
    outcome, milliseconds; no personal data).
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["finduo"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (one per core).")
    ] = 1,
    log_level: Annotated[
        str, typer.Option(help="Log level: debug, info, warning, error.")
    ] = "info",
    access_log: Annotated[
        bool, typer.Option(help="Log one line per request (costs throughput).")
    ] = False,
) -> None:
    """Serve the HTTP API: decisions, cases, outcomes, health and metrics."""
    import uvicorn

    from finduo.api.app import champion_folder, load_policy_in_force, prepare_store

    settings = get_settings()
    # Migrate once here, not in every worker at the same moment, and refuse
    # to start without a model rather than let every worker fail.
    store = prepare_store(settings)
    try:
        policy = load_policy_in_force(settings, store)
        model = champion_folder(settings, policy, store)
    finally:
        store.close()
    if workers > 1:
        os.environ[MULTIPROC_ENV] = str(_metrics_dir(settings.state_dir))
    typer.echo(
        f"finduo serving on http://{host}:{port} with {workers} worker(s), "
        f"policy {policy.version}, model {model.name}; "
        f"OpenAPI at http://{host}:{port}/docs",
        err=True,
    )
    uvicorn.run(
        "finduo.api.app:app_from_environment",
        log_config=_log_config(log_level),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level=log_level.lower(),
        access_log=access_log,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


__all__ = ["register", "serve"]
