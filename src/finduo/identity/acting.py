"""Who a command acts as: a named user of the store (``--as`` or ``FINDUO_USER``)."""

from __future__ import annotations

from typing import Any

from finduo.errors import AuthError
from finduo.identity.roles import Identity, Permission, parse_roles


def user_identity(store: Any, name: str | None) -> Identity:
    """The identity of the store's user ``name``.

    Raises
    ------
    AuthError
        When no name is given, or the user is unknown or disabled.
    """
    if not name:
        raise AuthError(
            "say who acts: --as NAME or FINDUO_USER=NAME (a user of the store)."
        )
    user = store.find_user(name)
    if user is None or user.disabled:
        raise AuthError(f"user {name!r} is unknown or disabled.", user=name)
    return Identity(name=user.name, roles=parse_roles(list(user.roles)))


def acting_as(store: Any, name: str | None, permission: Permission) -> Identity:
    """The user ``name``, if a role of theirs holds ``permission``."""
    identity = user_identity(store, name)
    identity.require(permission)
    return identity


__all__ = ["acting_as", "user_identity"]
