"""Policy and model versions with their states, outcomes, and settings (stop switch).

Four-eyes rule kept here because it is an invariant of the data: whoever
proposed a version cannot approve it. A refused approval is audited in its
own transaction, then raised as :class:`PermissionDenied`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from finduo.errors import ConflictError, NotFoundError, PermissionDenied
from finduo.store._base import StoreBase, require, utcnow
from finduo.store.records import (
    OUTCOME_KINDS,
    InvalidInput,
    ModelState,
    ModelVersion,
    OutcomeKind,
    OutcomeRecord,
    PolicyState,
    PolicyVersion,
)
from finduo.store.tables import (
    DecisionRow,
    ModelVersionRow,
    OutcomeRow,
    PolicyVersionRow,
    SettingRow,
)

POLICY_STEPS: dict[str, tuple[str, ...]] = {
    "draft": ("proposed", "retired"),
    "proposed": ("approved", "draft", "retired"),
    "approved": ("active", "retired"),
    "active": ("retired",),
    "retired": (),
}
MODEL_STEPS: dict[str, tuple[str, ...]] = {
    "candidate": ("approved", "retired"),
    "approved": ("active", "retired"),
    "active": ("retired",),
    "retired": (),
}
STOP_SWITCH_KEY = "stop_switch"


@dataclass(frozen=True)
class NewOutcome:
    """One outcome to record; ``source_row`` says where it came from."""

    decision_id: str
    kind: OutcomeKind
    observed_at: datetime
    days_past_due: int | None = None
    source_row: str | None = None


@dataclass
class OutcomeImport:
    """What :meth:`Store.record_outcomes` did with each row: nothing dropped."""

    inserted: int = 0
    unmatched: list[NewOutcome] = field(default_factory=list)
    duplicates: list[NewOutcome] = field(default_factory=list)


def _policy(row: PolicyVersionRow) -> PolicyVersion:
    return PolicyVersion(
        content_hash=row.content_hash,
        name=row.name,
        version_label=row.version_label,
        yaml_text=row.yaml_text,
        state=cast(PolicyState, row.state),
        created_by=row.created_by,
        proposed_by=row.proposed_by,
        approved_by=row.approved_by,
        created_at=row.created_at,
        proposed_at=row.proposed_at,
        approved_at=row.approved_at,
        activated_at=row.activated_at,
        retired_at=row.retired_at,
    )


def _model(row: ModelVersionRow) -> ModelVersion:
    return ModelVersion(
        version=row.version,
        kind=row.kind,
        dataset=row.dataset,
        path=row.path,
        meta=dict(row.meta),
        state=cast(ModelState, row.state),
        created_by=row.created_by,
        proposed_by=row.proposed_by,
        approved_by=row.approved_by,
        created_at=row.created_at,
        approved_at=row.approved_at,
        activated_at=row.activated_at,
        retired_at=row.retired_at,
    )


def _outcome(row: OutcomeRow) -> OutcomeRecord:
    return OutcomeRecord(
        id=row.id,
        decision_id=row.decision_id,
        kind=cast(OutcomeKind, row.kind),
        days_past_due=row.days_past_due,
        observed_at=row.observed_at,
        source_row=row.source_row,
        created_at=row.created_at,
    )


def _check_step(
    what: str, current: str, target: str, steps: dict[str, tuple[str, ...]]
) -> None:
    require("state", target, tuple(steps))
    if target not in steps[current]:
        allowed = ", ".join(steps[current]) or "none"
        raise ConflictError(
            f"{what} is {current}; it can move to {allowed}; got {target!r}",
            state=current,
            target=target,
        )


class LifecycleMixin(StoreBase):
    # -- policy versions -------------------------------------------------
    def save_policy_version(
        self, name: str, version_label: str, yaml_text: str, actor: str
    ) -> PolicyVersion:
        """Store a policy text as a draft, keyed by its sha256; idempotent."""
        digest = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
        with self._write() as session:
            row = session.get(PolicyVersionRow, digest)
            if row is not None:
                return _policy(row)
            row = PolicyVersionRow(
                content_hash=digest,
                name=name,
                version_label=version_label,
                yaml_text=yaml_text,
                state="draft",
                created_by=actor,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                actor,
                "policy.saved",
                "policy",
                digest,
                {"name": name, "version_label": version_label},
            )
            return _policy(row)

    def get_policy_version(self, content_hash: str) -> PolicyVersion:
        with self._read() as session:
            row = session.get(PolicyVersionRow, content_hash)
            if row is None:
                raise NotFoundError(
                    f"policy version {content_hash!r} does not exist",
                    policy=content_hash,
                )
            return _policy(row)

    def list_policy_versions(
        self, *, name: str | None = None, state: PolicyState | None = None
    ) -> list[PolicyVersion]:
        query = select(PolicyVersionRow).order_by(PolicyVersionRow.created_at)
        if name is not None:
            query = query.where(PolicyVersionRow.name == name)
        if state is not None:
            query = query.where(PolicyVersionRow.state == state)
        with self._read() as session:
            return [_policy(r) for r in session.scalars(query)]

    def active_policy_version(self, name: str | None = None) -> PolicyVersion | None:
        active = self.list_policy_versions(name=name, state="active")
        return active[-1] if active else None

    def set_policy_state(
        self, content_hash: str, state: PolicyState, actor: str
    ) -> PolicyVersion:
        """Move a policy version on: draft → proposed → approved → active → retired.

        Approving one's own proposal is refused (and audited). Activating
        retires the version of the same name that was active.
        """
        with self._write() as session:
            row = session.get(PolicyVersionRow, content_hash)
            if row is None:
                raise NotFoundError(
                    f"policy version {content_hash!r} does not exist",
                    policy=content_hash,
                )
            _check_step(
                f"policy version {content_hash[:12]}", row.state, state, POLICY_STEPS
            )
            refused = state == "approved" and actor == row.proposed_by
            if not refused:
                now = utcnow()
                if state == "proposed":
                    row.proposed_by, row.proposed_at = actor, now
                elif state == "approved":
                    row.approved_by, row.approved_at = actor, now
                elif state == "active":
                    row.activated_at = now
                    for other in session.scalars(
                        select(PolicyVersionRow).where(
                            PolicyVersionRow.name == row.name,
                            PolicyVersionRow.state == "active",
                        )
                    ):
                        other.state, other.retired_at = "retired", now
                elif state == "retired":
                    row.retired_at = now
                previous, row.state = row.state, state
                session.flush()
                self._audit(
                    session,
                    actor,
                    f"policy.{state}",
                    "policy",
                    content_hash,
                    {"name": row.name, "from": previous},
                )
                return _policy(row)
        self._refuse_four_eyes("policy", content_hash, actor)

    def _refuse_four_eyes(
        self, subject_type: str, subject_id: str, actor: str
    ) -> NoReturn:
        with self._write() as session:
            self._audit(
                session,
                actor,
                f"{subject_type}.approve_refused",
                subject_type,
                subject_id,
                {"rule": "four_eyes"},
            )
        raise PermissionDenied(
            f"{actor!r} proposed {subject_type} {subject_id[:12]} and cannot also "
            "approve it: a different approver is needed",
            actor=actor,
        )

    # -- model versions --------------------------------------------------
    def register_model_version(
        self,
        version: str,
        *,
        kind: str,
        dataset: str,
        path: str,
        meta: dict[str, Any],
        actor: str,
    ) -> ModelVersion:
        """Register a trained model as a candidate (proposed by ``actor``)."""
        try:
            with self._write() as session:
                row = ModelVersionRow(
                    version=version,
                    kind=kind,
                    dataset=dataset,
                    path=path,
                    meta=meta,
                    state="candidate",
                    created_by=actor,
                    proposed_by=actor,
                    created_at=utcnow(),
                )
                session.add(row)
                session.flush()
                self._audit(
                    session,
                    actor,
                    "model.registered",
                    "model",
                    version,
                    {"kind": kind, "dataset": dataset},
                )
                return _model(row)
        except IntegrityError as exc:
            raise ConflictError(
                f"model version {version!r} is already registered", model=version
            ) from exc

    def get_model_version(self, version: str) -> ModelVersion:
        with self._read() as session:
            row = session.get(ModelVersionRow, version)
            if row is None:
                raise NotFoundError(
                    f"model version {version!r} does not exist", model=version
                )
            return _model(row)

    def list_model_versions(
        self, *, state: ModelState | None = None, dataset: str | None = None
    ) -> list[ModelVersion]:
        query = select(ModelVersionRow).order_by(ModelVersionRow.created_at)
        if state is not None:
            query = query.where(ModelVersionRow.state == state)
        if dataset is not None:
            query = query.where(ModelVersionRow.dataset == dataset)
        with self._read() as session:
            return [_model(r) for r in session.scalars(query)]

    def set_model_state(
        self, version: str, state: ModelState, actor: str
    ) -> ModelVersion:
        """candidate → approved (by someone else) → active → retired.

        Activating retires the active model of the same kind and data set.
        """
        with self._write() as session:
            row = session.get(ModelVersionRow, version)
            if row is None:
                raise NotFoundError(
                    f"model version {version!r} does not exist", model=version
                )
            _check_step(f"model {version}", row.state, state, MODEL_STEPS)
            refused = state == "approved" and actor == row.proposed_by
            if not refused:
                now = utcnow()
                if state == "approved":
                    row.approved_by, row.approved_at = actor, now
                elif state == "active":
                    row.activated_at = now
                    for other in session.scalars(
                        select(ModelVersionRow).where(
                            ModelVersionRow.kind == row.kind,
                            ModelVersionRow.dataset == row.dataset,
                            ModelVersionRow.state == "active",
                        )
                    ):
                        other.state, other.retired_at = "retired", now
                else:
                    row.retired_at = now
                previous, row.state = row.state, state
                session.flush()
                self._audit(
                    session,
                    actor,
                    f"model.{state}",
                    "model",
                    version,
                    {"from": previous},
                )
                return _model(row)
        self._refuse_four_eyes("model", version, actor)

    # -- outcomes ----------------------------------------------------------
    def record_outcomes(self, rows: list[NewOutcome], actor: str) -> OutcomeImport:
        """Record outcomes in one transaction; report unmatched and duplicates.

        A row is unmatched when its decision does not exist, a duplicate when
        the same (decision, kind, observed_at) is stored or earlier in ``rows``.
        """
        report = OutcomeImport()
        with self._write() as session:
            now = utcnow()
            seen: set[tuple[str, str, datetime]] = set()
            for item in rows:
                require("kind", item.kind, OUTCOME_KINDS)
                if item.days_past_due is not None and item.days_past_due < 0:
                    raise InvalidInput(
                        f"days_past_due must be >= 0; got {item.days_past_due} "
                        f"({item.source_row or item.decision_id})",
                        field="days_past_due",
                        value=item.days_past_due,
                    )
                key = (item.decision_id, item.kind, item.observed_at)
                if session.get(DecisionRow, item.decision_id) is None:
                    report.unmatched.append(item)
                    continue
                stored = session.scalars(
                    select(OutcomeRow.id).where(
                        OutcomeRow.decision_id == item.decision_id,
                        OutcomeRow.kind == item.kind,
                        OutcomeRow.observed_at == item.observed_at,
                    )
                ).first()
                if key in seen or stored is not None:
                    report.duplicates.append(item)
                    continue
                seen.add(key)
                session.add(
                    OutcomeRow(
                        decision_id=item.decision_id,
                        kind=item.kind,
                        days_past_due=item.days_past_due,
                        observed_at=item.observed_at,
                        source_row=item.source_row,
                        created_at=now,
                    )
                )
                report.inserted += 1
            session.flush()
            self._audit(
                session,
                actor,
                "outcomes.recorded",
                "outcomes",
                f"batch-{now.isoformat()}",
                {
                    "inserted": report.inserted,
                    "unmatched": len(report.unmatched),
                    "duplicates": len(report.duplicates),
                },
            )
        return report

    def decision_times(self, decision_ids: Iterable[str]) -> dict[str, datetime]:
        """When each of these decisions was made (UTC); unknown ids are left out."""
        wanted = sorted(set(decision_ids))
        found: dict[str, datetime] = {}
        with self._read() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(DecisionRow.decision_id, DecisionRow.created_at).where(
                    DecisionRow.decision_id.in_(chunk)
                )
                found.update({str(i): t for i, t in session.execute(query)})
        return found

    def list_outcomes(self, decision_id: str | None = None) -> list[OutcomeRecord]:
        query = select(OutcomeRow).order_by(OutcomeRow.observed_at, OutcomeRow.id)
        if decision_id is not None:
            query = query.where(OutcomeRow.decision_id == decision_id)
        with self._read() as session:
            return [_outcome(r) for r in session.scalars(query)]

    # -- settings ----------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        with self._read() as session:
            row = session.get(SettingRow, key)
            return row.value if row else None

    def set_setting(self, key: str, value: str, actor: str) -> None:
        """Set a durable setting; audited with its old and new value."""
        with self._write() as session:
            row = session.get(SettingRow, key)
            old = row.value if row else None
            if row is None:
                row = SettingRow(
                    key=key, value=value, updated_at=utcnow(), updated_by=actor
                )
                session.add(row)
            else:
                row.value, row.updated_at, row.updated_by = value, utcnow(), actor
            session.flush()
            self._audit(
                session,
                actor,
                "setting.changed",
                "setting",
                key,
                {"old": old, "new": value},
            )

    def stop_switch(self) -> bool:
        """True while every new application goes to review instead of a decision."""
        return self.get_setting(STOP_SWITCH_KEY) == "on"

    def set_stop_switch(self, on: bool, actor: str) -> None:
        self.set_setting(STOP_SWITCH_KEY, "on" if on else "off", actor)


__all__ = ["LifecycleMixin", "NewOutcome", "OutcomeImport"]
