"""The audit trail covers the records it describes, not only itself.

The hash chain (:mod:`.audit`) shows an edited *event*; this module shows an
edited *record*. Each event that creates or changes a decision, a case or a
resolution carries a sha256 of the record's canonical content
(:func:`content_hash`) as it was written:

* ``decision.recorded``: ``content_sha256`` of the decision row (every
  column but the erasable ``application`` and ``erased_at``) and, as before,
  ``application_hmac``, the keyed hash of the application's canonical JSON;
  with a referral case, ``case_sha256`` of the case as opened;
* ``case.opened``: ``case_sha256``;
* ``case.resolved``: ``content_sha256`` of the resolution (every column but
  the erasable ``comment``, covered by ``comment_hmac``) and ``case_sha256``
  of the case as resolved;
* ``case.superseded``: ``case_sha256`` of the case as superseded.

The latest event about a case (subject type ``case``) states the case's
content; a case event without ``case_sha256`` (one that changes the case
but does not cover it) leaves that case unchecked until the next one.

Case ``details`` (free text, erasable) are not covered. :func:`check_records`
recomputes these hashes from the tables and names the first record, by the
seq of its event, whose stored content no longer matches. Erasure stays
legal: a blanked application (or comment) passes when an erasure event
(``decision.erased``, ``case.texts_erased``) names the record, and is counted
as erased; blanked without such an event, it is reported as tampered.

Events written before this coverage existed carry no content hash; their
records are counted as unchecked, not as broken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import Engine, Row, func, select

from finduo.store.audit import canonical_json, keyed_hash
from finduo.store.engine import transaction
from finduo.store.tables import AuditEventRow, CaseRow, DecisionRow, ResolutionRow

DECISION_FIELDS = (
    "decision_id",
    "application_id",
    "created_at",
    "pd",
    "score_points",
    "band",
    "outcome",
    "recommendation",
    "terms",
    "reasons",
    "referral_reasons",
    "rules_fired",
    "model_version",
    "policy_version",
    "inputs_fingerprint",
    "variant",
    "channel",
    "actor",
    "idempotency_key",
    "request_hash",
)
CASE_FIELDS = (
    "id",
    "decision_id",
    "subject_id",
    "kind",
    "status",
    "priority",
    "referral_reasons",
    "created_at",
    "resolved_at",
    "version",
)
RESOLUTION_FIELDS = (
    "id",
    "case_id",
    "outcome",
    "terms",
    "reason_code",
    "reviewer",
    "is_override",
    "first_judgement",
    "created_at",
)
_FIELDS = {
    "decisions": DECISION_FIELDS,
    "cases": CASE_FIELDS,
    "resolutions": RESOLUTION_FIELDS,
}
_FLOATS = frozenset({"pd", "score_points", "priority"})
_CHUNK = 5000
# What the decisions pass reads of a decision.recorded event's payload.
_DECISION_KEYS = ("content_sha256", "application_hmac", "case_id", "case_sha256")


_DATETIMES = frozenset({"created_at", "resolved_at"})


def content_hash(table: str, values: Mapping[Any, Any]) -> str:
    """sha256 of a record's canonical content (the columns the trail covers).

    ``values`` holds at least the covered columns of ``table`` (``decisions``,
    ``cases`` or ``resolutions``), as written or as read back.
    """
    body: dict[str, Any] = {}
    for name in _FIELDS[table]:
        value = values[name]
        if value is not None:
            if name in _DATETIMES:
                value = value.astimezone(UTC).isoformat(timespec="microseconds")
            elif name in _FLOATS:
                value = float(value)
            elif name == "is_override":
                value = bool(value)
        body[name] = value
    text = canonical_json({"table": table, "content": body})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RecordProblem:
    """A record that no longer matches the event that describes it."""

    table: str
    record_id: str
    seq: int | None  # the describing event; None when no event names the row
    reason: str


@dataclass(frozen=True)
class Coverage:
    """What :func:`check_records` found."""

    checked: int
    erased: int
    unchecked: int
    problem: RecordProblem | None = None


@dataclass
class _Tally:
    checked: int = 0
    erased: int = 0
    unchecked: int = 0
    problem: RecordProblem | None = None

    def fail(self, table: str, record_id: str, seq: int | None, reason: str) -> None:
        current = self.problem
        if current is None or _order(seq) < _order(current.seq):
            self.problem = RecordProblem(table, record_id, seq, reason)


def _order(seq: int | None) -> float:
    return float("inf") if seq is None else float(seq)


def _stream(engine: Engine, query: Any) -> Iterator[Row[Any]]:
    with transaction(engine, write=False) as session:
        conn = session.connection().execution_options(yield_per=_CHUNK)
        yield from conn.execute(query)


def check_records(engine: Engine, audit_key: str) -> Coverage:
    """Recompute every covered record's hash against its event (streamed)."""
    tally = _Tally()
    case_expect: dict[str, tuple[int, str | None]] = {}
    _check_decisions(engine, audit_key, tally, case_expect)
    _check_cases(engine, audit_key, tally, case_expect)
    return Coverage(tally.checked, tally.erased, tally.unchecked, tally.problem)


def _erasures(action: str) -> Any:
    e = AuditEventRow.__table__
    return (
        select(e.c.subject_id.label("sid"), func.min(e.c.seq).label("erased_seq"))
        .where(e.c.action == action)
        .group_by(e.c.subject_id)
        .subquery()
    )


