"""Outcomes: what happened later to decided applications."""

from __future__ import annotations

from fastapi import APIRouter

from finduo.api.deps import OutcomeRecorder, StoreDep
from finduo.api.schemas import ERRORS, OutcomeIn, OutcomesIn, OutcomesOut
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
    report = store.record_outcomes(rows, who.name)
    return OutcomesOut(
        inserted=report.inserted,
        unmatched=[_echo(item) for item in report.unmatched],
        duplicates=[_echo(item) for item in report.duplicates],
    )
