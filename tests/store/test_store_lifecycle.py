"""Policy and model versions (four eyes), outcomes, the stop switch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from finduo.errors import ConflictError, PermissionDenied
from finduo.store import NewOutcome, Store

POLICY_V1 = "name: german-credit\nversion: '1'\ncutoffs: {approve: 0.1}\n"
POLICY_V2 = "name: german-credit\nversion: '2'\ncutoffs: {approve: 0.12}\n"


def test_policy_needs_a_second_person_to_approve(store: Store) -> None:
    v1 = store.save_policy_version("german-credit", "1", POLICY_V1, "ana")
    store.set_policy_state(v1.content_hash, "proposed", "ana")

    with pytest.raises(PermissionDenied, match="'ana' proposed policy"):
        store.set_policy_state(v1.content_hash, "approved", "ana")
    approved = store.set_policy_state(v1.content_hash, "approved", "bob")

    assert (approved.state, approved.proposed_by, approved.approved_by) == (
        "approved",
        "ana",
        "bob",
    )
    refused = store.audit_events(subject_type="policy")
    assert [e.action for e in refused] == [
        "policy.saved",
        "policy.proposed",
        "policy.approve_refused",
        "policy.approved",
    ]
    assert refused[2].actor == "ana"


def test_only_an_approved_policy_becomes_active_and_retires_the_old(
    store: Store,
) -> None:
    hashes = []
    for label, text in (("1", POLICY_V1), ("2", POLICY_V2)):
        version = store.save_policy_version("german-credit", label, text, "ana")
        hashes.append(version.content_hash)
    with pytest.raises(ConflictError, match="is draft; it can move to proposed"):
        store.set_policy_state(hashes[0], "active", "ana")

    for content_hash in hashes:
        store.set_policy_state(content_hash, "proposed", "ana")
        store.set_policy_state(content_hash, "approved", "bob")
        store.set_policy_state(content_hash, "active", "bob")

    active = store.active_policy_version("german-credit")
    assert active is not None and active.content_hash == hashes[1]
    assert store.get_policy_version(hashes[0]).state == "retired"
    again = store.save_policy_version("german-credit", "1", POLICY_V1, "eve")
    assert again.content_hash == hashes[0] and again.created_by == "ana"


def test_model_promotion_needs_a_second_person(store: Store) -> None:
    store.register_model_version(
        "lgbm-1",
        kind="lightgbm",
        dataset="german-credit",
        path="/m/1",
        meta={"auc": 0.79},
        actor="ana",
    )

    with pytest.raises(PermissionDenied, match="cannot also approve"):
        store.set_model_state("lgbm-1", "approved", "ana")
    store.set_model_state("lgbm-1", "approved", "bob")
    active = store.set_model_state("lgbm-1", "active", "bob")

    assert active.state == "active" and active.meta == {"auc": 0.79}
    with pytest.raises(ConflictError, match="already registered"):
        store.register_model_version(
            "lgbm-1", kind="lightgbm", dataset="g", path="p", meta={}, actor="ana"
        )


def test_outcomes_report_unmatched_and_duplicate_rows(
    store: Store, decision_factory: Any
) -> None:
    decision = decision_factory(outcome="approve", recommendation="approve")
    store.record_decision(decision, {"a": 1}, "webshop")
    seen = datetime(2027, 6, 1, tzinfo=UTC)
    rows = [
        NewOutcome(decision.decision_id, "paid", seen, 0, "outcomes.csv:2"),
        NewOutcome("missing", "defaulted", seen, 95, "outcomes.csv:3"),
        NewOutcome(decision.decision_id, "paid", seen, 0, "outcomes.csv:4"),
        NewOutcome(decision.decision_id, "defaulted", seen, 91, "outcomes.csv:5"),
    ]

    report = store.record_outcomes(rows, "importer")
    second = store.record_outcomes(rows[:1], "importer")

    assert report.inserted == 2
    assert [r.source_row for r in report.unmatched] == ["outcomes.csv:3"]
    assert [r.source_row for r in report.duplicates] == ["outcomes.csv:4"]
    assert second.inserted == 0 and len(second.duplicates) == 1
    stored = store.list_outcomes(decision.decision_id)
    assert [(o.kind, o.days_past_due) for o in stored] == [
        ("paid", 0),
        ("defaulted", 91),
    ]
    assert stored[0].observed_at == seen


def test_stop_switch_is_durable_and_audited(store: Store) -> None:
    assert store.stop_switch() is False

    store.set_stop_switch(True, "admin")

    assert store.stop_switch() is True
    event = store.audit_events(subject_type="setting")[-1]
    assert (event.actor, event.payload) == ("admin", {"old": None, "new": "on"})
    store.set_stop_switch(False, "admin")
    assert store.stop_switch() is False
