"""The store: the only package that talks to the database.

SQLite by default (a file under ``FINDUO_STATE_DIR``), PostgreSQL through
psycopg 3 when ``FINDUO_DATABASE_URL`` says so; the same code, a URL apart.
The schema is managed by the Alembic revisions in ``store/migrations``,
applied by :meth:`Store.upgrade`. Every method runs in its own transaction,
returns frozen records (:mod:`finduo.store.records`), and appends an audit
event, in the same transaction, for every write that matters.

Facade (stable; other packages use only this)::

    store = Store.from_settings(get_settings())   # or Store(url, audit_key=...)
    store.upgrade()                                # alembic upgrade head

    # decisions
    record_decision(decision, application, actor, *, channel=None,
                    idempotency_key=None, request_hash=None, open_case=None,
                    case_priority=0.0) -> RecordedDecision(decision, case_id, replayed)
    record_decisions(list[NewDecision]) -> list[RecordedDecision]   (one commit)
    get_decision(decision_id) -> Decision
    get_stored_decision(decision_id) -> StoredDecision  (+ application, actor)
    decisions_for_application(application_id) -> list[Decision]
    list_decisions(*, since=None, until=None, limit=1000, offset=0) -> list[Decision]
    erase_application_data(decision_ids, actor) -> int

    # cases and resolutions
    open_case(actor, *, kind, decision_id=None, subject_id=None, priority=0.0,
              referral_reasons=None, details=None) -> Case
    list_cases(filters: CaseFilter | None) -> list[Case]   (priority desc)
    get_case(case_id) -> Case   (+ decision, application, resolution)
    case_for_decision(decision_id) -> Case | None
    resolve_case(case_id, *, outcome, reason_code, reviewer, comment=None,
                 terms=None, first_judgement=None) -> Resolution
    check_resolution(*, outcome, reason_code, comment=None)   (no case needed)
    list_reason_codes(*, active_only=True) -> list[ReasonCode]
    save_reason_code(code, *, label_en, label_de, applies_to="any",
                     active=True, actor) -> ReasonCode

    # users and tokens (hashes only)
    create_user(name, roles, actor, *, password_hash=None, language="en") -> User
    get_user(name) -> User ;  find_user(name) -> User | None ;  list_users()
    update_user(name, actor, *, roles=None, password_hash=None, language=None,
                disabled=None) -> User
    record_login(name, *, success, max_failures=5, lockout=15 min) -> User
    Store.is_locked(user) -> bool
    create_token(name, roles, actor, *, user_name=None) -> (Token, plaintext)
    revoke_token(token_id, actor) -> Token ;  list_tokens()
    identity_for_token(token) -> Identity(name, roles) | None

    # policy and model versions, outcomes, settings
    save_policy_version(name, version_label, yaml_text, actor) -> PolicyVersion
    get_policy_version(content_hash) ; list_policy_versions(*, name, state)
    active_policy_version(name=None) -> PolicyVersion | None
    set_policy_state(content_hash, state, actor) -> PolicyVersion
    register_model_version(version, *, kind, dataset, path, meta, actor)
    get_model_version(version) ; list_model_versions(*, state, dataset)
    set_model_state(version, state, actor) -> ModelVersion
    record_outcomes(list[NewOutcome], actor) -> OutcomeImport
    list_outcomes(decision_id=None) -> list[OutcomeRecord]
    decision_times(decision_ids) -> dict[decision_id, created_at]
    get_setting(key) ; set_setting(key, value, actor)
    stop_switch() -> bool ; set_stop_switch(on, actor)

    # audit
    record_event(actor, action, subject_type, subject_id, payload=None)
    audit_events(*, subject_type=None, subject_id=None, limit=1000) -> list[AuditEvent]
    personal_hash(value) -> str        (HMAC for payloads that refer to a person)
    audit_anchor(path=None) -> (Anchor, Path)
    audit_verify(anchor: Anchor | Path | None = None) -> VerifyReport
        (None: the latest anchor under the state folder, if one was exported;
        also checks each decision, case and resolution against the content
        hash its event carries, see finduo.store.coverage)

Known limits:
- Every audited write holds the chain lock until its commit, so audited
  writes are serialised (one durable commit at a time); group them with
  ``record_decisions`` where throughput matters (the API's group commit,
  ``finduo.api.commit``, does).
- The audit key is not rotated; events name no key id (one key per store).

Errors (:mod:`finduo.errors`): NotFoundError, ConflictError (concurrent or
repeated change: HTTP 409), IdempotencyError (422), InvalidInput (a
DataError, 422: names field and value), PermissionDenied (four-eyes),
StoreUnavailable (503), AuditError, ConfigError.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from finduo.errors import ConfigError
from finduo.settings import Settings
from finduo.store import audit, coverage
from finduo.store._cases import CasesMixin
from finduo.store._decisions import DecisionsMixin, NewDecision, request_hash_of
from finduo.store._identities import IdentitiesMixin
from finduo.store._lifecycle import LifecycleMixin, NewOutcome, OutcomeImport
from finduo.store.audit import Anchor, AuditEvent, VerifyReport
from finduo.store.records import (
    ROLES,
    Case,
    CaseFilter,
    Identity,
    InvalidInput,
    ModelVersion,
    OutcomeRecord,
    PolicyVersion,
    ReasonCode,
    RecordedDecision,
    Resolution,
    StoredDecision,
    Token,
    User,
)
from finduo.store.tables import AuditEventRow

LATEST_ANCHOR = "anchor-latest.json"


class Store(DecisionsMixin, CasesMixin, IdentitiesMixin, LifecycleMixin):
    """finduo's database. See the module docstring for the full surface."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store the settings name, with the audit key and state folder."""
        url = settings.resolved_database_url()
        if url.startswith("sqlite") and not settings.database_url:
            settings.state_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            url,
            audit_key=settings.secret("audit_key"),
            state_dir=settings.state_dir,
        )

    # -- audit -----------------------------------------------------------
    def record_event(
        self,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        payload: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Append an event for an action outside the store (sign-in, export...).

        ``payload`` must hold references and :meth:`personal_hash` values only.
        """
        with self._write() as session:
            return audit.append_event(
                session,
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                payload=payload,
            )

    def audit_events(
        self,
        *,
        subject_type: str | None = None,
        subject_id: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        """Events, oldest first, optionally of one subject (a decision's trail)."""
        query = select(AuditEventRow).order_by(AuditEventRow.seq)
        if subject_type is not None:
            query = query.where(AuditEventRow.subject_type == subject_type)
        if subject_id is not None:
            query = query.where(AuditEventRow.subject_id == subject_id)
        with self._read() as session:
            rows = session.scalars(query.limit(limit))
            return [AuditEvent.from_row(r) for r in rows]

    def _anchor_dir(self) -> Path:
        if self.state_dir is None:
            raise ConfigError(
                "no state folder known to this store: pass a path to "
                "audit_anchor(), or open the store with Store.from_settings"
            )
        return self.state_dir / "audit"

    def audit_anchor(self, path: Path | None = None) -> tuple[Anchor, Path]:
        """Export the chain's head (seq, hash, time) as JSON.

        Without ``path``: ``<state>/audit/anchor-<seq>.json`` and a copy as
        ``anchor-latest.json``, which :meth:`audit_verify` checks by default.
        """
        anchor = audit.head(self.engine)
        if path is None:
            folder = self._anchor_dir()
            path = audit.write_anchor(anchor, folder / f"anchor-{anchor.seq:010d}.json")
            audit.write_anchor(anchor, folder / LATEST_ANCHOR)
        else:
            audit.write_anchor(anchor, path)
        return anchor, path

    def audit_verify(self, anchor: Anchor | Path | None = None) -> VerifyReport:
        """Check the chain, the chain against an anchor, and the records.

        Records: every decision, case and resolution is recomputed against
        the content hash its event holds (:mod:`finduo.store.coverage`); the
        first one that no longer matches is named (table, id, event seq).
        """
        if isinstance(anchor, Path):
            anchor = Anchor.from_file(anchor)
        elif anchor is None and self.state_dir is not None:
            latest = self.state_dir / "audit" / LATEST_ANCHOR
            if latest.exists():
                anchor = Anchor.from_file(latest)
        report = audit.verify(self.engine, anchor)
        if not report.ok:
            return report
        found = coverage.check_records(self.engine, self._audit_key)
        report = replace(
            report,
            records_checked=found.checked,
            records_erased=found.erased,
            records_unchecked=found.unchecked,
        )
        if found.problem is None:
            return report
        return replace(
            report,
            ok=False,
            broken_seq=found.problem.seq,
            reason=found.problem.reason,
            broken_table=found.problem.table,
            broken_record=found.problem.record_id,
        )


__all__ = [
    "ROLES",
    "Anchor",
    "AuditEvent",
    "Case",
    "CaseFilter",
    "Identity",
    "InvalidInput",
    "ModelVersion",
    "NewDecision",
    "NewOutcome",
    "OutcomeImport",
    "OutcomeRecord",
    "PolicyVersion",
    "ReasonCode",
    "RecordedDecision",
    "Resolution",
    "Store",
    "StoredDecision",
    "Token",
    "User",
    "VerifyReport",
    "request_hash_of",
]
