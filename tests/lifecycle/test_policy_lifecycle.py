"""Policy versions: four-eyes approval, simulation first, activation, diffs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finduo import lifecycle
from finduo.errors import ConflictError, PermissionDenied
from finduo.policy.loader import shipped_policy
from finduo.store import Store


def _variant(tmp_path: Path, approve_below: str = "0.12") -> Path:
    text, n = re.subn(
        r"(?m)^(\s*approve_below:) [0-9.]+",
        rf"\1 {approve_below}",
        shipped_policy().text,
    )
    assert n == 1
    path = tmp_path / f"policy-{approve_below}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _actions(store: Store, content_hash: str) -> list[tuple[str, str]]:
    return [
        (e.actor, e.action)
        for e in store.audit_events(subject_type="policy", subject_id=content_hash)
    ]


def test_proposer_cannot_approve_own_version_and_refusal_is_audited(
    store: Store, tmp_path: Path
) -> None:
    version = lifecycle.propose(store, "bob", _variant(tmp_path))
    lifecycle.simulate(store, "bob", version.content_hash[:8])

    with pytest.raises(PermissionDenied, match="cannot also approve"):
        lifecycle.approve(store, "bob", version.content_hash[:8])

    assert store.get_policy_version(version.content_hash).state == "proposed"
    assert ("bob", "policy.approve_refused") in _actions(store, version.content_hash)
    assert store.audit_verify().ok


def test_analyst_without_approver_role_is_refused_and_audited(
    store: Store, tmp_path: Path
) -> None:
    version = lifecycle.propose(store, "ana", _variant(tmp_path))
    lifecycle.simulate(store, "ana", version.version_label)

    with pytest.raises(PermissionDenied, match="needs the role approver"):
        lifecycle.approve(store, "ana", version.version_label)
    with pytest.raises(PermissionDenied, match="needs the role analyst"):
        lifecycle.propose(store, "rev", _variant(tmp_path, "0.11"))

    assert ("ana", "policy.approve_refused") in _actions(store, version.content_hash)


def test_approval_needs_a_recorded_simulation(store: Store, tmp_path: Path) -> None:
    version = lifecycle.propose(store, "ana", _variant(tmp_path))

    with pytest.raises(ConflictError, match="has not been simulated"):
        lifecycle.approve(store, "cat", version.content_hash[:8])

    assert store.get_policy_version(version.content_hash).state == "proposed"


def test_full_lifecycle_two_users_activate_and_retire_previous(
    store: Store, tmp_path: Path
) -> None:
    first = lifecycle.propose(store, "ana", _variant(tmp_path, "0.12"))
    lifecycle.simulate(store, "ana", first.content_hash[:8])
    lifecycle.approve(store, "cat", first.content_hash[:8])
    lifecycle.activate(store, "cat", first.content_hash[:8])
    second = lifecycle.propose(store, "ana", _variant(tmp_path, "0.14"))

    with pytest.raises(ConflictError, match="proposed"):
        lifecycle.activate(store, "cat", second.content_hash[:8])
    result = lifecycle.simulate(store, "cat", second.content_hash[:8])
    lifecycle.approve(store, "cat", second.content_hash[:8])
    lifecycle.activate(store, "cat", second.content_hash[:8])

    assert store.get_policy_version(first.content_hash).state == "retired"
    assert store.get_policy_version(second.content_hash).state == "active"
    assert lifecycle.active_policy(store).policy.cutoffs.approve_below == 0.14
    sim = result.simulation
    assert sim.active == "german-credit" and sim.n == 200
    assert sim.swap_out.n == 0 and sim.swap_in.n > 0  # looser cut-off only adds
    assert sim.rates["proposed"]["approve"] > sim.rates["active"]["approve"]
    actions = [a for _, a in _actions(store, second.content_hash)]
    assert actions == [
        "policy.saved",
        "policy.proposed",
        "policy.simulated",
        "policy.approved",
        "policy.active",
    ]


def test_diff_names_changed_values(tmp_path: Path) -> None:
    old = shipped_policy().text
    new = _variant(tmp_path, "0.13").read_text(encoding="utf-8")

    changes = lifecycle.value_changes(old, new)
    text = lifecycle.text_diff(old, new, "old", "new")

    was = shipped_policy().policy.cutoffs.approve_below
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("cutoffs.approve_below", was, 0.13)
    ]
    assert f"-  approve_below: {was}" in text and "+  approve_below: 0.13" in text
