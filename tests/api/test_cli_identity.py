"""``finduo users`` and ``finduo tokens``: bootstrap, admin only, token once, revoke."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finduo.cli import _register_all, app
from finduo.settings import get_settings
from finduo.store import Store

runner = CliRunner()


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("FINDUO_DATABASE_URL", raising=False)
    monkeypatch.delenv("FINDUO_USER", raising=False)
    get_settings.cache_clear()
    _register_all()
    yield tmp_path
    get_settings.cache_clear()


def _store() -> Store:
    return Store.from_settings(get_settings())


def test_first_user_needs_no_admin_then_only_admins_create_users(state: Path) -> None:
    first = runner.invoke(
        app, ["users", "create", "--name", "alice", "--role", "admin"]
    )
    anonymous = runner.invoke(
        app, ["users", "create", "--name", "bob", "--role", "reviewer"]
    )
    by_admin = runner.invoke(
        app, ["--as", "alice", "users", "create", "--name", "bob", "--role", "reviewer"]
    )
    by_reviewer = runner.invoke(
        app, ["--as", "bob", "users", "create", "--name", "eve", "--role", "admin"]
    )

    assert first.exit_code == 0, first.output
    assert anonymous.exit_code != 0
    assert by_admin.exit_code == 0, by_admin.output
    assert by_reviewer.exit_code != 0
    assert "manage_identities needs the role admin" in str(by_reviewer.exception)
    names = {user.name for user in _store().list_users()}
    assert names == {"alice", "bob"}


def test_password_from_stdin_is_stored_as_argon2_hash(state: Path) -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--name",
            "carla",
            "--role",
            "reviewer",
            "--password-stdin",
        ],
        input="a long enough secret\n",
    )

    assert result.exit_code == 0, result.output
    stored = _store().get_user("carla").password_hash
    assert stored is not None and stored.startswith("$argon2id$")
    assert "a long enough secret" not in stored


def test_token_is_printed_once_works_and_stops_after_revoke(state: Path) -> None:
    runner.invoke(app, ["users", "create", "--name", "alice", "--role", "admin"])

    created = runner.invoke(
        app,
        ["--as", "alice", "tokens", "create", "--name", "webshop", "--role", "decider"],
    )
    token = created.stdout.strip().splitlines()[-1]
    store = _store()
    identity = store.identity_for_token(token)
    (listed,) = store.list_tokens()
    listing = runner.invoke(app, ["--as", "alice", "tokens", "list"])
    revoked = runner.invoke(app, ["--as", "alice", "tokens", "revoke", listed.id])

    assert created.exit_code == 0, created.output
    assert identity is not None and identity.name == "webshop"
    assert tuple(identity.roles) == ("decider",)
    assert token not in listing.stdout
    assert revoked.exit_code == 0, revoked.output
    assert store.identity_for_token(token) is None