def _check_decisions(
    engine: Engine,
    key: str,
    tally: _Tally,
    case_expect: dict[str, tuple[int, str | None]],
) -> None:
    e, d = AuditEventRow.__table__, DecisionRow.__table__
    erased = _erasures("decision.erased")
    query = (
        select(
            e.c.seq,
            e.c.subject_id.label("event_subject"),
            # Only these payload fields, extracted by the database: no parse.
            *[e.c.payload[name].as_string().label(name) for name in _DECISION_KEYS],
            erased.c.erased_seq,
            d.c.application,
            *[d.c[name] for name in DECISION_FIELDS],
        )
        .select_from(
            e.outerjoin(d, d.c.decision_id == e.c.subject_id).outerjoin(
                erased, erased.c.sid == e.c.subject_id
            )
        )
        .where(e.c.action == "decision.recorded")
        .order_by(e.c.seq)
    )
    found = 0
    for row in _stream(engine, query):
        decision_id = str(row.event_subject)
        if row.case_id:
            case_expect[str(row.case_id)] = (row.seq, row.case_sha256)
        if row.decision_id is not None:
            found += 1
        if tally.problem is not None:
            continue  # keep collecting the cases' expectations
        expected = row.content_sha256
        if expected is None:
            tally.unchecked += 1
            continue
        if row.decision_id is None:
            tally.fail("decisions", decision_id, row.seq, "the record was deleted")
            continue
        if content_hash("decisions", row._mapping) != expected:
            tally.fail(
                "decisions",
                decision_id,
                row.seq,
                "stored content does not match its event: the record was altered",
            )
        elif row.application is None:
            if row.erased_seq is None:
                tally.fail(
                    "decisions",
                    decision_id,
                    row.seq,
                    "application data blanked without an erasure event",
                )
            else:
                tally.erased += 1
                tally.checked += 1
        elif keyed_hash(key, row.application) != row.application_hmac:
            tally.fail(
                "decisions",
                decision_id,
                row.seq,
                "application data does not match its event's keyed hash: "
                "the data were altered",
            )
        else:
            tally.checked += 1
    with transaction(engine, write=False) as session:
        total = session.execute(select(func.count()).select_from(d)).scalar_one()
        if total > found:
            recorded = select(e.c.subject_id).where(e.c.action == "decision.recorded")
            stray = session.execute(
                select(d.c.decision_id).where(d.c.decision_id.not_in(recorded)).limit(1)
            ).scalar()
            if stray is not None:
                tally.fail(
                    "decisions", str(stray), None, "no audit event records this row"
                )


def _check_cases(
    engine: Engine,
    key: str,
    tally: _Tally,
    case_expect: dict[str, tuple[int, str | None]],
) -> None:
    e = AuditEventRow.__table__
    # resolution id -> (seq, content hash, comment hmac, case id)
    resolution_expect: dict[str, tuple[int, str | None, str | None, str]] = {}
    texts_erased: set[str] = set()
    events = (
        select(e.c.seq, e.c.action, e.c.subject_id, e.c.payload)
        .where(e.c.subject_type == "case")
        .order_by(e.c.seq)
    )
    for event in _stream(engine, events):
        seq, action, payload = event.seq, event.action, event.payload
        case_id = str(event.subject_id)
        if action == "case.texts_erased":  # changes details only: not covered
            texts_erased.add(case_id)
            continue
        # The latest event of a case states its content; an event that
        # changes a case without a case_sha256 leaves it unchecked.
        case_expect[case_id] = (seq, payload.get("case_sha256"))
        if action == "case.resolved" and payload.get("resolution_id"):
            resolution_expect[str(payload["resolution_id"])] = (
                seq,
                payload.get("content_sha256"),
                payload.get("comment_hmac"),
                case_id,
            )
    c = CaseRow.__table__
    for row in _stream(engine, select(*[c.c[name] for name in CASE_FIELDS])):
        case_id = str(row.id)
        seq, expected = case_expect.pop(case_id, (None, None))
        if seq is None:
            tally.fail("cases", case_id, None, "no audit event records this row")
        elif expected is None:
            tally.unchecked += 1
        elif content_hash("cases", row._mapping) != expected:
            tally.fail(
                "cases",
                case_id,
                seq,
                "stored content does not match its latest event: "
                "the record was altered",
            )
        else:
            tally.checked += 1
    for case_id, (seq, expected) in case_expect.items():
        if expected is not None:
            tally.fail("cases", case_id, seq, "the record was deleted")
    r = ResolutionRow.__table__
    columns = [r.c[name] for name in RESOLUTION_FIELDS]
    for row in _stream(engine, select(*columns, r.c.comment)):
        resolution_id = str(row.id)
        item = resolution_expect.pop(resolution_id, None)
        if item is None:
            tally.fail(
                "resolutions", resolution_id, None, "no audit event records this row"
            )
            continue
        seq, expected, comment_hmac, case_id = item
        if expected is None:
            tally.unchecked += 1
        elif content_hash("resolutions", row._mapping) != expected:
            tally.fail(
                "resolutions",
                resolution_id,
                seq,
                "stored content does not match its event: the record was altered",
            )
        elif row.comment is None and comment_hmac is not None:
            if case_id in texts_erased:
                tally.erased += 1
                tally.checked += 1
            else:
                tally.fail(
                    "resolutions",
                    resolution_id,
                    seq,
                    "comment blanked without an erasure event",
                )
        elif row.comment is not None and keyed_hash(key, row.comment) != (comment_hmac):
            tally.fail(
                "resolutions",
                resolution_id,
                seq,
                "comment does not match its event's keyed hash: it was altered",
            )
        else:
            tally.checked += 1
    for resolution_id, (seq, expected, _, _) in resolution_expect.items():
        if expected is not None:
            tally.fail("resolutions", resolution_id, seq, "the record was deleted")


__all__ = [
    "CASE_FIELDS",
    "DECISION_FIELDS",
    "RESOLUTION_FIELDS",
    "Coverage",
    "RecordProblem",
    "check_records",
    "content_hash",
]
