"""``finduo users``: people and service clients, each with one or more roles."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from finduo.cli._common import actor, open_store
from finduo.errors import ConfigError
from finduo.identity import Permission, parse_roles
from finduo.identity.acting import acting_as, user_identity
from finduo.identity.passwords import MIN_PASSWORD_LENGTH, hash_password

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


PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password (for the console) from the first line of "
        "standard input, for scripts.",
    ),
]


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, else asked twice without echo."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise ConfigError("--password-stdin: standard input held no password.")
        return line
    password: str = typer.prompt(
        f"New password (at least {MIN_PASSWORD_LENGTH} characters)",
        hide_input=True,
        confirmation_prompt="Repeat the password",
    )
    return password


@users_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Unique user name.")],
    role: RoleOption,
    password: Annotated[
        bool,
        typer.Option(
            "--password",
            help="Ask for a password (for the console) twice, without echo.",
        ),
    ] = False,
    password_stdin: PasswordStdin = False,
    language: Annotated[str, typer.Option(help="Language: en or de.")] = "en",
    as_user: AsOption = None,
) -> None:
    """Create a user (as an admin: finduo --as NAME users create ...).

    The very first user of a store is created without an acting admin. A user
    without a password cannot sign in to the console (API tokens still work);
    give one with --password or --password-stdin, or later with
    `finduo users set-password`.
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
        if password or password_stdin:
            password_hash = hash_password(read_password(password_stdin))
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
    if user.password_hash is None:
        err.print(
            f"{user.name!r} has no password and cannot sign in to the console; "
            f"set one with: finduo --as ADMIN users set-password --name {user.name}"
        )


@users_app.command("set-password")
def set_password(
    name: Annotated[str, typer.Option("--name", help="Whose password.")],
    password_stdin: PasswordStdin = False,
    as_user: AsOption = None,
) -> None:
    """Set or change a user's console password (an admin, or the user themselves).

    Asks twice without echo; with --password-stdin reads one line instead. A
    lock-out after failed sign-ins ends with the new password. Audited as
    user.updated (never the password or its hash).
    """
    store = open_store()
    try:
        acting = user_identity(store, as_user or actor())
        if acting.name != name:
            acting.require(Permission.MANAGE_IDENTITIES)
        store.get_user(name)  # an unknown name fails before the prompt
        password_hash = hash_password(read_password(password_stdin))
        store.update_user(name, acting.name, password_hash=password_hash)
    finally:
        store.close()
    console.print(f"password of [bold]{name}[/] set (by {acting.name}).")


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
