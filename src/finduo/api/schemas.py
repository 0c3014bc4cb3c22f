"""Request and response bodies of the API (pydantic, strict).

Strict types throughout: ``false`` is no integer and ``"12"`` no number here,
unlike pydantic's default lax mode. Unknown fields are refused (422) so that a
misspelt field never passes silently. Timestamps are ISO 8601 with a zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictStr

from finduo.decisions.model import Decision, Terms
from finduo.store.records import CaseStatus

# JSON carries timestamps as text, which strict mode would refuse.
Timestamp = Annotated[AwareDatetime, Field(strict=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ResolutionIn(_In):
    """A reviewer's final word on a case."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "outcome": "approve",
                    "reason_code": "INCOME_VERIFIED",
                    "comment": "Payslips checked.",
                }
            ]
        },
    )

    outcome: Literal["approve", "decline"] = Field(
        description="The final outcome; differs from the machine's "
        "recommendation for an override."
    )
    reason_code: StrictStr = Field(
        min_length=1, max_length=64, description="A code of the managed list."
    )
    comment: StrictStr | None = Field(
        default=None,
        max_length=2000,
        description="Free text; required (not blank) with reason code OTHER.",
    )
    terms: Terms | None = Field(
        default=None,
        description="Terms granted with an approval; default: the band's terms.",
    )


class OutcomeIn(_In):
    """What happened later to a decided application."""

    decision_id: StrictStr = Field(min_length=1, max_length=64)
    kind: Literal["paid", "defaulted", "fraud", "churned"]
    days_past_due: int | None = Field(default=None, ge=0, le=10_000)
    observed_at: Timestamp


class OutcomesIn(_In):
    """Outcomes to record, in one transaction."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "outcomes": [
                        {
                            "decision_id": "4f1c0c3ad2b94e0f9b8a8f1d2c3e4b5a",
                            "kind": "defaulted",
                            "days_past_due": 90,
                            "observed_at": "2026-11-30T00:00:00Z",
                        }
                    ]
                }
            ]
        },
    )

    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=10_000)


class OutcomesOut(BaseModel):
    """What was done with each outcome: nothing is dropped silently."""

    inserted: int
    unmatched: list[OutcomeIn] = Field(
        description="Outcomes whose decision does not exist; not stored."
    )
    duplicates: list[OutcomeIn] = Field(
        description="Outcomes stored before (same decision, kind and time)."
    )


class DecisionOut(BaseModel):
    """A decision as answered and stored, with the case it opened."""

    decision: Decision
    case_id: str | None = Field(
        default=None, description="The case opened for a referral."
    )
    replayed: bool = Field(
        default=False,
        description="True when an earlier answer is repeated for the same "
        "Idempotency-Key.",
    )


class BatchOut(BaseModel):
    decisions: list[DecisionOut]
    counts: dict[str, int] = Field(description="Decisions by outcome.")


class ResolutionOut(BaseModel):
    id: str
    case_id: str
    outcome: str
    terms: Terms | None
    reason_code: str
    comment: str | None
    reviewer: str
    is_override: bool
    first_judgement: str | None
    created_at: datetime


class CaseOut(BaseModel):
    id: str
    decision_id: str | None
    subject_id: str | None
    kind: str
    status: CaseStatus = Field(
        description="open; resolved; superseded: closed unresolved because the "
        "application was decided again."
    )
    priority: float
    referral_reasons: list[str]
    details: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    version: int
    decision: Decision | None = None
    application: dict[str, Any] | None = None
    resolution: ResolutionOut | None = None


class CaseList(BaseModel):
    cases: list[CaseOut]
    limit: int
    offset: int


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]
    model_version: str | None = None
    policy_version: str | None = None
    in_force: bool = Field(
        default=True,
        description="False when a newly activated policy or promoted model "
        "takes other inputs than the running one: restart to switch to it.",
    )


class ErrorItem(BaseModel):
    field: str
    expected: str
    message: str
    got: Any = None


class ErrorOut(BaseModel):
    """Every error answer has this shape."""

    error: str = Field(description="Stable code, e.g. not_found, conflict.")
    message: str
    detail: Any = None


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in {
        401: "No valid token.",
        403: "The token's roles do not allow this.",
        422: "The request is invalid; `detail` names each field.",
        503: "The store cannot be reached; retry later.",
    }.items()
}

__all__ = [
    "ERRORS",
    "BatchOut",
    "CaseList",
    "CaseOut",
    "DecisionOut",
    "ErrorOut",
    "Health",
    "OutcomeIn",
    "OutcomesIn",
    "OutcomesOut",
    "Readiness",
    "ResolutionIn",
    "ResolutionOut",
]
