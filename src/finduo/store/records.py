"""What the store hands out: frozen records, never live ORM rows.

Callers (engine, API, console, CLI) get plain values that stay valid after the
transaction that read them has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

from finduo.decisions.model import Decision, Terms
from finduo.errors import DataError

Role = Literal["decider", "reviewer", "analyst", "approver", "admin"]
ROLES: tuple[str, ...] = ("decider", "reviewer", "analyst", "approver", "admin")
CaseKind = Literal["onboarding", "contest", "early_warning"]
CASE_KINDS: tuple[str, ...] = ("onboarding", "contest", "early_warning")
CaseStatus = Literal["open", "resolved", "superseded"]
ResolutionOutcome = Literal["approve", "decline"]
PolicyState = Literal["draft", "proposed", "approved", "active", "retired"]
ModelState = Literal["candidate", "approved", "active", "retired"]
OutcomeKind = Literal["paid", "defaulted", "fraud", "churned"]
OUTCOME_KINDS: tuple[str, ...] = ("paid", "defaulted", "fraud", "churned")


class InvalidInput(DataError):
    """A value handed to the store is not allowed (field, value, expectation)."""

    http_status = 422


@dataclass(frozen=True)
class RecordedDecision:
    """The result of :meth:`Store.record_decision`.

    ``replayed`` is True when an earlier decision was returned for a repeated
    idempotency key; ``case_id`` names the case opened with the decision.
    """

    decision: Decision
    case_id: str | None
    replayed: bool


@dataclass(frozen=True)
class StoredDecision:
    """A decision with what the store keeps beside it."""

    decision: Decision
    application: dict[str, Any] | None  # None once erased
    actor: str
    channel: str | None
    erased_at: datetime | None


@dataclass(frozen=True)
class Resolution:
    """A person's final word on a case."""

    id: str
    case_id: str
    outcome: ResolutionOutcome
    terms: Terms | None
    reason_code: str
    comment: str | None
    reviewer: str
    is_override: bool
    first_judgement: ResolutionOutcome | None
    created_at: datetime


@dataclass(frozen=True)
class Case:
    """A decision (or a customer, for early warning) handed to a person.

    ``decision`` and ``application`` are filled by :meth:`Store.get_case`;
    listings leave ``application`` out.
    """

    id: str
    decision_id: str | None
    subject_id: str | None
    kind: CaseKind
    status: CaseStatus
    priority: float
    referral_reasons: list[str]
    details: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    version: int
    decision: Decision | None = None
    application: dict[str, Any] | None = None
    resolution: Resolution | None = None


@dataclass(frozen=True)
class ReasonCode:
    """One entry of the managed list of resolution reason codes."""

    code: str
    label_en: str
    label_de: str
    applies_to: Literal["approve", "decline", "any"]
    active: bool

    def label(self, language: str) -> str:
        return self.label_de if language == "de" else self.label_en


@dataclass(frozen=True)
class User:
    """A person or service client; ``password_hash`` is None for token-only."""

    name: str
    roles: tuple[str, ...]
    password_hash: str | None
    failed_logins: int
    locked_until: datetime | None
    language: str
    created_at: datetime
    disabled: bool


class Identity(NamedTuple):
    """Who a token belongs to: unpacks as ``name, roles``."""

    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Token:
    """A token's stored facts; the plaintext is never stored."""

    id: str
    name: str
    user_name: str | None
    roles: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class PolicyVersion:
    content_hash: str
    name: str
    version_label: str
    yaml_text: str
    state: PolicyState
    created_by: str
    proposed_by: str | None
    approved_by: str | None
    created_at: datetime
    proposed_at: datetime | None
    approved_at: datetime | None
    activated_at: datetime | None
    retired_at: datetime | None


@dataclass(frozen=True)
class ModelVersion:
    version: str
    kind: str
    dataset: str
    path: str
    meta: dict[str, Any]
    state: ModelState
    created_by: str
    proposed_by: str | None
    approved_by: str | None
    created_at: datetime
    approved_at: datetime | None
    activated_at: datetime | None
    retired_at: datetime | None


@dataclass(frozen=True)
class OutcomeRecord:
    id: int
    decision_id: str
    kind: OutcomeKind
    days_past_due: int | None
    observed_at: datetime
    source_row: str | None
    created_at: datetime


@dataclass(frozen=True)
class CaseFilter:
    """Filters for :meth:`Store.list_cases`; None means "any"."""

    status: CaseStatus | None = "open"
    kind: CaseKind | None = None
    referral_reason: str | None = None
    band: str | None = None
    reviewer: str | None = None
    created_before: datetime | None = None
    limit: int = 500
    offset: int = 0


__all__ = [
    "CASE_KINDS",
    "OUTCOME_KINDS",
    "ROLES",
    "Case",
    "CaseFilter",
    "CaseKind",
    "CaseStatus",
    "Identity",
    "InvalidInput",
    "ModelState",
    "ModelVersion",
    "OutcomeKind",
    "OutcomeRecord",
    "PolicyState",
    "PolicyVersion",
    "ReasonCode",
    "RecordedDecision",
    "Resolution",
    "ResolutionOutcome",
    "Role",
    "StoredDecision",
    "Token",
    "User",
]
