"""Roles, the permission table, bearer headers and passwords."""

from __future__ import annotations

import pytest

from finduo.errors import AuthError, ConfigError, PermissionDenied
from finduo.identity import PERMISSIONS, Identity, Permission, Role, parse_roles
from finduo.identity.passwords import hash_password, needs_rehash, verify_password
from finduo.identity.tokens import token_from_header


def test_parse_roles_accepts_lists_and_comma_text() -> None:
    assert parse_roles(["Decider", "reviewer"]) == {Role.DECIDER, Role.REVIEWER}
    assert parse_roles("analyst, approver") == {Role.ANALYST, Role.APPROVER}


def test_parse_roles_names_the_bad_value_and_the_choices() -> None:
    with pytest.raises(
        ConfigError, match=r"role must be one of decider, .*; got 'boss'"
    ):
        parse_roles(["decider", "boss"])
    with pytest.raises(ConfigError, match="at least one role"):
        parse_roles([])


def test_every_permission_is_held_by_some_role_and_admin_cannot_decide() -> None:
    assert set(PERMISSIONS) == set(Permission)
    assert all(PERMISSIONS[p] for p in Permission)
    admin = Identity("root", frozenset({Role.ADMIN}))

    assert admin.can(Permission.MANAGE_IDENTITIES)
    assert not admin.can(Permission.DECIDE)
    assert not admin.can(Permission.RESOLVE_CASES)


def test_require_refuses_with_permission_roles_and_name() -> None:
    clerk = Identity("webshop", frozenset({Role.DECIDER}))

    clerk.require(Permission.DECIDE)
    with pytest.raises(
        PermissionDenied,
        match="resolve_cases needs the role reviewer; 'webshop' has decider",
    ):
        clerk.require(Permission.RESOLVE_CASES)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Authorization: Bearer <token>"),
        ("", "Authorization: Bearer <token>"),
        ("Basic dXNlcjpwdw==", "must read 'Bearer <token>'"),
        ("Bearer ", "must read 'Bearer <token>'"),
        ("Bearer " + "x" * 500, "not a finduo token"),
    ],
)
def test_bearer_header_problems_are_auth_errors(
    header: str | None, message: str
) -> None:
    with pytest.raises(AuthError, match=message):
        token_from_header(header)


def test_bearer_scheme_is_case_insensitive() -> None:
    assert token_from_header("bearer fdo_abc") == "fdo_abc"


def test_password_is_hashed_with_argon2id_and_verified() -> None:
    stored = hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert not needs_rehash(stored)
    verify_password(stored, "correct horse battery")
    with pytest.raises(AuthError, match="name or password is wrong"):
        verify_password(stored, "correct horse batterY")


def test_short_password_is_refused_with_its_length() -> None:
    with pytest.raises(ConfigError, match="at least 12 characters; got 5"):
        hash_password("short")
