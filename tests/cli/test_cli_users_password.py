"""``finduo users set-password`` and ``users create --password``: console passwords."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from finduo.cli import _register_all, app
from finduo.errors import AuthError, ConfigError, NotFoundError, PermissionDenied
from finduo.identity.passwords import verify_password
from finduo.settings import get_settings
from finduo.store import Store

SECRET = "correct horse battery"
runner = CliRunner()


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A store with an admin and two reviewers, none of them with a password."""
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    for name in ("FINDUO_DATABASE_URL", "FINDUO_USER"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    _register_all()
    for args in (
        ["users", "create", "--name", "alice", "--role", "admin"],
        ["--as", "alice", "users", "create", "--name", "rita", "--role", "reviewer"],
        ["--as", "alice", "users", "create", "--name", "rolf", "--role", "reviewer"],
    ):
        assert runner.invoke(app, args).exit_code == 0
    store = Store.from_settings(get_settings())
    yield store
    store.close()
    get_settings.cache_clear()


def _set(who: str, name: str, text: str, *extra: str) -> Result:
    return runner.invoke(
        app, ["--as", who, "users", "set-password", "--name", name, *extra], input=text
    )


def test_user_created_without_password_is_told_how_to_set_one(
    users: Store,
) -> None:
    result = runner.invoke(
        app, ["--as", "alice", "users", "create", "--name", "nina", "--role", "analyst"]
    )

    assert result.exit_code == 0, result.output
    assert "cannot sign in to the console" in result.output
    assert "users set-password --name nina" in result.output
    assert users.get_user("nina").password_hash is None


def test_admin_sets_a_password_from_stdin_and_it_verifies(users: Store) -> None:
    result = _set("alice", "rita", SECRET + "\n", "--password-stdin")

    assert result.exit_code == 0, result.output
    stored = users.get_user("rita").password_hash
    assert stored is not None and stored.startswith("$argon2id$")
    verify_password(stored, SECRET)
    with pytest.raises(AuthError):
        verify_password(stored, SECRET + "!")
    (event,) = [
        e
        for e in users.audit_events(subject_type="user", subject_id="rita")
        if e.action == "user.updated"
    ]
    assert event.actor == "alice"
    assert event.payload == {"password": "changed"}


def test_prompt_asks_twice_without_echo(users: Store) -> None:
    result = _set("rita", "rita", f"{SECRET}\n{SECRET}\n")

    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "Repeat the password" in result.output
    verify_password(users.get_user("rita").password_hash or "", SECRET)


def test_two_different_entries_set_nothing(users: Store) -> None:
    result = _set("alice", "rita", f"{SECRET}\nsomething else entirely\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert users.get_user("rita").password_hash is None


def test_a_reviewer_may_set_only_their_own_password(users: Store) -> None:
    other = _set("rita", "rolf", SECRET + "\n", "--password-stdin")

    assert isinstance(other.exception, PermissionDenied)
    assert "manage_identities needs the role admin" in str(other.exception)
    assert users.get_user("rolf").password_hash is None


def test_short_password_and_unknown_user_are_refused(users: Store) -> None:
    short = _set("alice", "rita", "too short\n", "--password-stdin")
    unknown = _set("alice", "nobody", SECRET + "\n", "--password-stdin")

    assert isinstance(short.exception, ConfigError)
    assert "at least 12 characters; got 9" in str(short.exception)
    assert isinstance(unknown.exception, NotFoundError)
    assert users.get_user("rita").password_hash is None


def test_new_password_ends_a_lock_out(users: Store) -> None:
    for _ in range(5):
        users.record_login("rolf", success=False)
    assert users.is_locked(users.get_user("rolf"))

    result = _set("alice", "rolf", SECRET + "\n", "--password-stdin")

    assert result.exit_code == 0
    assert not users.is_locked(users.get_user("rolf"))


def test_create_can_ask_for_the_password(users: Store) -> None:
    result = runner.invoke(
        app,
        ["--as", "alice", "users", "create", "--name", "paul", "--role", "approver"],
        input=f"{SECRET}\n{SECRET}\n",
    )
    asked = runner.invoke(
        app,
        [
            "--as",
            "alice",
            "users",
            "create",
            "--name",
            "pia",
            "--role",
            "approver",
            "--password",
        ],
        input=f"{SECRET}\n{SECRET}\n",
    )

    assert result.exit_code == 0 and asked.exit_code == 0, asked.output
    assert users.get_user("paul").password_hash is None
    verify_password(users.get_user("pia").password_hash or "", SECRET)
