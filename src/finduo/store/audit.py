"""The audit chain: append-only events, each chained to its predecessor by hash.

Each event's ``hash`` is ``sha256(prev_hash + canonical_json(fields))`` where
the fields are seq, event_id, ts, actor, action, subject_type, subject_id and
payload; the first event's ``prev_hash`` is 64 zeros. Editing any stored field
breaks that event's hash; deleting an event breaks the next one's link; only a
removed *tail* leaves a valid chain, which is why :func:`verify` also checks an
exported :class:`Anchor` (the head at some earlier time).

Linear under concurrency: an append takes a lock that serialises appenders
until commit — PostgreSQL's ``pg_advisory_xact_lock`` (one key per schema),
SQLite's write lock taken at ``BEGIN IMMEDIATE`` (see :mod:`.engine`). The
lock is taken as the last step of a write, so it is held only for the insert
and the commit.

The chain also vouches for the records it describes: decision, case and
resolution events carry a sha256 of the record's content, which
:func:`finduo.store.coverage.check_records` recomputes (``Store.audit_verify``
runs both).

Personal data never enters an event: payloads carry references (ids,
versions, codes) and keyed hashes (:func:`keyed_hash`, HMAC-SHA256 under the
audit key). Erasing an application's data therefore leaves every hash intact.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from finduo.errors import AuditError
from finduo.store.bulk import insert_rows
from finduo.store.engine import transaction
from finduo.store.tables import AuditEventRow

GENESIS_HASH = "0" * 64
# The head as of this transaction's last append (sessions live one transaction).
_HEAD_KEY = "finduo_audit_head"


_CANONICAL = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    default=str,
)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the same text for equal values."""
    return _CANONICAL.encode(value)


def keyed_hash(key: str, value: Any) -> str:
    """HMAC-SHA256 (hex) of ``value``'s canonical JSON under ``key``.

    Lets events link to personal data (same value, same hash) without holding
    it; without the key the hash cannot be reversed by guessing.
    """
    return keyed_hash_of_text(key, canonical_json(value))


