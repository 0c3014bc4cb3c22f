"""Decisions: record (with idempotency, audit event and case), read, erase."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finduo.decisions.model import Decision
from finduo.errors import ConflictError, IdempotencyError, NotFoundError
from finduo.store._base import StoreBase, new_id, utcnow
from finduo.store.audit import (
    GENESIS_HASH,
    HEAD_SQL,
    NewEvent,
    append_events,
    canonical_json,
    chain_events,
    lock_sql,
)
from finduo.store.bulk import RawJSON, driver_rows, insert_rows, param_marker
from finduo.store.coverage import content_hash
from finduo.store.engine import driver_write
from finduo.store.records import RecordedDecision, StoredDecision
from finduo.store.tables import AuditEventRow, CaseRow, DecisionRow

logger = logging.getLogger(__name__)


def request_hash_of(application: dict[str, Any]) -> str:
    """sha256 of the application's canonical JSON: the default request hash."""
    return _sha256(canonical_json(application))


def decision_from_row(row: DecisionRow) -> Decision:
    return Decision.model_validate(
        {
            "decision_id": row.decision_id,
            "application_id": row.application_id,
            "created_at": row.created_at,
            "pd": row.pd,
            "score_points": row.score_points,
            "band": row.band,
            "outcome": row.outcome,
            "recommendation": row.recommendation,
            "terms": row.terms,
            "reasons": row.reasons,
            "referral_reasons": row.referral_reasons,
            "rules_fired": row.rules_fired,
            "model_version": row.model_version,
            "policy_version": row.policy_version,
            "inputs_fingerprint": row.inputs_fingerprint,
            "variant": row.variant,
        }
    )


