"""Outcomes: what happened later to decided applications."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from finduo.api.deps import OutcomeRecorder, StoreDep
from finduo.api.schemas import ERRORS, OutcomeIn, OutcomesIn, OutcomesOut
from finduo.outcomes.plausibility import check_outcomes
from finduo.store._lifecycle import NewOutcome

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"])


def _echo(item: NewOutcome) -> OutcomeIn:
    return OutcomeIn(
        decision_id=item.decision_id,
        kind=item.kind,
        days_past_due=item.days_past_due,
        observed_at=item.observed_at,
    )


@router.post("", response_model=OutcomesOut, responses=ERRORS)
def record_outcomes(
    body: OutcomesIn, store: StoreDep, who: OutcomeRecorder
) -> OutcomesOut:
    """Record outcomes (paid, defaulted, fraud, churned); reports unmatched ones."""
    rows = [
        NewOutcome(
            decision_id=item.decision_id,
            kind=item.kind,
            observed_at=item.observed_at,
            days_past_due=item.days_past_due,
            source_row=f"api:{who.name}",
        )
        for item in body.outcomes
    ]
    # The request is one transaction: an implausible outcome refuses all of
    # it, with the same 422 body as a malformed field (outcomes.N.field).
    refused = check_outcomes(store, list(enumerate(rows)))
    if refused:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("body", "outcomes", index, problem.field),
                    "msg": problem.reason,
                    "input": problem.value,
                }
                for index, problems in sorted(refused.items())
                for problem in problems
            ]
        )
    report = store.record_outcomes(rows, who.name)
    return OutcomesOut(
        inserted=report.inserted,
        unmatched=[_echo(item) for item in report.unmatched],
        duplicates=[_echo(item) for item in report.duplicates],
    )
