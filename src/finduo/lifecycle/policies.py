"""Policy versions: draft → proposed → approved → active → retired, four-eyes.

The YAML file stays the authoring format; the store keeps each version's text
with its state. The steps:

1. an analyst **proposes** a file (stored as a draft, then proposed);
2. anyone with the analyst or approver role **simulates** it over the stored
   decisions (recorded in the audit trail with its figures);
3. an approver who is *not* the proposer **approves** it — only after a
   simulation has been recorded for that version;
4. an approver **activates** an approved version (the previously active
   version of the same name is retired).

Each step, and each refusal, is an audit event. Versions are referred to by a
prefix of their content hash (6+ hex characters) or by their policy version
(``<name>-<hash12>``, the one decisions name).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from finduo.errors import ConflictError, NotFoundError, PolicyError
from finduo.lifecycle.roles import Step, require_step
from finduo.outcomes.definition import OutcomeDefinition
from finduo.policy.loader import SHIPPED, LoadedPolicy, parse_policy, shipped_policy
from finduo.simulation.from_store import StoredReplay, simulate_stored
from finduo.store import Store
from finduo.store.records import PolicyVersion

logger = logging.getLogger(__name__)

SIMULATED = "policy.simulated"


def resolve(store: Store, ref: str) -> PolicyVersion:
    """The stored version named by a hash prefix or a policy version label."""
    versions = store.list_policy_versions()
    hits = [v for v in versions if v.version_label == ref]
    if not hits and len(ref) >= 6:
        hits = [v for v in versions if v.content_hash.startswith(ref.lower())]
    if not hits:
        raise NotFoundError(
            f"no stored policy version matches {ref!r}; give 6+ characters of its "
            "hash or its version label (finduo policy versions lists them)",
            ref=ref,
        )
    if len(hits) > 1:
        raise ConflictError(
            f"{ref!r} matches {len(hits)} policy versions; give more characters",
            ref=ref,
        )
    return hits[0]


def loaded(version: PolicyVersion) -> LoadedPolicy:
    """The stored text parsed and validated again."""
    return parse_policy(version.yaml_text, f"store:{version.content_hash[:12]}")


def propose(store: Store, actor: str | None, path: Path) -> PolicyVersion:
    """Store the policy file as a version and mark it proposed by ``actor``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            f"policy file {path} cannot be read: {exc.strerror}", path=str(path)
        ) from exc
    return propose_text(store, actor, text, str(path))


def propose_text(
    store: Store, actor: str | None, text: str, source: str = "<text>"
) -> PolicyVersion:
    """:func:`propose` for policy text (the API and the console post text)."""
    policy = parse_policy(text, source)
    identity = require_step(store, actor, Step.PROPOSE, "policy", policy.version)
    version = store.save_policy_version(
        policy.policy.name, policy.version, text, identity.name
    )
    if version.state != "draft":
        raise ConflictError(
            f"this text is already stored as policy version "
            f"{version.content_hash[:12]} ({version.state})",
            ref=version.content_hash,
        )
    return store.set_policy_state(version.content_hash, "proposed", identity.name)


def simulate(
    store: Store,
    actor: str | None,
    ref: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
    lgd: float = 1.0,
    definition: OutcomeDefinition | None = None,
    model: Any = None,
) -> StoredReplay:
    """Replay a stored version against the active one; record the figures.

    ``model``: re-score the stored applications with this model first.
    """
    version = resolve(store, ref)
    identity = require_step(store, actor, Step.SIMULATE, "policy", version.content_hash)
    proposed = loaded(version).policy
    active_version = store.active_policy_version(proposed.name)
    active = loaded(active_version).policy if active_version else None
    against = active_version.content_hash if active_version else None
    if active is None and proposed.name in SHIPPED:
        # No version activated yet: the engine decides with the shipped policy.
        shipped = shipped_policy(proposed.name)
        active, against = shipped.policy, f"shipped:{shipped.version}"
    result = simulate_stored(
        store,
        proposed,
        active,
        since=since,
        until=until,
        as_of=as_of,
        lgd=lgd,
        definition=definition,
        model=model,
    )
    sim = result.simulation
    store.record_event(
        identity.name,
        SIMULATED,
        "policy",
        version.content_hash,
        {
            "against": against,
            "n": sim.n,
            "rescored_with": getattr(model, "version", None),
            "n_erased_left_out": result.n_erased,
            "rates": sim.rates,
            "swap_in": sim.swap_in.n if sim.swap_in else None,
            "swap_out": sim.swap_out.n if sim.swap_out else None,
        },
    )
    return result


def was_simulated(store: Store, content_hash: str) -> bool:
    events = store.audit_events(subject_type="policy", subject_id=content_hash)
    return any(e.action == SIMULATED for e in events)


def approve(
    store: Store, actor: str | None, ref: str, *, require_simulation: bool = True
) -> PolicyVersion:
    """Approve a proposed version: another user than the proposer, approver role."""
    version = resolve(store, ref)
    identity = require_step(store, actor, Step.APPROVE, "policy", version.content_hash)
    if require_simulation and not was_simulated(store, version.content_hash):
        store.record_event(
            identity.name,
            "policy.approve_refused",
            "policy",
            version.content_hash,
            {"rule": "simulation_first"},
        )
        raise ConflictError(
            f"policy version {version.content_hash[:12]} has not been simulated; "
            "run `finduo policy simulate` on it before approving",
            ref=version.content_hash,
        )
    return store.set_policy_state(version.content_hash, "approved", identity.name)


def activate(store: Store, actor: str | None, ref: str) -> PolicyVersion:
    """Put an approved version in force (the active one of that name retires)."""
    version = resolve(store, ref)
    identity = require_step(store, actor, Step.ACTIVATE, "policy", version.content_hash)
    return store.set_policy_state(version.content_hash, "active", identity.name)


def retire(store: Store, actor: str | None, ref: str) -> PolicyVersion:
    version = resolve(store, ref)
    identity = require_step(store, actor, Step.RETIRE, "policy", version.content_hash)
    return store.set_policy_state(version.content_hash, "retired", identity.name)


def active_policy(store: Store, name: str | None = None) -> LoadedPolicy | None:
    """The active stored policy (the engine's default when no file is named)."""
    version = store.active_policy_version(name)
    return loaded(version) if version is not None else None


__all__ = [
    "activate",
    "active_policy",
    "approve",
    "loaded",
    "propose",
    "propose_text",
    "resolve",
    "retire",
    "simulate",
    "was_simulated",
]