def keyed_hash_of_text(key: str, canonical: str) -> str:
    """:func:`keyed_hash` of a value already written as canonical JSON."""
    return hmac.new(
        key.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def _ts_text(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


class _EventFields(Protocol):
    """What an event's hash covers: a stored row or an :class:`AuditEvent`."""

    @property
    def seq(self) -> int: ...
    @property
    def event_id(self) -> str: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def subject_type(self) -> str: ...
    @property
    def subject_id(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


def event_hash(prev_hash: str, event: _EventFields) -> str:
    """The hash an event must carry, given its predecessor's hash."""
    covered = {
        "seq": event.seq,
        "event_id": event.event_id,
        "ts": _ts_text(event.ts),
        "actor": event.actor,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "payload": event.payload,
    }
    return hashlib.sha256((prev_hash + canonical_json(covered)).encode()).hexdigest()


@dataclass(frozen=True)
class NewEvent:
    """An event to append; ``payload`` holds references and keyed hashes only."""

    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One stored audit event, as read back."""

    seq: int
    event_id: str
    ts: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def as_row(self) -> dict[str, Any]:
        """The column values (shallow: the payload is not copied)."""
        return {
            "seq": self.seq,
            "event_id": self.event_id,
            "ts": self.ts,
            "actor": self.actor,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_row(cls, row: AuditEventRow) -> AuditEvent:
        return cls(
            seq=row.seq,
            event_id=row.event_id,
            ts=row.ts,
            actor=row.actor,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            payload=dict(row.payload),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


_HEAD_SQL = (
    f"SELECT seq, hash FROM {AuditEventRow.__tablename__} ORDER BY seq DESC LIMIT 1"
)


def _lock_chain(session: Session) -> None:
    connection = session.connection()
    statement = lock_sql(connection.dialect.name)
    if statement is not None:
        connection.exec_driver_sql(statement)


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's write transaction.

    Call it as the last statement before commit: it locks the chain until
    then. The event is part of the caller's transaction, so it exists exactly
    when the change it records does.
    """
    event = NewEvent(actor, action, subject_type, subject_id, payload)
    return append_events(session, [event])[0]


def lock_sql(dialect_name: str) -> str | None:
    """The statement that locks the chain in a transaction (None on SQLite,
    where the write transaction holds the database's write lock)."""
    if dialect_name == "postgresql":
        return (
            "SELECT pg_advisory_xact_lock("
            "hashtext('finduo.audit:' || current_schema()))"
        )
    return None


HEAD_SQL = _HEAD_SQL


def chain_events(
    prev_seq: int, prev_hash: str, events: list[NewEvent]
) -> list[AuditEvent]:
    """``events`` as stored events following the head (``prev_seq``, ``prev_hash``).

    Pure: the caller has locked the chain and read its head, and inserts the
    result in the same transaction.
    """
    now = datetime.now(UTC)
    appended: list[AuditEvent] = []
    for event in events:
        body = json.loads(canonical_json(event.payload or {}))
        if not isinstance(body, dict):
            raise AuditError(
                f"audit payload must be a JSON object; got {type(body).__name__}"
            )
        draft = AuditEvent(
            seq=prev_seq + 1,
            event_id=uuid.uuid4().hex,
            ts=now,
            actor=event.actor,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            payload=body,
            prev_hash=prev_hash,
            hash="",
        )
        stored = replace(draft, hash=event_hash(prev_hash, draft))
        appended.append(stored)
        prev_seq, prev_hash = stored.seq, stored.hash
    return appended


def append_events(session: Session, events: list[NewEvent]) -> list[AuditEvent]:
    """Append events in order, with one INSERT, inside the caller's transaction."""
    if not events:
        return []
    cached = session.info.get(_HEAD_KEY)
    if cached is None:
        _lock_chain(session)
        # Driver SQL: this runs in every decision's transaction.
        head = session.connection().exec_driver_sql(_HEAD_SQL).first()
        prev_seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
    else:
        # Locked earlier in this transaction: nobody else has appended since.
        prev_seq, prev_hash = cached
    appended = chain_events(prev_seq, prev_hash, events)
    if appended:
        prev_seq, prev_hash = appended[-1].seq, appended[-1].hash
    # One driver call for all rows: the hot path of every decision.
    insert_rows(
        session.connection(),
        AuditEventRow,
        [event.as_row() for event in appended],
    )
    session.info[_HEAD_KEY] = (prev_seq, prev_hash)
    return appended


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment, exported to detect a removed tail."""

    seq: int
    hash: str
    exported_at: datetime

    def to_json(self) -> str:
        data = asdict(self)
        data["exported_at"] = _ts_text(self.exported_at)
        return json.dumps(data, indent=2)

    @classmethod
    def from_file(cls, path: Path) -> Anchor:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                exported_at=datetime.fromisoformat(data["exported_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AuditError(
                f"audit anchor {path} must be a JSON file with seq, hash and "
                f"exported_at; could not read it: {exc}",
                path=str(path),
            ) from exc


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify` found. ``ok`` is False from the first broken link."""

    ok: bool
    events: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None
    anchor_checked: bool = False
    # Records (decisions, cases, resolutions) checked against their events.
    records_checked: int | None = None
    records_erased: int = 0
    records_unchecked: int = 0
    broken_table: str | None = None
    broken_record: str | None = None

    def summary(self) -> str:
        if self.ok:
            anchored = ", anchor matches" if self.anchor_checked else ""
            records = ""
            if self.records_checked is not None:
                records = (
                    f"; {self.records_checked} records match their events "
                    f"({self.records_erased} with personal data erased"
                )
                if self.records_unchecked:
                    records += f", {self.records_unchecked} older ones uncovered"
                records += ")"
            return (
                f"audit chain intact: {self.events} events, "
                f"head seq {self.head_seq}{anchored}{records}"
            )
        if self.broken_table is not None:
            event = (
                f"its event seq {self.broken_seq}"
                if self.broken_seq is not None
                else "no event"
            )
            return (
                f"audit trail broken: {self.broken_table} record "
                f"{self.broken_record} ({event}): {self.reason}"
            )
        return f"audit chain broken at seq {self.broken_seq}: {self.reason}"


def verify(engine: Engine, anchor: Anchor | None = None) -> VerifyReport:
    """Walk the whole chain in seq order and report the first broken link."""
    count = 0
    prev_seq, prev_hash = 0, GENESIS_HASH
    # An anchor of the empty chain names seq 0, which only the genesis hash has.
    anchor_hash: str | None = GENESIS_HASH if anchor and anchor.seq == 0 else None
    columns = [getattr(AuditEventRow, f.name) for f in fields(AuditEvent)]
    query = select(*columns).order_by(AuditEventRow.seq)
    with transaction(engine, write=False) as session:
        # Plain rows streamed in chunks: no ORM objects for a million events.
        rows = session.connection().execution_options(yield_per=5000).execute(query)
        for values in rows:
            event = AuditEvent(*values)
            problem = _check_link(prev_seq, prev_hash, event)
            if problem is not None:
                return VerifyReport(
                    ok=False,
                    events=count,
                    head_seq=prev_seq,
                    head_hash=prev_hash,
                    broken_seq=event.seq,
                    reason=problem,
                )
            count += 1
            prev_seq, prev_hash = event.seq, event.hash
            if anchor is not None and event.seq == anchor.seq:
                anchor_hash = event.hash
    if anchor is not None:
        problem = _check_anchor(anchor, prev_seq, anchor_hash)
        if problem is not None:
            return VerifyReport(
                ok=False,
                events=count,
                head_seq=prev_seq,
                head_hash=prev_hash,
                broken_seq=anchor.seq,
                reason=problem,
                anchor_checked=True,
            )
    return VerifyReport(
        ok=True,
        events=count,
        head_seq=prev_seq,
        head_hash=prev_hash,
        anchor_checked=anchor is not None,
    )


def _check_link(prev_seq: int, prev_hash: str, row: AuditEvent) -> str | None:
    if row.seq != prev_seq + 1:
        return (
            f"seq {row.seq} follows seq {prev_seq}: "
            f"{row.seq - prev_seq - 1} event(s) missing"
        )
    if row.prev_hash != prev_hash:
        return (
            f"prev_hash {row.prev_hash[:12]}… does not match the hash of seq "
            f"{prev_seq} ({prev_hash[:12]}…): the predecessor was altered or "
            "replaced"
        )
    if event_hash(prev_hash, row) != row.hash:
        return "stored hash does not match the event's fields: the row was altered"
    return None


def _check_anchor(anchor: Anchor, head_seq: int, seen_hash: str | None) -> str | None:
    if head_seq < anchor.seq:
        return (
            f"chain ends at seq {head_seq} but the anchor exported at "
            f"{_ts_text(anchor.exported_at)} names seq {anchor.seq}: "
            f"{anchor.seq - head_seq} event(s) were removed from the tail"
        )
    if seen_hash != anchor.hash:
        return (
            f"hash of seq {anchor.seq} differs from the anchor exported at "
            f"{_ts_text(anchor.exported_at)}: the chain was rewritten"
        )
    return None


def head(engine: Engine) -> Anchor:
    """The current head (seq 0 and the genesis hash for an empty chain)."""
    with transaction(engine, write=False) as session:
        row = session.execute(
            select(AuditEventRow.seq, AuditEventRow.hash).where(
                AuditEventRow.seq
                == select(func.max(AuditEventRow.seq)).scalar_subquery()
            )
        ).first()
    seq, digest = (row[0], row[1]) if row else (0, GENESIS_HASH)
    return Anchor(seq=seq, hash=digest, exported_at=datetime.now(UTC))


def write_anchor(anchor: Anchor, path: Path) -> Path:
    """Write ``anchor`` as JSON to ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(anchor.to_json(), encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = [
    "GENESIS_HASH",
    "Anchor",
    "AuditEvent",
    "NewEvent",
    "VerifyReport",
    "append_event",
    "append_events",
    "canonical_json",
    "event_hash",
    "head",
    "keyed_hash",
    "verify",
    "write_anchor",
]
