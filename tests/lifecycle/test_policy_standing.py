"""Policy versions are named alike everywhere and show what is truly in force."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finduo import lifecycle
from finduo.cli import _register_all, app
from finduo.lifecycle.standing import display_name, standing
from finduo.policy.loader import parse_policy, shipped_policy
from finduo.settings import get_settings
from finduo.store import Store


def _stricter() -> str:
    return re.sub(
        r"(?m)^(\s*approve_below:) [0-9.]+", r"\1 0.11", shipped_policy().text
    )


def _activate(store: Store, text: str) -> str:
    proposed = lifecycle.propose_text(store, "ana", text)
    lifecycle.simulate(store, "ana", proposed.content_hash)
    lifecycle.approve(store, "cat", proposed.content_hash)
    return lifecycle.activate(store, "cat", proposed.content_hash).content_hash


def test_shipped_draft_is_in_force_until_a_version_is_activated(store: Store) -> None:
    shipped = shipped_policy()
    # What the engine does the first time it decides with the shipped policy.
    saved = store.save_policy_version(
        shipped.policy.name, shipped.version, shipped.text, "engine"
    )

    before = standing(saved, shipped.version)
    activated = _activate(store, _stricter())
    new = store.get_policy_version(activated)
    label = new.version_label
    after = standing(store.get_policy_version(saved.content_hash), label)
    not_restarted = standing(new, shipped.version)

    assert saved.state == "draft"
    assert (before.key, before.in_force) == ("in_force_shipped", True)
    assert before.text == "in force (shipped default)"
    assert (after.key, after.in_force) == ("shipped_not_in_force", False)
    assert (standing(new, label).key, standing(new, label).in_force) == (
        "active",
        True,
    )
    assert (not_restarted.key, not_restarted.in_force) == ("active", False)
    assert display_name(new) == f"{label} ({activated[:12]})"
    assert label == parse_policy(new.yaml_text, "t").version != shipped.version


def test_a_policy_file_in_force_is_named_as_such(store: Store) -> None:
    text = _stricter()
    own = store.save_policy_version(
        "german-credit", parse_policy(text, "f").version, text, "e"
    )

    status = standing(own, own.version_label)

    assert (status.key, status.text) == ("in_force_file", "in force (policy file)")
    assert standing(own, shipped_policy().version).key == "draft"


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    for name in ("FINDUO_DATABASE_URL", "FINDUO_USER", "FINDUO_POLICY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    store = Store.from_settings(get_settings())
    store.upgrade()
    for name, roles in {"ana": ["analyst"], "cat": ["approver"]}.items():
        store.create_user(name, roles, "admin")
    _register_all()
    yield store
    store.close()
    get_settings.cache_clear()


def _rows(output: str) -> dict[str, str]:
    """Label -> its row's text, from the Rich table of `finduo policy list`."""
    rows: dict[str, str] = {}
    current = None
    for line in output.splitlines():
        found = re.search(r"(german-credit-[0-9a-f]{12})", line)
        if found:
            current = found.group(1)
        elif not line.startswith("│"):
            current = None
        if current:
            rows[current] = rows.get(current, "") + line
    return rows


def test_policy_list_names_label_and_hash_and_the_shipped_default_in_force(
    state: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finduo.cli._common import console

    monkeypatch.setattr(console, "width", 80)
    shipped = shipped_policy()
    saved = state.save_policy_version(
        shipped.policy.name, shipped.version, shipped.text, "engine"
    )

    before = CliRunner().invoke(app, ["policy", "list"])
    activated = state.get_policy_version(_activate(state, _stricter()))
    after = CliRunner().invoke(app, ["policy", "versions"])

    assert before.exit_code == 0, before.output
    (row,) = _rows(before.output).values()
    assert f"({saved.content_hash[:12]})" in row
    assert "in force (shipped" in row and "default)" in row
    assert f"in force for finduo decide: {shipped.version}" in before.output
    rows = _rows(after.output)
    assert "shipped default, not" in rows[shipped.version]
    assert f"({activated.content_hash[:12]})" in rows[activated.version_label]
    assert "active" in rows[activated.version_label]
    assert "ana" in rows[activated.version_label]
    assert "draft" not in after.output
    assert f"{activated.version_label} (activated)" in after.output
