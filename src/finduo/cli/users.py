"""``finduo users``: people and service clients, each with one or more roles."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from finduo.cli._common import actor, open_store
from finduo.identity import Permission, parse_roles
from finduo.identity.acting import acting_as
from finduo.identity.passwords import hash_password

RoleOption = Annotated[
    list[str],
    typer.Option(
        "--role",
        help="Role: decider, reviewer, analyst, approver or admin; repeat for several.",
    ),
]


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="User acting (an admin); same as `finduo --as NAME` or FINDUO_USER.",
        show_default=False,
    ),
]


def admin_actor(store: Any, as_user: str | None = None) -> str:
    """The acting user (``--as NAME`` or FINDUO_USER), if an admin."""
    return acting_as(store, as_user or actor(), Permission.MANAGE_IDENTITIES).name


users_app = typer.Typer(
    help="Users (people and service clients) and their roles.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


@users_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Unique user name.")],
    role: RoleOption,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read a password (for the console) from standard input.",
        ),
    ] = False,
    language: Annotated[str, typer.Option(help="Language: en or de.")] = "en",
    as_user: AsOption = None,
) -> None:
    """Create a user (as an admin: finduo --as NAME users create ...).

    The very first user of a store is created without an acting admin.
    """
    roles = parse_roles(role)
    store = open_store()
    try:
        if store.list_users():
            acting = admin_actor(store, as_user)
        else:
            acting = name
            err.print(f"no users yet: creating {name!r} as the first user.")
        password_hash = None
        if password_stdin:
            password_hash = hash_password(sys.stdin.readline().rstrip("\r\n"))
        user = store.create_user(
            name,
            sorted(roles),
            acting,
            password_hash=password_hash,
            language=language,
        )
    finally:
        store.close()
    console.print(
        f"created user [bold]{user.name}[/] with roles {', '.join(user.roles)}"
    )


@users_app.command("list")
def list_users(as_user: AsOption = None) -> None:
    """List users and their roles."""
    store = open_store()
    try:
        admin_actor(store, as_user)
        users = store.list_users()
    finally:
        store.close()
    table = Table("name", "roles", "password", "disabled", "created")
    for user in users:
        table.add_row(
            user.name,
            ", ".join(user.roles),
            "yes" if user.password_hash else "no",
            "yes" if user.disabled else "no",
            f"{user.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


__all__ = ["register", "users_app"]
