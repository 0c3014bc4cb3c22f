"""Rows written by the bulk path read back exactly as rows the ORM wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from finduo.store import Store
from finduo.store.bulk import insert_rows
from finduo.store.engine import transaction
from finduo.store.tables import AuditEventRow, Base, CaseRow, DecisionRow

WHEN = datetime(2026, 12, 4, 12, 30, 1, 654321, tzinfo=UTC)


def _decision(decision_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "application_id": "A-1",
        "created_at": WHEN,
        "pd": 0.123456789012345,
        "score_points": 512.25,
        "band": "B",
        "outcome": "approve",
        "recommendation": "approve",
        "terms": None,
        "reasons": [{"code": "X", "text": {"de": "Überziehung €", "en": "ok"}}],
        "referral_reasons": [],
        "rules_fired": ["R1"],
        "model_version": "m",
        "policy_version": "p",
        "inputs_fingerprint": "f" * 64,
        "variant": "champion",
        "application": {"amount": 1.5e-07, "name": "Jörg", "nested": {"b": [1, None]}},
        "erased_at": None,
        "channel": None,
        "actor": "webshop",
        "idempotency_key": None,
        "request_hash": "e" * 64,
        **extra,
    }


def _case(case_id: str, decision_id: str) -> dict[str, Any]:
    return {
        "id": case_id,
        "decision_id": decision_id,
        "subject_id": None,
        "kind": "onboarding",
        "status": "open",
        "priority": 12.5,
        "referral_reasons": ["grey_zone"],
        "details": {},
        "created_at": WHEN,
        "resolved_at": None,
        "version": 1,
    }


def _event(seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "event_id": f"e{seq}",
        "ts": WHEN,
        "actor": "webshop",
        "action": "decision.recorded",
        "subject_type": "decision",
        "subject_id": f"d{seq}",
        "payload": {"pd": 0.1, "case_id": None, "text": "ä"},
        "prev_hash": "0" * 64,
        "hash": str(seq) * 64,
    }


def _read(store: Store, mapped: type[Base], key: Any, value: Any) -> dict[str, Any]:
    with transaction(store.engine, write=False) as session:
        row = session.execute(select(mapped).where(key == value)).scalar_one()
        return {c.name: getattr(row, c.key) for c in mapped.__table__.columns}


def test_bulk_rows_read_back_as_orm_rows(store: Store) -> None:
    pairs = [
        (DecisionRow, DecisionRow.decision_id, _decision("d-orm"), _decision("d-bulk")),
        (
            DecisionRow,
            DecisionRow.decision_id,
            _decision("d-orm2", terms={"limit": 100.0}, application=None),
            _decision("d-bulk2", terms={"limit": 100.0}, application=None),
        ),
        (CaseRow, CaseRow.id, _case("c-orm", "d-orm"), _case("c-bulk", "d-bulk")),
        (AuditEventRow, AuditEventRow.seq, _event(1), _event(2)),
    ]
    with transaction(store.engine, write=True) as session:
        for mapped, _, orm, bulk in pairs:
            session.connection().execute(insert(mapped), [orm])
            insert_rows(session.connection(), mapped, [bulk])
    for mapped, key, orm, bulk in pairs:
        ident = next(iter(orm.values()))
        first = _read(store, mapped, key, ident)
        second = _read(store, mapped, key, next(iter(bulk.values())))
        differs = {k for k in first if first[k] != second[k]}
        assert differs <= {"decision_id", "id", "seq", "event_id", "hash", "subject_id"}
        assert second == {**bulk, **{k: second[k] for k in differs}}
    # A JSON column that keeps None as SQL NULL holds NULL, not 'null'.
    with transaction(store.engine, write=False) as session:
        blank = session.execute(
            select(DecisionRow.decision_id).where(DecisionRow.application.is_(None))
        ).scalars()
        assert sorted(blank) == ["d-bulk2", "d-orm2"]
