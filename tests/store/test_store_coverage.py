"""audit verify covers the records: edited decisions, cases and resolutions are
named (table, id, event seq); erasure of personal data still verifies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from finduo.retention import purge
from finduo.store import Store
from finduo.store.tables import CaseRow, DecisionRow, ResolutionRow

APPLICATION = {"application_id": "K-002", "credit_amount": 2500.0, "age_years": 31}


def _seq_of(store: Store, action: str, subject_id: str) -> int:
    events = [
        e
        for e in store.audit_events(limit=100_000)
        if e.action == action and e.subject_id == subject_id
    ]
    assert len(events) == 1
    return events[0].seq


def _sql(store: Store, statement: Any) -> None:
    """Change a table directly, as someone with database access would."""
    with store.engine.begin() as conn:
        conn.execute(statement)


def _trail(store: Store, decision_factory: Any) -> tuple[list[str], str, str]:
    """Three decisions (two referred), one case resolved with a comment."""
    ids = []
    for recommendation in ("decline", "approve"):
        recorded = store.record_decision(
            decision_factory(recommendation=recommendation),
            {**APPLICATION, "application_id": f"K-{len(ids)}"},
            "decider",
        )
        ids.append(recorded.decision.decision_id)
    approved = store.record_decision(
        decision_factory(outcome="approve", recommendation="approve", pd=0.03),
        APPLICATION,
        "decider",
    )
    ids.append(approved.decision.decision_id)
    case = store.case_for_decision(ids[0])
    assert case is not None
    resolution = store.resolve_case(
        case.id,
        outcome="approve",
        reason_code="COLLATERAL",
        reviewer="anna",
        comment="guarantor signed",
    )
    return ids, case.id, resolution.id


def test_untouched_trail_verifies_with_every_record_checked(
    store: Store, decision_factory: Any
) -> None:
    _trail(store, decision_factory)

    report = store.audit_verify()

    assert report.ok, report.summary()
    # 3 decisions, 2 cases, 1 resolution
    assert (report.records_checked, report.records_erased) == (6, 0)
    assert "6 records match their events" in report.summary()


@pytest.mark.parametrize(
    "values",
    [
        {"outcome": "approve", "pd": 0.01, "band": "A"},
        {"reasons": []},
        {"model_version": "scorecard-x"},
    ],
    ids=["outcome-pd-band", "reasons", "model"],
)
def test_edited_decision_is_named_with_its_event(
    store: Store, decision_factory: Any, values: dict[str, Any]
) -> None:
    ids, _, _ = _trail(store, decision_factory)
    _sql(
        store,
        update(DecisionRow).where(DecisionRow.decision_id == ids[1]).values(**values),
    )

    report = store.audit_verify()

    assert not report.ok
    assert (report.broken_table, report.broken_record) == ("decisions", ids[1])
    assert report.broken_seq == _seq_of(store, "decision.recorded", ids[1])
    assert "altered" in report.summary() and ids[1] in report.summary()


def test_edited_resolution_is_named_with_its_event(
    store: Store, decision_factory: Any
) -> None:
    _, case_id, resolution_id = _trail(store, decision_factory)
    _sql(
        store,
        update(ResolutionRow)
        .where(ResolutionRow.id == resolution_id)
        .values(outcome="decline", reviewer="mallory"),
    )

    report = store.audit_verify()

    assert not report.ok
    assert (report.broken_table, report.broken_record) == (
        "resolutions",
        resolution_id,
    )
    assert report.broken_seq == _seq_of(store, "case.resolved", case_id)


def test_reopened_case_and_edited_comment_are_caught(
    store: Store, decision_factory: Any
) -> None:
    _, case_id, resolution_id = _trail(store, decision_factory)
    _sql(store, update(CaseRow).where(CaseRow.id == case_id).values(status="open"))

    report = store.audit_verify()
    assert (report.ok, report.broken_table, report.broken_record) == (
        False,
        "cases",
        case_id,
    )

    _sql(store, update(CaseRow).where(CaseRow.id == case_id).values(status="resolved"))
    assert store.audit_verify().ok
    _sql(
        store,
        update(ResolutionRow)
        .where(ResolutionRow.id == resolution_id)
        .values(comment="approved by the board"),
    )
    report = store.audit_verify()
    assert (report.ok, report.broken_table) == (False, "resolutions")
    assert "comment" in (report.reason or "")


def test_edited_or_silently_blanked_application_data_are_caught(
    store: Store, decision_factory: Any
) -> None:
    ids, _, _ = _trail(store, decision_factory)
    _sql(
        store,
        update(DecisionRow)
        .where(DecisionRow.decision_id == ids[2])
        .values(application={**APPLICATION, "credit_amount": 25000.0}),
    )
    report = store.audit_verify()
    assert (report.ok, report.broken_record) == (False, ids[2])
    assert "application data" in (report.reason or "")

    _sql(
        store,
        update(DecisionRow)
        .where(DecisionRow.decision_id == ids[2])
        .values(application=None, erased_at=datetime.now(UTC)),
    )
    report = store.audit_verify()
    assert (report.ok, report.broken_record) == (False, ids[2])
    assert "without an erasure event" in (report.reason or "")


def test_the_first_altered_record_by_event_seq_is_reported(
    store: Store, decision_factory: Any
) -> None:
    ids, _, resolution_id = _trail(store, decision_factory)
    _sql(
        store,
        update(ResolutionRow)
        .where(ResolutionRow.id == resolution_id)
        .values(reviewer="mallory"),
    )
    _sql(
        store,
        update(DecisionRow).where(DecisionRow.decision_id == ids[2]).values(pd=0.5),
    )
    _sql(
        store,
        update(DecisionRow).where(DecisionRow.decision_id == ids[0]).values(pd=0.5),
    )

    report = store.audit_verify()

    assert (report.broken_table, report.broken_record) == ("decisions", ids[0])


def test_deleted_and_unrecorded_decisions_are_caught(
    store: Store, decision_factory: Any
) -> None:
    ids, _, _ = _trail(store, decision_factory)
    with store.engine.connect() as conn:
        row = dict(
            conn.execute(select(DecisionRow).where(DecisionRow.decision_id == ids[2]))
            .one()
            ._mapping
        )
    _sql(store, delete(DecisionRow).where(DecisionRow.decision_id == ids[2]))

    report = store.audit_verify()
    assert (report.ok, report.broken_record) == (False, ids[2])
    assert "deleted" in (report.reason or "")

    _sql(store, insert(DecisionRow).values({**row, "decision_id": "forged"}))
    _sql(store, insert(DecisionRow).values(row))  # restored: only the forgery left
    report = store.audit_verify()
    assert (report.ok, report.broken_table, report.broken_record) == (
        False,
        "decisions",
        "forged",
    )
    assert report.broken_seq is None and "no audit event" in (report.reason or "")


def test_purge_erases_personal_data_and_the_trail_still_verifies(
    store: Store, decision_factory: Any
) -> None:
    ids, case_id, _ = _trail(store, decision_factory)

    report = purge(store, datetime(2030, 1, 1, tzinfo=UTC), "dpo", force=True)

    assert report.applications_erased == 3
    assert report.cases_with_text_erased == 1
    assert store.get_case(case_id).resolution.comment is None  # type: ignore[union-attr]
    verified = store.audit_verify()
    assert verified.ok, verified.summary()
    assert (verified.records_checked, verified.records_erased) == (6, 4)
    assert "4 with personal data erased" in verified.summary()

    # an erased record is still covered: its other fields cannot change
    _sql(
        store,
        update(DecisionRow).where(DecisionRow.decision_id == ids[0]).values(band="A"),
    )
    assert store.audit_verify().broken_record == ids[0]


def test_store_level_erasure_verifies(store: Store, decision_factory: Any) -> None:
    ids, _, _ = _trail(store, decision_factory)

    assert store.erase_application_data(ids[:2], "dpo") == 2
    report = store.audit_verify()

    assert report.ok, report.summary()
    assert report.records_erased == 2


def test_superseded_case_is_covered(store: Store, decision_factory: Any) -> None:
    decide = decision_factory
    first = store.record_decision(decide(application_id="K-002"), APPLICATION, "w")
    again = store.record_decision(decide(application_id="K-002"), APPLICATION, "w")
    assert first.case_id is not None

    closed = store.supersede_open_cases("K-002", again.decision.decision_id, "decider")

    assert closed == [first.case_id]
    report = store.audit_verify()
    assert report.ok and report.records_unchecked == 0, report.summary()
    _sql(
        store, update(CaseRow).where(CaseRow.id == first.case_id).values(status="open")
    )
    assert store.audit_verify().broken_record == first.case_id
