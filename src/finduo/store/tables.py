"""The store's tables, as SQLAlchemy 2 typed ORM classes.

The schema itself is created and changed only by the Alembic revisions in
``finduo/store/migrations/versions``; a test checks that those revisions and
these classes describe the same schema. Timestamps are stored in UTC and read
back timezone-aware on every backend (:class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on SQLite (naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware; got {value!r}")
        value = value.astimezone(UTC)
        # SQLite keeps no offset: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSON columns that may be blanked hold SQL NULL, not the JSON literal null.
NullableJSON = JSON(none_as_null=True)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("actor", "idempotency_key", name="uq_decisions_actor_key"),
    )

    decision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    pd: Mapped[float] = mapped_column(Float)
    score_points: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    recommendation: Mapped[str] = mapped_column(String(16))
    terms: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    referral_reasons: Mapped[list[Any]] = mapped_column(JSON)
    rules_fired: Mapped[list[Any]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(128))
    policy_version: Mapped[str] = mapped_column(String(128))
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(16))
    # Personal data: blanked (NULL) on erasure, with erased_at set.
    application: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON)
    erased_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    decision_id: Mapped[str | None] = mapped_column(
        ForeignKey("decisions.decision_id"), index=True
    )
    # What the case is about when no decision is (early warning: a customer).
    subject_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[float] = mapped_column(Float)
    referral_reasons: Mapped[list[Any]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)


class ReasonCodeRow(Base):
    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(255))
    label_de: Mapped[str] = mapped_column(String(255))
    # "approve", "decline" or "any": which resolutions the code fits.
    applies_to: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)


class ResolutionRow(Base):
    __tablename__ = "resolutions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    terms: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON)
    reason_code: Mapped[str] = mapped_column(ForeignKey("reason_codes.code"))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(128), index=True)
    is_override: Mapped[bool] = mapped_column(Boolean)
    first_judgement: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]


class AuditEventRow(Base):
    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    ts: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    roles: Mapped[list[Any]] = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(Boolean)


class TokenRow(Base):
    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    user_name: Mapped[str | None] = mapped_column(String(128))
    roles: Mapped[list[Any]] = mapped_column(JSON)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class PolicyVersionRow(Base):
    __tablename__ = "policy_versions"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    version_label: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(128))
    proposed_by: Mapped[str | None] = mapped_column(String(128))
    approved_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    proposed_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    activated_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class ModelVersionRow(Base):
    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(128))
    proposed_by: Mapped[str | None] = mapped_column(String(128))
    approved_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    activated_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class OutcomeRow(Base):
    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint(
            "decision_id", "kind", "observed_at", name="uq_outcomes_event"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(
        ForeignKey("decisions.decision_id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    days_past_due: Mapped[int | None] = mapped_column(Integer)
    observed_at: Mapped[datetime]
    # Where the record came from, e.g. "outcomes.csv:17" or "api".
    source_row: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class SettingRow(Base):
    __tablename__ = "settings_kv"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(128))


__all__ = [
    "AuditEventRow",
    "Base",
    "CaseRow",
    "DecisionRow",
    "ModelVersionRow",
    "OutcomeRow",
    "PolicyVersionRow",
    "ReasonCodeRow",
    "ResolutionRow",
    "SettingRow",
    "TokenRow",
    "UTCDateTime",
    "UserRow",
]
