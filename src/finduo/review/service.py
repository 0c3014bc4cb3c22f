"""The review queue: priority raised by waiting time, filters, counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from finduo.decisions.model import Terms
from finduo.errors import DataError
from finduo.review.terms import approval_terms
from finduo.store import Case, CaseFilter, Resolution, Store
from finduo.store.records import CaseKind, CaseStatus, ResolutionOutcome

# A case's priority doubles for every day it waits.
WAIT_DOUBLING = timedelta(days=1)
# Most open cases ranked per request; the store pre-sorts by base priority.
QUEUE_SCAN_LIMIT = 5000


def referral_priority(amount_at_risk: float, pd: float) -> float:
    """Base priority of a referral: amount at risk × uncertainty of the ``pd``.

    Parameters
    ----------
    amount_at_risk : float
        Credit amount or limit asked for, in currency units (>= 0).
    pd : float
        Calibrated probability of default, in [0, 1].

    Returns
    -------
    float
        ``amount_at_risk * 4 * pd * (1 - pd)``: the full amount at ``pd = 0.5``,
        where the model is least sure, falling to 0 at ``pd`` 0 or 1.
    """
    if amount_at_risk < 0:
        raise DataError(f"amount_at_risk must be >= 0; got {amount_at_risk}")
    if not 0.0 <= pd <= 1.0:
        raise DataError(f"pd must be within [0, 1]; got {pd}")
    return float(amount_at_risk) * 4.0 * pd * (1.0 - pd)


def waiting_time(case: Case, now: datetime) -> timedelta:
    """How long the case has waited: until now, or until it was closed."""
    return (case.resolved_at or now) - case.created_at


def effective_priority(case: Case, now: datetime) -> float:
    """The case's base priority, raised by how long it has waited."""
    waited = max(waiting_time(case, now) / WAIT_DOUBLING, 0.0)
    return case.priority * (1.0 + waited)


# The statuses a case list may be filtered by, as the CLI and the API take them.
STATUS_CHOICES: tuple[str, ...] = (*get_args(CaseStatus), "any")


@dataclass(frozen=True)
class QueueFilter:
    """Which cases to show (open ones by default); None means "any"."""

    status: CaseStatus | None = "open"
    kind: CaseKind | None = None
    referral_reason: str | None = None
    band: str | None = None
    min_waiting: timedelta | None = None
    limit: int = 50


@dataclass(frozen=True)
class QueueItem:
    """One line of the queue."""

    case: Case
    priority: float
    waiting: timedelta

    @property
    def band(self) -> str | None:
        return self.case.decision.band if self.case.decision else None

    @property
    def pd(self) -> float | None:
        return self.case.decision.pd if self.case.decision else None


@dataclass(frozen=True)
class QueueView:
    """The ranked queue and counts over every matching open case."""

    items: list[QueueItem]
    total: int
    by_reason: dict[str, int] = field(default_factory=dict)
    by_band: dict[str, int] = field(default_factory=dict)
    oldest_waiting: timedelta | None = None


class ReviewService:
    """Cases for people: list by priority, show, resolve."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def queue(
        self, filters: QueueFilter | None = None, now: datetime | None = None
    ) -> QueueView:
        """Cases (open by default), highest effective priority first, with counts."""
        f = filters or QueueFilter()
        now = now or datetime.now(UTC)
        created_before = now - f.min_waiting if f.min_waiting is not None else None
        cases = self.store.list_cases(
            CaseFilter(
                status=f.status,
                kind=f.kind,
                referral_reason=f.referral_reason,
                band=f.band,
                created_before=created_before,
                limit=QUEUE_SCAN_LIMIT,
            )
        )
        items = [
            QueueItem(
                case=case,
                priority=effective_priority(case, now),
                waiting=waiting_time(case, now),
            )
            for case in cases
        ]
        items.sort(key=lambda item: (-item.priority, item.case.created_at))
        reasons: Counter[str] = Counter(
            reason for case in cases for reason in case.referral_reasons
        )
        bands: Counter[str] = Counter(
            case.decision.band for case in cases if case.decision is not None
        )
        return QueueView(
            items=items[: f.limit],
            total=len(items),
            by_reason=dict(reasons.most_common()),
            by_band=dict(sorted(bands.items())),
            oldest_waiting=max((i.waiting for i in items), default=None),
        )

    def show(self, case_id: str) -> Case:
        """One case with its decision, the application data and any resolution."""
        return self.store.get_case(case_id)

    def resolve(
        self,
        case_id: str,
        *,
        outcome: ResolutionOutcome,
        reason_code: str,
        reviewer: str,
        comment: str | None = None,
        terms: Terms | Mapping[str, Any] | None = None,
        first_judgement: ResolutionOutcome | None = None,
    ) -> Resolution:
        """Resolve a case as every front end does (CLI, API, console).

        An approval is stored with terms: ``terms`` as given when complete,
        else the given fields over the decision's band terms (see
        :func:`finduo.review.terms.approval_terms`). The store checks the
        rest (see :meth:`finduo.store.Store.resolve_case`): the reason code,
        a comment with reason code ``OTHER``, terms with approvals only.

        Raises
        ------
        InvalidInput
            For a value the resolution cannot take; ``field`` names it.
        NotFoundError, ConflictError
            For an unknown case, or one no longer open.
        """
        given: Terms | Mapping[str, Any] | None = terms
        if isinstance(terms, Mapping):
            given = {k: v for k, v in terms.items() if v is not None} or None
        if outcome == "approve":
            # Bad input is named before the terms are looked at.
            self.store.check_resolution(
                outcome=outcome, reason_code=reason_code, comment=comment
            )
            case = self.store.get_case(case_id)
            if case.status == "open":  # else the store says it is resolved
                given = approval_terms(self.store, case, given)
        return self.store.resolve_case(
            case_id,
            outcome=outcome,
            reason_code=reason_code,
            reviewer=reviewer,
            comment=comment,
            terms=given if given is None or isinstance(given, Terms) else dict(given),
            first_judgement=first_judgement,
        )


__all__ = [
    "STATUS_CHOICES",
    "QueueFilter",
    "QueueItem",
    "QueueView",
    "ReviewService",
    "effective_priority",
    "referral_priority",
    "waiting_time",
]
