"""Model versions: candidate → approved (by a second user) → active → retired.

A newly trained model is registered as a **candidate** with its evaluation
(the ``meta.json`` of its artifact folder); an approver other than the one
who registered it **approves** it; an approver **promotes** an approved model
to active (the active model of the same kind and data set retires). A
promotion of a candidate nobody else approved is refused — the store allows
no step from candidate straight to active.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from finduo.errors import ConflictError, ModelError
from finduo.lifecycle.roles import Step, require_step
from finduo.store import Store
from finduo.store.records import ModelVersion


def read_meta(folder: Path) -> dict[str, Any]:
    """The artifact's ``meta.json`` (version, kind, dataset, metrics ...)."""
    path = folder / "meta.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(
            f"model folder {folder} has no readable meta.json: {exc.strerror}",
            path=str(folder),
        ) from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}", path=str(path)) from exc
    for key in ("version", "kind"):
        if not meta.get(key):
            raise ModelError(f"{path} lacks the field {key!r}", path=str(path))
    return dict(meta)


def register_candidate(
    store: Store,
    actor: str | None,
    folder: Path,
    *,
    evaluation: dict[str, Any] | None = None,
) -> ModelVersion:
    """Register the model saved in ``folder`` as a candidate of ``actor``."""
    meta = read_meta(folder)
    if evaluation is not None:
        meta = {**meta, "candidate_evaluation": evaluation}
    identity = require_step(store, actor, Step.REGISTER, "model", meta["version"])
    return store.register_model_version(
        meta["version"],
        kind=str(meta["kind"]),
        dataset=str(meta.get("dataset", "unknown")),
        path=str(folder.resolve()),
        meta=meta,
        actor=identity.name,
    )


def approve_model(store: Store, actor: str | None, version: str) -> ModelVersion:
    """Approve a candidate: approver role, not the user who registered it."""
    identity = require_step(store, actor, Step.APPROVE, "model", version)
    return store.set_model_state(version, "approved", identity.name)


def promote_model(store: Store, actor: str | None, version: str) -> ModelVersion:
    """Make an approved model active; a candidate without approval is refused."""
    identity = require_step(store, actor, Step.PROMOTE, "model", version)
    current = store.get_model_version(version)
    if current.state != "approved":
        store.record_event(
            identity.name,
            "model.promote_refused",
            "model",
            version,
            {"rule": "second_approver", "state": current.state},
        )
        raise ConflictError(
            f"model {version} is {current.state}; promotion needs the approval of "
            "a second user first (finduo model approve, by an approver who did "
            "not register it)",
            model=version,
            state=current.state,
        )
    return store.set_model_state(version, "active", identity.name)


def retire_model(store: Store, actor: str | None, version: str) -> ModelVersion:
    identity = require_step(store, actor, Step.RETIRE, "model", version)
    return store.set_model_state(version, "retired", identity.name)


def active_model_path(
    store: Store, kind: str | None = None, dataset: str | None = None
) -> Path | None:
    """Folder of the active model (of ``kind``), for the engine to load."""
    active = [
        m
        for m in store.list_model_versions(state="active", dataset=dataset)
        if kind is None or m.kind == kind
    ]
    return Path(active[-1].path) if active else None


__all__ = [
    "active_model_path",
    "approve_model",
    "promote_model",
    "read_meta",
    "register_candidate",
    "retire_model",
]
