"""The FastAPI application: :func:`create_app` builds one per worker.

Model and policy are loaded once here, never per request; the store's
connection pool lives as long as the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from finduo.api.errors import install_error_handlers
from finduo.api.metrics import ApiMetrics, MetricsMiddleware
from finduo.api.routes import cases, decisions, health, metrics, outcomes
from finduo.api.service import Service
from finduo.settings import Settings, get_settings

log = logging.getLogger(__name__)

DESCRIPTION = """\
Real-time credit decisions: one application in, its decision out —
approve, refer or decline, with terms and reasons — committed to the store
before it is answered.

Every route except the probes needs `Authorization: Bearer <token>`; tokens
come from `finduo tokens create --role ROLE --name NAME`.
"""


def prepare_store(settings: Settings) -> Any:
    """Open the store of ``settings`` and bring its schema up to date."""
    from finduo.store import Store

    store = Store.from_settings(settings)
    store.upgrade()
    return store


def load_engine(settings: Settings, store: Any) -> Any:
    """The decision engine with the champion model and the policy in force."""
    from finduo.decisions import load_engine as _load_engine

    return _load_engine(settings, store)


def create_app(
    settings: Settings | None = None,
    *,
    store: Any = None,
    engine: Any = None,
) -> FastAPI:
    """The service for ``settings``; ``store`` and ``engine`` may be given ready."""
    settings = settings or get_settings()
    if store is None:
        from finduo.store import Store

        store = Store.from_settings(settings)
    if engine is None:
        engine = load_engine(settings, store)
    service = Service(settings, store, engine, ApiMetrics())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="finduo",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        max_body_size=settings.max_request_bytes,
    )
    app.state.service = service
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)

    app.include_router(
        decisions.build_router(
            service.application_model,
            service.application_example,
            settings.batch_limit,
        )
    )
    for module in (cases, outcomes, health, metrics):
        app.include_router(module.router)
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


__all__ = ["app_from_environment", "create_app", "prepare_store"]
