"""Helpers shared by the decision-side commands: who acts, the store, the policy."""

from __future__ import annotations

import getpass
import os
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from finduo.policy.loader import (
    LoadedPolicy,
    load_policy,
    parse_policy,
    shipped_policy,
)
from finduo.settings import get_settings

if TYPE_CHECKING:
    from finduo.store import Store

console = Console()
err_console = Console(stderr=True)

# Set by the global ``--as`` option (see finduo.cli.__init__).
current_user: ContextVar[str | None] = ContextVar("current_user", default=None)


def actor() -> str:
    """Name the CLI acts as: ``--as``, else FINDUO_USER, else the login name."""
    name = current_user.get() or os.environ.get("FINDUO_USER") or get_settings().user
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def open_store(url: str | None = None, state_dir: Path | None = None) -> Store:
    """The store of the settings (migrated to the latest schema)."""
    from finduo.store import Store

    settings = get_settings()
    if url is None and state_dir is None:
        store = Store.from_settings(settings)
    else:
        folder = state_dir or settings.state_dir
        folder.mkdir(parents=True, exist_ok=True)
        # The folder's own key, as if FINDUO_STATE_DIR named it.
        local = settings.model_copy(update={"state_dir": folder})
        store = Store(
            url or f"sqlite:///{folder / 'finduo.db'}",
            audit_key=local.secret("audit_key"),
            state_dir=folder,
        )
    store.upgrade()
    return store


def active_policy(path: Path | None = None, store: Store | None = None) -> LoadedPolicy:
    """The policy to decide with.

    ``path``, else FINDUO_POLICY, else the version activated in the store (when
    a store is given), else the shipped German-credit policy.
    """
    chosen = path or get_settings().policy
    if chosen is not None:
        return load_policy(chosen)
    if store is not None:
        version = store.active_policy_version()
        if version is not None:
            return parse_policy(
                version.yaml_text, f"store:{version.content_hash[:12]} (active)"
            )
    return shipped_policy()


def short(value: Any, width: int = 60) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _marks_or_usage_error(sep: str | None, decimal: str | None) -> None:
    from finduo.datasets.csvio import check_marks
    from finduo.errors import DataError

    try:
        check_marks(sep, decimal)
    except DataError as exc:  # an option value, not the file: a usage error
        raise typer.BadParameter(exc.message) from exc


def sep_option(value: str | None) -> str | None:
    """Callback of a ``--sep`` option: one character, else exit code 2."""
    _marks_or_usage_error(value, None)
    return value


def decimal_option(value: str | None) -> str | None:
    """Callback of a ``--decimal`` option: ``,`` or ``.``, else exit code 2."""
    _marks_or_usage_error(None, value)
    return value
