"""``finduo tokens``: API tokens, shown once, stored only as a hash, revocable."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from finduo.cli._common import open_store
from finduo.cli.users import AsOption, RoleOption, admin_actor
from finduo.identity import parse_roles

tokens_app = typer.Typer(
    help="API tokens of users and service clients.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


@tokens_app.command("create")
def create(
    name: Annotated[
        str, typer.Option("--name", help="Who uses the token, e.g. webshop.")
    ],
    role: RoleOption,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", help="Tie the token to this user (it never exceeds their roles)."
        ),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Create a token and print it once; only its SHA-256 is kept."""
    roles = parse_roles(role)
    store = open_store()
    try:
        actor = admin_actor(store, as_user)
        token, plaintext = store.create_token(
            name, sorted(roles), actor, user_name=user
        )
    finally:
        store.close()
    err.print(
        f"token [bold]{token.id}[/] for {token.name} ({', '.join(token.roles)}); "
        "it is shown only this once:"
    )
    # The token alone on standard output, so that TOKEN=$(finduo tokens ...) works.
    typer.echo(plaintext)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[
        str, typer.Argument(help="Token id, from `finduo tokens list`.")
    ],
    as_user: AsOption = None,
) -> None:
    """Revoke a token: it is refused (401) from then on."""
    store = open_store()
    try:
        actor = admin_actor(store, as_user)
        token = store.revoke_token(token_id, actor)
    finally:
        store.close()
    console.print(f"revoked token [bold]{token.id}[/] of {token.name}")


@tokens_app.command("list")
def list_tokens(as_user: AsOption = None) -> None:
    """List tokens (never their values)."""
    store = open_store()
    try:
        admin_actor(store, as_user)
        tokens = store.list_tokens()
    finally:
        store.close()
    table = Table("id", "name", "user", "roles", "created", "revoked")
    for token in tokens:
        table.add_row(
            token.id,
            token.name,
            token.user_name or "-",
            ", ".join(token.roles),
            f"{token.created_at:%Y-%m-%d %H:%M}",
            f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "-",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")


__all__ = ["register", "tokens_app"]
