"""Decisions: record and read back, idempotency, referral cases, erasure."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from finduo.errors import ConflictError, IdempotencyError, NotFoundError
from finduo.store import NewDecision, Store
from finduo.store.tables import AuditEventRow, CaseRow, DecisionRow

APPLICATION: dict[str, Any] = {
    "application_id": "app-1",
    "checking_account": "< 0 DM",
    "duration_months": 24,
    "credit_amount": 4870,
    "age": 53,
    "personal_status_sex": "male : single",
    "foreign_worker": "yes",
}


def _count(store: Store, column: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count(column))).scalar_one())


def test_record_decision_reads_back_every_field(
    store: Store, decision_factory: Any
) -> None:
    decision = decision_factory(score_points=512.5, rules_fired=["age_under_25"])

    recorded = store.record_decision(
        decision, APPLICATION, "webshop", channel="web", case_priority=3.5
    )
    stored = store.get_stored_decision(decision.decision_id)

    assert recorded.replayed is False
    assert stored.decision == decision
    assert stored.decision.created_at == decision.created_at
    assert stored.application == APPLICATION
    assert (stored.actor, stored.channel) == ("webshop", "web")
    assert store.decisions_for_application(decision.application_id) == [decision]


def test_record_referral_opens_case_and_audits_in_one_go(
    store: Store, decision_factory: Any
) -> None:
    decision = decision_factory()

    recorded = store.record_decision(
        decision, APPLICATION, "webshop", case_priority=7.0
    )

    assert recorded.case_id is not None
    case = store.get_case(recorded.case_id)
    assert (case.status, case.kind, case.priority) == ("open", "onboarding", 7.0)
    assert case.referral_reasons == ["grey_zone"]
    events = store.audit_events(subject_type="decision")
    assert [e.action for e in events] == ["decision.recorded"]
    assert events[0].actor == "webshop"
    assert events[0].payload["case_id"] == recorded.case_id


def test_approval_opens_no_case(store: Store, decision_factory: Any) -> None:
    decision = decision_factory(outcome="approve", recommendation="approve")

    recorded = store.record_decision(decision, APPLICATION, "webshop")

    assert recorded.case_id is None
    assert _count(store, CaseRow.id) == 0


def test_same_idempotency_key_and_body_returns_first_decision_without_new_record(
    store: Store, decision_factory: Any
) -> None:
    first = decision_factory()
    retry = decision_factory()  # the engine made a new id for the retried request
    store.record_decision(first, APPLICATION, "webshop", idempotency_key="k-1")

    again = store.record_decision(retry, APPLICATION, "webshop", idempotency_key="k-1")

    assert again.replayed is True
    assert again.decision.decision_id == first.decision_id
    assert again.case_id is not None
    assert _count(store, DecisionRow.decision_id) == 1
    assert _count(store, AuditEventRow.seq) == 1
    assert _count(store, CaseRow.id) == 1


def test_same_idempotency_key_with_other_body_is_refused(
    store: Store, decision_factory: Any
) -> None:
    store.record_decision(
        decision_factory(), APPLICATION, "webshop", idempotency_key="k-2"
    )
    changed = {**APPLICATION, "credit_amount": 9999}

    with pytest.raises(IdempotencyError, match=r"k-2.*different request body"):
        store.record_decision(
            decision_factory(), changed, "webshop", idempotency_key="k-2"
        )
    assert _count(store, DecisionRow.decision_id) == 1


def test_idempotency_keys_are_per_actor(store: Store, decision_factory: Any) -> None:
    store.record_decision(
        decision_factory(), APPLICATION, "webshop", idempotency_key="k"
    )

    other = store.record_decision(
        decision_factory(), APPLICATION, "callcentre", idempotency_key="k"
    )

    assert other.replayed is False
    assert _count(store, DecisionRow.decision_id) == 2


def test_unknown_decision_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="decision 'nope' does not exist"):
        store.get_decision("nope")


def test_erasing_application_data_keeps_the_decision_and_the_chain(
    store: Store, decision_factory: Any
) -> None:
    decision = decision_factory()
    store.record_decision(decision, APPLICATION, "webshop")
    store.record_decision(decision_factory(), APPLICATION, "webshop")

    erased = store.erase_application_data([decision.decision_id], "dpo")

    stored = store.get_stored_decision(decision.decision_id)
    assert erased == 1
    assert stored.application is None and stored.erased_at is not None
    assert stored.decision == decision
    report = store.audit_verify()
    assert report.ok, report.summary()
    assert report.events == 3
    assert store.erase_application_data([decision.decision_id], "dpo") == 0


def test_audit_events_hold_no_personal_data(
    store: Store, decision_factory: Any
) -> None:
    decision = decision_factory()
    recorded = store.record_decision(decision, APPLICATION, "webshop")
    store.resolve_case(
        recorded.case_id or "",
        outcome="approve",
        reason_code="INCOME_VERIFIED",
        reviewer="anna",
        comment="Called Mr Example, salary slip for 4870 seen",
    )

    text = " ".join(str(e.payload) for e in store.audit_events())

    for value in ("< 0 DM", "male : single", "Mr Example", "salary slip"):
        assert value not in text
    payload = store.audit_events(subject_type="decision")[0].payload
    assert payload["application_hmac"] == store.personal_hash(APPLICATION)


def test_record_decisions_stores_a_batch_in_one_transaction(
    store: Store, decision_factory: Any
) -> None:
    items = [
        NewDecision(
            decision_factory(),
            {**APPLICATION, "row": i},
            "batch",
            idempotency_key=f"row-{i}",
        )
        for i in range(40)
    ]
    repeat = NewDecision(
        decision_factory(), {**APPLICATION, "row": 3}, "batch", idempotency_key="row-3"
    )

    results = store.record_decisions([*items, repeat])

    assert [r.replayed for r in results] == [False] * 40 + [True]
    assert results[-1].decision == items[3].decision
    assert _count(store, DecisionRow.decision_id) == 40
    assert _count(store, CaseRow.id) == 40
    report = store.audit_verify()
    assert report.ok and report.events == 40


def test_one_bad_item_stores_none_of_the_batch(
    store: Store, decision_factory: Any
) -> None:
    store.record_decision(decision_factory(), APPLICATION, "batch", idempotency_key="x")
    items = [
        NewDecision(decision_factory(), APPLICATION, "batch", idempotency_key="y"),
        NewDecision(decision_factory(), {"other": 1}, "batch", idempotency_key="x"),
    ]

    with pytest.raises(IdempotencyError):
        store.record_decisions(items)

    assert _count(store, DecisionRow.decision_id) == 1
    assert store.audit_verify().events == 1


def test_concurrent_retries_with_one_key_store_one_decision(
    store: Store, decision_factory: Any
) -> None:
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def send() -> None:
        decision = decision_factory()
        barrier.wait()
        results.append(
            store.record_decision(decision, APPLICATION, "webshop", idempotency_key="r")
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert len({r.decision.decision_id for r in results}) == 1
    assert _count(store, DecisionRow.decision_id) == 1
    assert store.audit_verify().events == 1


def test_both_write_paths_refuse_a_duplicate_and_store_nothing(
    store: Store, decision_factory: Any
) -> None:
    # Without keys the decisions go through the driver path, with a key
    # through the ORM path: both refuse a decision id stored before, roll
    # back the whole group and leave the chain intact.
    first = decision_factory()
    store.record_decision(first, {"application_id": "x"}, "shop")
    events = store.audit_verify().events
    for key in (None, "k-dup"):
        again = [
            NewDecision(decision_factory(), {"a": 1}, "shop", idempotency_key=key),
            NewDecision(first, {"application_id": "x"}, "shop"),
        ]
        with pytest.raises(ConflictError, match="could not be stored"):
            store.record_decisions(again)
    assert [d.decision_id for d in store.list_decisions()] == [first.decision_id]
    report = store.audit_verify()
    assert report.ok and report.events == events


def test_both_write_paths_refuse_an_application_decided_before(
    store: Store, decision_factory: Any
) -> None:
    store.record_decision(
        decision_factory(application_id="A-7"), {"application_id": "A-7"}, "shop"
    )
    for key in (None, "k-7"):
        repeat = NewDecision(
            decision_factory(application_id="A-7"),
            {"application_id": "A-7"},
            "shop",
            idempotency_key=key,
            once=True,
        )
        with pytest.raises(ConflictError, match="'A-7' was decided before"):
            store.record_decisions([repeat])
    twice = [
        NewDecision(decision_factory(application_id="A-8"), {}, "shop", once=True)
        for _ in range(2)
    ]
    with pytest.raises(ConflictError, match="more than once in this request"):
        store.record_decisions(twice)
    assert len(store.list_decisions()) == 1
