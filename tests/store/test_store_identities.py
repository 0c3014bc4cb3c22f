"""Users and tokens: only hashes stored, revocation, lock-out."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from finduo.errors import ConflictError, NotFoundError
from finduo.store import InvalidInput, Store
from finduo.store.tables import TokenRow


def test_token_is_stored_as_sha256_only(store: Store) -> None:
    token, plaintext = store.create_token("webshop", ["decider"], "admin")

    with store.engine.connect() as conn:
        rows = conn.execute(select(TokenRow)).mappings().all()

    assert len(rows) == 1
    assert rows[0]["token_sha256"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert all(plaintext not in str(value) for value in rows[0].values())
    assert plaintext not in str([e.payload for e in store.audit_events()])
    assert store.identity_for_token(plaintext) == ("webshop", ("decider",))
    assert token.id == rows[0]["id"]


def test_unknown_and_revoked_tokens_give_no_identity(store: Store) -> None:
    token, plaintext = store.create_token("billing", ["decider"], "admin")

    store.revoke_token(token.id, "admin")

    assert store.identity_for_token(plaintext) is None
    assert store.identity_for_token("fdo_made-up") is None
    assert store.identity_for_token("") is None
    assert store.list_tokens()[0].revoked_at is not None


def test_user_token_follows_the_user(store: Store) -> None:
    store.create_user("anna", ["reviewer", "analyst"], "admin")
    _, plaintext = store.create_token(
        "anna-cli", ["reviewer"], "admin", user_name="anna"
    )
    assert store.identity_for_token(plaintext) == ("anna", ("reviewer",))

    store.update_user("anna", "admin", roles=["analyst"])
    assert store.identity_for_token(plaintext) is None  # role taken away

    store.update_user("anna", "admin", roles=["reviewer"], disabled=True)
    assert store.identity_for_token(plaintext) is None


def test_user_names_are_unique_and_roles_checked(store: Store) -> None:
    store.create_user("ben", ["approver"], "admin", password_hash="$argon2id$x")

    with pytest.raises(ConflictError, match="user 'ben' already exists"):
        store.create_user("ben", ["reviewer"], "admin")
    with pytest.raises(InvalidInput, match=r"role must be one of .*; got 'boss'"):
        store.create_user("carl", ["boss"], "admin")
    with pytest.raises(NotFoundError, match="user 'zoe' does not exist"):
        store.get_user("zoe")
    assert store.find_user("zoe") is None
    assert store.get_user("ben").password_hash == "$argon2id$x"


def test_repeated_failed_sign_ins_lock_the_user_out(store: Store) -> None:
    store.create_user("carla", ["reviewer"], "admin", password_hash="h")

    for _ in range(3):
        user = store.record_login("carla", success=False, max_failures=3)

    assert user.failed_logins == 3
    assert Store.is_locked(user)
    assert not Store.is_locked(user, now=user.locked_until + timedelta(seconds=1))  # type: ignore[operator]
    user = store.record_login("carla", success=True)
    assert (user.failed_logins, user.locked_until) == (0, None)
    actions = [e.action for e in store.audit_events(subject_type="user")]
    assert actions == ["user.created"] + ["user.login_failed"] * 3 + ["user.login"]