def _values_from_decision(decision: Decision) -> dict[str, Any]:
    data = decision.model_dump(mode="json")
    return {
        "decision_id": decision.decision_id,
        "application_id": decision.application_id,
        "created_at": decision.created_at,
        "pd": decision.pd,
        "score_points": decision.score_points,
        "band": decision.band,
        "outcome": decision.outcome,
        "recommendation": decision.recommendation,
        "terms": data["terms"],
        "reasons": data["reasons"],
        "referral_reasons": data["referral_reasons"],
        "rules_fired": data["rules_fired"],
        "model_version": decision.model_version,
        "policy_version": decision.policy_version,
        "inputs_fingerprint": decision.inputs_fingerprint,
        "variant": decision.variant,
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewDecision:
    """One decision to record; fields as the arguments of ``record_decision``."""

    decision: Decision
    application: dict[str, Any]
    actor: str
    channel: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None
    open_case: bool | None = None
    case_priority: float = 0.0
    # Refuse (ConflictError) when the application id was decided before.
    once: bool = False


@dataclass(frozen=True)
class _Prepared:
    """An item with its rows, hashes and event, made outside the write lock."""

    item: NewDecision
    request_hash: str
    values: dict[str, Any]
    case: dict[str, Any] | None
    event: NewEvent


class DecisionsMixin(StoreBase):
    def record_decision(
        self,
        decision: Decision,
        application: dict[str, Any],
        actor: str,
        *,
        channel: str | None = None,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        open_case: bool | None = None,
        case_priority: float = 0.0,
    ) -> RecordedDecision:
        """Store a decision, its audit event and (when referred) its case, atomically.

        ``open_case`` defaults to ``decision.outcome == "refer"``.
        ``request_hash`` defaults to the sha256 of the application's canonical
        JSON. A repeated ``idempotency_key`` of the same ``actor`` with the same
        request hash returns the first decision (``replayed=True``) and writes
        nothing; with another hash it raises :class:`IdempotencyError`.
        """
        item = NewDecision(
            decision=decision,
            application=application,
            actor=actor,
            channel=channel,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            open_case=open_case,
            case_priority=case_priority,
        )
        return self.record_decisions([item])[0]

    def record_decisions(self, items: list[NewDecision]) -> list[RecordedDecision]:
        """Record several decisions in ONE transaction (one lock, one commit).

        Each item behaves as in :meth:`record_decision`; the results come in
        the same order. An error in any item (e.g. :class:`IdempotencyError`)
        stores none of them. Batches and group commits use this to pay the
        durable commit once.
        """
        # Rows, hashes and events are made before the write lock is taken:
        # writers (other workers) wait only for the database work.
        prepared = [self._prepare(item) for item in items]
        if all(item.idempotency_key is None for item in items):
            # Nothing to look up first: the fixed statements of the hot path.
            try:
                with driver_write(self.engine) as cursor:
                    return self._insert_with_driver(cursor, prepared)
            except IntegrityError as exc:
                raise _not_stored(items, "id") from exc
        for attempt in (1, 2):
            try:
                with self._write() as session:
                    return self._insert_decisions(session, prepared)
            except IntegrityError as exc:
                # A concurrent request with the same key won the insert: the
                # second attempt finds its decision and replays it.
                keyed = any(item.idempotency_key is not None for item in items)
                if not keyed or attempt == 2:
                    raise _not_stored(items, "id or idempotency key") from exc
        raise AssertionError("unreachable")

    def _prepare(self, item: NewDecision) -> _Prepared:
        """Everything of one item that does not depend on the database."""
        decision, application = item.decision, item.application
        application_json = canonical_json(application)
        request_hash = item.request_hash or _sha256(application_json)
        values = {
            **_values_from_decision(decision),
            # Written as the canonical text already made (not covered by the
            # content hash: the application is erasable).
            "application": RawJSON(application_json),
            "erased_at": None,
            "channel": item.channel,
            "actor": item.actor,
            "idempotency_key": item.idempotency_key,
            "request_hash": request_hash,
        }
        case: dict[str, Any] | None = None
        case_sha256: str | None = None
        open_case = item.open_case
        if open_case is None:
            open_case = decision.outcome == "refer"
        if open_case:
            case = {
                "id": new_id(),
                "decision_id": decision.decision_id,
                "subject_id": None,
                "kind": "onboarding",
                "status": "open",
                "priority": float(item.case_priority),
                "referral_reasons": list(decision.referral_reasons),
                "details": {},
                "created_at": utcnow(),
                "resolved_at": None,
                "version": 1,
            }
            case_sha256 = content_hash("cases", case)
        case_id = None if case is None else str(case["id"])
        event = self._recorded_event(
            item,
            case_id,
            content_hash("decisions", values),
            case_sha256,
            self.personal_hash_of_text(application_json),
        )
        return _Prepared(item, request_hash, values, case, event)

    def _insert_decisions(
        self, session: Session, prepared: list[_Prepared]
    ) -> list[RecordedDecision]:
        results: list[RecordedDecision] = []
        decisions: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        events: list[NewEvent] = []
        # Keys first used in this batch: (actor, key) -> (request hash, result).
        batch_keys: dict[tuple[str, str], tuple[str, RecordedDecision]] = {}
        fresh: list[NewDecision] = []  # the items that are new decisions
        for ready in prepared:
            item, request_hash = ready.item, ready.request_hash
            actor, key = item.actor, item.idempotency_key
            if key is not None:
                replay = _replay_in_batch(batch_keys, actor, key, request_hash)
                if replay is None:
                    earlier = _find_by_key(session, actor, key)
                    if earlier is not None:
                        replay = _replay(session, earlier, key, request_hash)
                if replay is not None:
                    results.append(replay)
                    continue
            decisions.append(ready.values)
            fresh.append(item)
            if ready.case is not None:
                cases.append(ready.case)
            events.append(ready.event)
            result = RecordedDecision(
                decision=item.decision,
                case_id=None if ready.case is None else str(ready.case["id"]),
                replayed=False,
            )
            if key is not None:
                batch_keys[(actor, key)] = (request_hash, result)
            results.append(result)
        conn = session.connection()

        def fetch(sql: str, params: tuple[Any, ...]) -> list[Any]:
            return list(conn.exec_driver_sql(sql, params))

        _refuse_repeats(fetch, param_marker(conn.dialect), fresh)
        insert_rows(conn, DecisionRow, decisions)
        insert_rows(conn, CaseRow, cases)
        append_events(session, events)
        return results

    def _insert_with_driver(
        self, cursor: Any, prepared: list[_Prepared]
    ) -> list[RecordedDecision]:
        """:meth:`_insert_decisions` for items without keys, on a DB-API cursor."""
        dialect = self.engine.dialect
        lock = lock_sql(dialect.name)
        if lock is not None:
            cursor.execute(lock)

        def fetch(sql: str, params: tuple[Any, ...]) -> list[Any]:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

        _refuse_repeats(fetch, param_marker(dialect), [p.item for p in prepared])
        for mapped, rows in (
            (DecisionRow, [p.values for p in prepared]),
            (CaseRow, [p.case for p in prepared if p.case is not None]),
        ):
            if rows:
                cursor.executemany(*driver_rows(dialect, mapped, rows))
        cursor.execute(HEAD_SQL)
        head = cursor.fetchone()
        prev_seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
        events = chain_events(prev_seq, prev_hash, [p.event for p in prepared])
        cursor.executemany(
            *driver_rows(dialect, AuditEventRow, [e.as_row() for e in events])
        )
        return [
            RecordedDecision(
                decision=p.item.decision,
                case_id=None if p.case is None else str(p.case["id"]),
                replayed=False,
            )
            for p in prepared
        ]

    def _recorded_event(
        self,
        item: NewDecision,
        case_id: str | None,
        content_sha256: str,
        case_sha256: str | None,
        application_hmac: str,
    ) -> NewEvent:
        """The decision's event: references, keyed hashes and content hashes."""
        decision = item.decision
        return NewEvent(
            actor=item.actor,
            action="decision.recorded",
            subject_type="decision",
            subject_id=decision.decision_id,
            payload={
                "application_id": decision.application_id,
                "application_hmac": application_hmac,
                "outcome": decision.outcome,
                "recommendation": decision.recommendation,
                "band": decision.band,
                "pd": decision.pd,
                "model_version": decision.model_version,
                "policy_version": decision.policy_version,
                "variant": decision.variant,
                "channel": item.channel,
                "case_id": case_id,
                "content_sha256": content_sha256,
                "case_sha256": case_sha256,
            },
        )

    def get_decision(self, decision_id: str) -> Decision:
        """The decision with ``decision_id``; :class:`NotFoundError` if none."""
        return self.get_stored_decision(decision_id).decision

    def get_stored_decision(self, decision_id: str) -> StoredDecision:
        """A decision with its application data (None once erased) and actor."""
        with self._read() as session:
            row = session.get(DecisionRow, decision_id)
            if row is None:
                raise NotFoundError(
                    f"decision {decision_id!r} does not exist",
                    decision_id=decision_id,
                )
            return StoredDecision(
                decision=decision_from_row(row),
                application=row.application,
                actor=row.actor,
                channel=row.channel,
                erased_at=row.erased_at,
            )

    def decisions_for_application(self, application_id: str) -> list[Decision]:
        """Every decision taken for one application id, oldest first."""
        with self._read() as session:
            rows = session.scalars(
                select(DecisionRow)
                .where(DecisionRow.application_id == application_id)
                .order_by(DecisionRow.created_at, DecisionRow.decision_id)
            )
            return [decision_from_row(row) for row in rows]

    def latest_decisions_for(
        self, application_ids: list[str]
    ) -> dict[str, tuple[str, datetime]]:
        """The newest decision of each of these application ids that has one.

        Maps application id to (decision id, created at); ids never decided
        are absent. Looked up in chunks, for batches of any size.
        """
        found: dict[str, tuple[str, datetime]] = {}
        unique = sorted(set(application_ids))
        with self._read() as session:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                rows = session.execute(
                    select(
                        DecisionRow.application_id,
                        DecisionRow.decision_id,
                        DecisionRow.created_at,
                    )
                    .where(DecisionRow.application_id.in_(chunk))
                    .order_by(DecisionRow.created_at, DecisionRow.decision_id)
                )
                for app_id, decision_id, created in rows:
                    found[app_id] = (decision_id, created)
        return found

    def list_decisions(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[Decision]:
        """Decisions by creation time (oldest first), ``since <= t < until``."""
        query = select(DecisionRow)
        if since is not None:
            query = query.where(DecisionRow.created_at >= since)
        if until is not None:
            query = query.where(DecisionRow.created_at < until)
        query = query.order_by(DecisionRow.created_at, DecisionRow.decision_id)
        with self._read() as session:
            rows = session.scalars(query.limit(limit).offset(offset))
            return [decision_from_row(row) for row in rows]

    def erase_application_data(self, decision_ids: list[str], actor: str) -> int:
        """Blank the raw application data of these decisions; audited per decision.

        The decision itself (scores, outcome, versions) stays; the audit chain
        is untouched, since events only hold keyed hashes. Returns how many
        rows were erased (already erased ones are skipped).
        """
        erased = 0
        with self._write() as session:
            now = utcnow()
            for decision_id in decision_ids:
                result = session.execute(
                    update(DecisionRow)
                    .where(
                        DecisionRow.decision_id == decision_id,
                        DecisionRow.erased_at.is_(None),
                    )
                    .values(application=None, erased_at=now)
                    .execution_options(synchronize_session=False)
                )
                if getattr(result, "rowcount", 0) == 1:
                    erased += 1
                    self._audit(
                        session, actor, "decision.erased", "decision", decision_id
                    )
        logger.info("erased application data of %d decisions", erased)
        return erased


def _not_stored(items: list[NewDecision], clash: str) -> ConflictError:
    ids = [item.decision.decision_id for item in items]
    return ConflictError(
        f"decision(s) {', '.join(ids[:5])} could not be stored: a record with "
        f"the same {clash} exists",
        decision_ids=ids,
    )


def _refuse_repeats(
    fetch: Callable[[str, tuple[Any, ...]], list[Any]],
    marker: str,
    fresh: list[NewDecision],
) -> None:
    """ConflictError when an application id asked to be decided once was
    decided before (a shadow decision of a challenger does not count) or
    comes twice among ``fresh``."""
    wanted = [item.decision.application_id for item in fresh if item.once]
    if not wanted:
        return
    counts: dict[str, int] = {}
    for item in fresh:
        app_id = item.decision.application_id
        counts[app_id] = counts.get(app_id, 0) + 1
    twice = sorted(a for a in set(wanted) if counts[a] > 1)
    if twice:
        raise ConflictError(
            f"application {twice[0]!r} comes more than once in this request; "
            "send each application once (nothing of the request was stored)",
            application_ids=twice,
        )
    earlier: dict[str, tuple[str, datetime | None]] = {}
    ids = sorted(set(wanted))
    # Driver SQL: this runs in every decision's transaction.
    rows = fetch(
        f"SELECT application_id, decision_id, created_at FROM "
        f"{DecisionRow.__tablename__} WHERE application_id IN "
        f"({', '.join([marker] * len(ids))}) "
        "AND (variant IS NULL OR variant <> 'shadow')",
        tuple(ids),
    )
    for found_id, found_decision, created in rows:
        earlier.setdefault(found_id, (found_decision, _aware(created)))
    if not earlier:
        return
    app_id = next(a for a in wanted if a in earlier)
    decision_id, when_decided = earlier[app_id]
    when = f" on {when_decided:%Y-%m-%d}" if when_decided is not None else ""
    raise ConflictError(
        f"application {app_id!r} was decided before{when} (decision "
        f"{decision_id}); repeat the request with its Idempotency-Key to get "
        "that answer again, or ask with redecide=true to decide it anew",
        application_ids=sorted(earlier),
        decision_id=decision_id,
    )


def _aware(created: Any) -> datetime | None:
    """A created_at read by driver SQL (naive UTC text on SQLite) as aware UTC."""
    if created is None:
        return None
    when = datetime.fromisoformat(created) if isinstance(created, str) else created
    if not isinstance(when, datetime):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _find_by_key(session: Session, actor: str, key: str) -> DecisionRow | None:
    return session.scalars(
        select(DecisionRow).where(
            DecisionRow.actor == actor, DecisionRow.idempotency_key == key
        )
    ).first()


def _refuse_reuse(key: str, decision_id: str) -> IdempotencyError:
    return IdempotencyError(
        f"Idempotency-Key {key!r} was already used with a different request "
        f"body (decision {decision_id}); use a new key for a new request",
        idempotency_key=key,
        decision_id=decision_id,
    )


def _replay_in_batch(
    batch_keys: dict[tuple[str, str], tuple[str, RecordedDecision]],
    actor: str,
    key: str,
    request_hash: str,
) -> RecordedDecision | None:
    first = batch_keys.get((actor, key))
    if first is None:
        return None
    first_hash, result = first
    if first_hash != request_hash:
        raise _refuse_reuse(key, result.decision.decision_id)
    return RecordedDecision(
        decision=result.decision, case_id=result.case_id, replayed=True
    )


def _replay(
    session: Session, earlier: DecisionRow, key: str, request_hash: str
) -> RecordedDecision:
    if earlier.request_hash != request_hash:
        raise _refuse_reuse(key, earlier.decision_id)
    case_id = session.scalars(
        select(CaseRow.id).where(CaseRow.decision_id == earlier.decision_id)
    ).first()
    return RecordedDecision(
        decision=decision_from_row(earlier), case_id=case_id, replayed=True
    )


__all__ = ["DecisionsMixin", "NewDecision", "decision_from_row", "request_hash_of"]
