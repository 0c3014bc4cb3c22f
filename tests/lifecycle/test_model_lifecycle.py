"""Model candidates: promotion needs a second user's approval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finduo import lifecycle
from finduo.errors import ConflictError, ModelError, PermissionDenied
from finduo.store import Store


def _artifact(tmp_path: Path, version: str = "lightgbm-german-credit-1") -> Path:
    folder = tmp_path / version
    folder.mkdir()
    meta = {
        "version": version,
        "kind": "lightgbm",
        "dataset": "german-credit",
        "metrics": {"auc": 0.79},
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_promotion_refused_without_second_approver(
    store: Store, tmp_path: Path
) -> None:
    model = lifecycle.register_candidate(store, "bob", _artifact(tmp_path))

    with pytest.raises(ConflictError, match="needs the approval of a second user"):
        lifecycle.promote_model(store, "bob", model.version)
    with pytest.raises(PermissionDenied, match="cannot also approve"):
        lifecycle.approve_model(store, "bob", model.version)

    assert store.get_model_version(model.version).state == "candidate"
    actions = [
        (e.actor, e.action)
        for e in store.audit_events(subject_type="model", subject_id=model.version)
    ]
    assert ("bob", "model.promote_refused") in actions
    assert ("bob", "model.approve_refused") in actions
    assert lifecycle.active_model_path(store) is None


def test_second_approver_then_promotion_makes_it_active(
    store: Store, tmp_path: Path
) -> None:
    folder = _artifact(tmp_path)
    model = lifecycle.register_candidate(store, "ana", folder, evaluation={"auc": 0.8})

    lifecycle.approve_model(store, "cat", model.version)
    lifecycle.promote_model(store, "cat", model.version)

    stored = store.get_model_version(model.version)
    assert stored.state == "active" and stored.approved_by == "cat"
    assert stored.meta["candidate_evaluation"] == {"auc": 0.8}
    assert lifecycle.active_model_path(store, kind="lightgbm") == folder.resolve()


def test_folder_without_meta_is_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no readable meta\.json"):
        lifecycle.register_candidate(store, "ana", tmp_path)
