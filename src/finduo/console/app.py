"""The console application, mounted into the API under ``/console``.

:func:`create_console` builds a FastAPI sub-application that shares the API's
store and engine. Pages are rendered on the server (Jinja2 with partials);
htmx, served from the npm package installed by ``make assets``, only adds
in-page updates: every page reads and every form posts without JavaScript.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from finduo.console.i18n import LANGUAGES, Formatter, Language, translations
from finduo.console.session import SessionCodec
from finduo.errors import ConflictError, FinduoError, NotFoundError, PermissionDenied
from finduo.settings import Settings, get_settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
# Third-party front-end files: installed by `npm ci` (make assets), never committed.
_NODE_MODULES = (
    Path(__file__).resolve().parents[3] / "node_modules",
    Path.cwd() / "node_modules",
)
ASSETS = {"htmx.min.js": ("htmx.org", "dist", "htmx.min.js")}

PAYMENT_LABELS = {
    "en": {
        "invoice": "invoice",
        "direct_debit": "direct debit",
        "card": "card",
        "prepayment": "prepayment",
    },
    "de": {
        "invoice": "Rechnung",
        "direct_debit": "Lastschrift",
        "card": "Karte",
        "prepayment": "Vorkasse",
    },
}


def asset_path(name: str) -> Path | None:
    """Where an npm-installed front-end file is, or None when not installed."""
    parts = ASSETS.get(name)
    if parts is None:
        return None
    for root in _NODE_MODULES:
        path = root.joinpath(*parts)
        if path.is_file():
            return path
    return None


def _environment(language: Language) -> Environment:
    env = Environment(
        loader=PackageLoader("finduo.console", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    labels = PAYMENT_LABELS[language]
    env.filters["payment_label"] = lambda value: labels.get(value, value)
    env.globals["payment_label"] = lambda value: labels.get(value, value)
    env.globals["fmt"] = Formatter(language)
    # A number as a form field wants it: "." decimal point, no grouping.
    env.globals["field_number"] = lambda value: (
        "" if value is None else f"{float(value):.2f}".rstrip("0").rstrip(".")
    )
    return env


class ConsoleState:
    """What every request shares: settings, store, engine, templates, signer."""

    def __init__(self, settings: Settings, store: Any, engine: Any) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.codec = SessionCodec(settings.secret("session_secret"))
        self.environments = {lang: _environment(lang) for lang in LANGUAGES}
        self._explainer: Any = None

    def stop_switch(self) -> bool:
        return bool(self.store.stop_switch())

    def stop_switch_change(self) -> tuple[Any, str | None]:
        """When and by whom the stop switch was last switched (from the audit)."""
        events = self.store.audit_events(
            subject_type="setting", subject_id="stop_switch", limit=100_000
        )
        if not events:
            return None, None
        return events[-1].ts, events[-1].actor

    def explainer(self) -> Any:
        """Similar customers and counterfactuals for the engine's model (lazy)."""
        if self._explainer is None:
            from finduo.console.explainer import Explainer

            self._explainer = Explainer.for_engine(self.engine, self.settings)
        return self._explainer


def create_console(
    settings: Settings | None = None, *, store: Any = None, engine: Any
) -> FastAPI:
    """The console for ``settings``, deciding with the API's own engine."""
    settings = settings or get_settings()
    if store is None:
        from finduo.store import Store

        store = Store.from_settings(settings)
    console = FastAPI(
        title="finduo console", docs_url=None, redoc_url=None, openapi_url=None
    )
    console.state.console = ConsoleState(settings, store, engine)
    console.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @console.get("/assets/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        path = asset_path(name)
        if path is None:
            return Response(status_code=404)
        return FileResponse(path, media_type="text/javascript")

    from finduo.console.routes import (
        admin,
        auth,
        cases,
        decisions,
        monitoring,
        overview,
        policies,
        queue,
    )

    pages = (auth, queue, cases, overview, decisions, admin, monitoring, policies)
    for module in pages:
        console.include_router(module.router)
    _install_handlers(console)
    return console


def mount_console(app: FastAPI, settings: Settings, *, store: Any, engine: Any) -> None:
    """Mount the console into the API application under ``/console``."""
    app.mount("/console", create_console(settings, store=store, engine=engine))


def _install_handlers(console: FastAPI) -> None:
    from finduo.console.pages import N_, CsrfRejected, SignInRequired, page

    @console.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        return RedirectResponse(f"{root}/sign-in?next={exc.next_path}", status_code=303)

    def _error_page(
        request: Request, exc: FinduoError, title: str, status: int
    ) -> Response:
        p = page(request)
        message = p.refusal(exc) if isinstance(exc, PermissionDenied) else exc.message
        return p.render(
            "error.html",
            status_code=status,
            title=p.gettext(title),
            message=message,
        )

    @console.exception_handler(PermissionDenied)
    async def denied(request: Request, exc: PermissionDenied) -> Response:
        logger.info(
            "console refused %s: %s", request.url.path, exc.context.get("action")
        )
        return _error_page(request, exc, N_("Not allowed"), 403)

    @console.exception_handler(CsrfRejected)
    async def csrf(request: Request, exc: CsrfRejected) -> Response:
        return _error_page(request, exc, N_("Form refused"), 403)

    @console.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error_page(request, exc, N_("Not found"), 404)

    @console.exception_handler(ConflictError)
    async def conflict(request: Request, exc: ConflictError) -> Response:
        return _error_page(request, exc, N_("Someone was faster"), 409)


__all__ = ["ConsoleState", "asset_path", "create_console", "mount_console"]
