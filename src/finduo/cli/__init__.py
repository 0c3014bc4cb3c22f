"""The ``finduo`` command line (Typer + Rich).

Each command group lives in its own module with a ``register(app)`` function;
this module only assembles them and maps product errors to exit codes.
"""

from __future__ import annotations

import importlib
import logging
import sys

import typer
from rich.console import Console

from finduo.errors import FinduoError

app = typer.Typer(
    name="finduo",
    help="finduo: credit decisions by the machine, overseen by the expert.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Command modules, each exposing register(app). Add yours here.
_COMMAND_MODULES: tuple[str, ...] = (
    "policy",
    "cases",
    "audit",
    "decide",
    "demo",
    "serve",
    "users",
    "tokens",
    "modelling",
    "lifecycle",  # adds propose/approve/... to the policy group: keep after it
    "outcomes",
    "monitor",
    "purge",
    "report",
    "portfolio",
    "learning",
    "challenger",
)

err_console = Console(stderr=True)


@app.callback()
def _global_options(
    as_user: str | None = typer.Option(
        None,
        "--as",
        envvar="FINDUO_USER",
        help="Name of the user the CLI acts as (also FINDUO_USER).",
    ),
) -> None:
    """finduo: credit decisions by the machine, overseen by the expert."""
    from finduo.cli._common import current_user

    current_user.set(as_user)


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"finduo.cli.{name}")
        module.register(app)


def main() -> None:
    """Entry point of the console script."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    _register_all()
    try:
        app()
    except FinduoError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}")
        sys.exit(exc.exit_code)


__all__ = ["app", "main"]
