"""The FastAPI application: :func:`create_app` builds one per worker.

Model and policy are loaded once here, never per request; the store's
connection pool lives as long as the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from finduo.api.errors import install_error_handlers
from finduo.api.fastpath import PATH as FAST_PATH
from finduo.api.fastpath import DecisionFastPath
from finduo.api.limits import BodyLimitMiddleware
from finduo.api.metrics import ApiMetrics, MetricsMiddleware
from finduo.api.reload import InForce, Reloader, read_in_force
from finduo.api.routes import cases, decisions, health, metrics, outcomes
from finduo.api.service import EngineStoreView, Service
from finduo.challenger.live import with_live_challenger
from finduo.decisions.engine import Engine
from finduo.policy import LoadedPolicy, load_policy, parse_policy, shipped_policy
from finduo.settings import Settings, get_settings
from finduo.store import Store

log = logging.getLogger(__name__)

DESCRIPTION = """\
Real-time credit decisions: one application in, its decision out —
approve, refer or decline, with terms and reasons — committed to the store
before it is answered.

Every route except the probes needs `Authorization: Bearer <token>`; tokens
come from `finduo tokens create --role ROLE --name NAME`.
"""


def prepare_store(settings: Settings) -> Store:
    """Open the store of ``settings`` and bring its schema up to date."""
    store = Store.from_settings(settings)
    store.upgrade()
    return store


def load_policy_in_force(settings: Settings, store: Store) -> LoadedPolicy:
    """FINDUO_POLICY if set, else the store's active policy, else the shipped one."""
    if settings.policy is not None:
        return load_policy(settings.policy)
    active = store.active_policy_version()
    if active is not None:
        return parse_policy(active.yaml_text, f"store:{active.content_hash[:12]}")
    return shipped_policy()


def champion_folder(
    settings: Settings, policy: LoadedPolicy, store: Store | None = None
) -> Path:
    """The folder of the model that decides under ``policy``.

    The store's promoted (active) model of the policy's champion kind; where
    none was promoted, the newest saved model of that kind (one trained on
    the data set the policy is named after first). See
    :func:`finduo.lifecycle.champion.champion_folder`.

    Raises
    ------
    ConfigError
        When no such model has been promoted or trained.
    """
    from finduo.lifecycle.champion import champion_folder as folder_of

    return folder_of(policy, store=store, models_dir=settings.models_dir)


def load_champion(
    settings: Settings, policy: LoadedPolicy, store: Store | None = None
) -> Any:
    """The model that decides under ``policy`` (see :func:`champion_folder`)."""
    from finduo.models import load_model

    return load_model(champion_folder(settings, policy, store))


class FinduoAPI(FastAPI):
    """FastAPI with the decision fast path in front (see :mod:`.fastpath`)."""

    fast_path: DecisionFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast = self.fast_path
        if (
            fast is not None
            and scope["type"] == "http"
            and scope["path"] == FAST_PATH
            and scope["method"] == "POST"
        ):
            await fast(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The FastAPI app itself, without the fast path."""
        await super().__call__(scope, receive, send)


def build_engine(
    store: Store,
    policy: LoadedPolicy,
    model: Any,
    view: EngineStoreView | None = None,
) -> tuple[Engine, Engine]:
    """The engine the service decides with, and the champion's engine in it.

    ``model`` is a loaded model or its folder. A challenger an approver
    started (``finduo challenger start``) takes its share: the first engine
    then routes between champion and challenger.
    """
    if isinstance(model, str | Path):
        from finduo.models import load_model

        model = load_model(Path(model))
    view = view if view is not None else EngineStoreView(store)
    engine = Engine(model, policy, store=view, actor="api")
    deciding = with_live_challenger(
        engine, view, config_store=store, shadow_store=store
    )
    return deciding, engine


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    model: Any = None,
    policy: LoadedPolicy | None = None,
    token_cache_seconds: float = 2.0,
) -> FastAPI:
    """The service for ``settings``.

    ``store``, ``model`` and ``policy`` may be given ready (tests, benchmarks);
    otherwise they come from the settings: the store's URL, the policy in
    force, and the newest model of the policy's champion kind.
    """
    settings = settings or get_settings()
    if store is None:
        store = Store.from_settings(settings)
    if policy is None:
        policy = load_policy_in_force(settings, store)
    follow = model is None and settings.reload_seconds > 0
    in_force: InForce | None = None
    if follow:
        in_force, policy = read_in_force(settings, store)
        model = in_force.model_path
    elif model is None:
        model = load_champion(settings, policy, store)
    view = EngineStoreView(store)
    deciding, engine = build_engine(store, policy, model, view)
    service = Service(
        settings,
        store,
        deciding,
        ApiMetrics(),
        token_cache_seconds=token_cache_seconds,
    )
    if in_force is not None:
        service.reloader = Reloader(service, settings, in_force)
    owned_store = store

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if service.reloader is not None:
            service.reloader.start()
        yield
        if service.reloader is not None:
            await service.reloader.stop()
        service.committer.close()
        owned_store.close()

    app = FinduoAPI(
        title="finduo",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = service
    install_error_handlers(app)
    docs = {
        app.openapi_url,
        app.docs_url,
        app.redoc_url,
        app.swagger_ui_oauth2_redirect_url,
    }
    # Added first, so it runs inside the metrics: a 413 is counted too.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(
        MetricsMiddleware,
        metrics=service.metrics,
        plain_paths=frozenset(path for path in docs if path),
    )

    app.include_router(
        decisions.build_router(
            service.application_model,
            service.application_example,
            settings.batch_limit,
        )
    )
    for module in (cases, outcomes, health, metrics):
        app.include_router(module.router)
    # The reviewer console (issue 4), sharing this store and engine.
    from finduo.console import mount_console

    mount_console(app, settings, store=store, engine=engine)
    app.fast_path = DecisionFastPath(app.framework, service, settings.max_request_bytes)
    return app


def app_from_environment() -> FastAPI:
    """Factory for Uvicorn's workers: settings from ``FINDUO_*`` variables."""
    return create_app(get_settings())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("finduo")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "0"


__all__ = [
    "app_from_environment",
    "build_engine",
    "champion_folder",
    "create_app",
    "load_champion",
    "load_policy_in_force",
    "prepare_store",
]
